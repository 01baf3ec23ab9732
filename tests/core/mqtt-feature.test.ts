/*
 * The MQTT feature in the manager, over MemoryTcp against a scripted broker on a virtual clock:
 * when it connects, the back-off and its jitter, coalesced state, the data object at most once a
 * second, the status every minute, discovery checked against Home Assistant's schema fields,
 * commands and their refusals, the restart opt-in, topic-safe names, the settings' checks, and
 * the page's card. Runs on Node and XS.
 */

import { IotManager } from "../../modules/manager";
import type { MqttApi, MqttFeatureOptions } from "../../modules/mqtt/mqtt-feature";
import { parseBrokerUrl } from "../../modules/mqtt/mqtt-url";
import { objectId, topicLevel, UniqueNames } from "../../modules/mqtt/topic-names";
import type { NetworkStatus } from "../../modules/host/network";
import { PersistentBoolean } from "../../modules/persistent/persistent-boolean";
import { PersistentInteger } from "../../modules/persistent/persistent-integer";
import { PersistentRgb } from "../../modules/persistent/persistent-rgb";
import * as assert from "../support/assert";
import { checkDiscovery } from "../support/ha-discovery-schema";
import { bodyText, request } from "../support/http-request";
import { MemoryBroker, publishPacket } from "../support/memory-broker";
import { MemoryStorage } from "../support/memory-storage";
import { settle } from "../support/memory-tcp";
import { createTestHost, type TestHost } from "../support/test-host";

interface Rig {
  host: TestHost;
  iot: IotManager;
  mqtt: MqttApi;
  broker: MemoryBroker;
  net: { status: NetworkStatus };
  count: PersistentInteger;
  enabled: PersistentBoolean;
  colour: PersistentRgb;
}

function rig(options: MqttFeatureOptions = {}, url = "mqtt://broker:1883"): Rig {
  const host = createTestHost(new MemoryStorage());
  const net = { status: { mode: "station", ssid: "Home", ip: "192.168.1.50" } as NetworkStatus };
  (host as { network: unknown }).network = { status: () => net.status };
  const broker = new MemoryBroker(host.tcp);
  const storage = host.storage;
  const count = new PersistentInteger("count", { storage, default: 3 });
  const enabled = new PersistentBoolean("enabled", { storage });
  const colour = new PersistentRgb("colour", { storage, default: "#ff0000" });
  const iot = new IotManager({ title: "Rig", version: "1.0.0", mqtt: { random: () => 0, ...options } }, host);
  const mqtt = iot.mqtt;
  mqtt.expose(count);
  mqtt.expose(enabled);
  mqtt.expose(colour);
  iot.data.set("temperature", 21.5);
  if (url) iot.config.set("mqtt_url", url);
  void iot.run();
  return { host, iot, mqtt, broker, net, count, enabled, colour };
}

const BASE = "iot-123456";

describe("MQTT feature", () => {
  it("is off without a broker, and connects once the station has an address", async () => {
    const r = rig({}, "");
    await r.host.clock.advance(5000);
    assert.equal(r.broker.connects.length, 0);
    assert.equal((r.iot.status().mqtt as { state: string }).state, "off");
    r.net.status = { mode: "ap", ssid: "", ip: "", apIp: "192.168.4.1" };
    r.iot.config.set("mqtt_url", "mqtt://broker");
    await r.host.clock.advance(1000);
    assert.equal(r.broker.connects.length, 0, "no station address yet");
    assert.equal((r.iot.status().mqtt as { state: string }).state, "waiting for the network");
    r.net.status = { mode: "ap+station", ssid: "Home", ip: "192.168.1.50", apIp: "192.168.4.1" };
    r.iot.events.emit("network", r.net.status);
    await r.host.clock.advance(10);
    assert.equal(r.broker.connects.length, 1);
    assert.ok(r.mqtt.connected);
    const c = r.broker.connects[0];
    assert.equal(c.clientId, "iot-240ac4123456");
    assert.deepEqual(c.will, { topic: `${BASE}/status`, payload: "offline", retain: true, qos: 1 });
    r.iot.stop();
  });

  it("retries with back-off and jitter, 1 s doubling to 60 s, and starts over once connected", async () => {
    const r = rig({ random: () => 0.5 });
    r.broker.connackCode = 5;
    const times: number[] = [];
    for (let t = 0; t < 200_000; t += 100) {
      const before = r.broker.connects.length;
      await r.host.clock.advance(100);
      if (r.broker.connects.length > before) times.push(r.host.clock.now());
    }
    const gaps = times.slice(1).map((t, i) => Math.round((t - times[i]) / 100) * 100);
    // Half of the step plus random() (0.5) of the other half: 0.75 of 1, 2, 4, ... 60 s.
    // (Measured in steps of 100 ms: the first, 750 ms, reads as 700 or 800.)
    assert.ok(gaps[0] === 700 || gaps[0] === 800, String(gaps[0]));
    assert.deepEqual(gaps.slice(1, 8), [1500, 3000, 6000, 12000, 24000, 45000, 45000]);
    assert.match(String((r.iot.status().mqtt as { lastError: string }).lastError), /not authorized/);
    assert.ok(r.host.lines.some((l) => /not authorized; trying again in 45 s/.test(l.line)));
    r.broker.connackCode = 0;
    await r.host.clock.advance(46_000);
    assert.ok(r.mqtt.connected);
    r.iot.stop();
    assert.equal(r.host.clock.pending, 0, "every timer cleared on stop");
  });

  it("coalesces a burst of changes into one publish per key, and the whole object at most once a second", async () => {
    const r = rig();
    await r.host.clock.advance(10);
    const before = r.broker.count(`${BASE}/data/n`);
    for (let i = 0; i < 1000; i++) r.iot.data.set("n", i);
    await r.host.clock.advance(1);
    assert.equal(r.broker.count(`${BASE}/data/n`) - before, 1);
    assert.equal(r.broker.last(`${BASE}/data/n`)?.payload, "999");
    const objects = r.broker.count(`${BASE}/data`);
    for (let i = 0; i < 50; i++) {
      r.iot.data.set("n", i);
      await r.host.clock.advance(100);
    }
    const sent = r.broker.count(`${BASE}/data`) - objects;
    assert.ok(r.broker.count(`${BASE}/data/n`) - before >= 50, "each key's change goes out at once, not at the whole object's pace");
    assert.ok(sent >= 4 && sent <= 6, `about one a second over 5 s: ${sent}`);
    assert.equal(r.broker.last(`${BASE}/data`)?.payload, '{"temperature":21.5,"n":49}');
    assert.ok(r.broker.last(`${BASE}/data`)?.retain);
    r.iot.stop();
  });

  it("sends the status every minute", async () => {
    const r = rig();
    await r.host.clock.advance(10);
    assert.equal(r.broker.count(`${BASE}/status/info`), 1);
    await r.host.clock.advance(60_000);
    assert.equal(r.broker.count(`${BASE}/status/info`), 2);
    const info = JSON.parse(r.broker.last(`${BASE}/status/info`)?.payload ?? "{}") as Record<string, unknown>;
    assert.equal(info.uptime, 60);
    assert.equal(info.version, "1.0.0");
    assert.equal(info.ip, "192.168.1.50");
    r.iot.stop();
  });

  it("announces discovery configs Home Assistant's schemas accept, and removes one when its entry goes", async () => {
    const r = rig();
    r.mqtt.describe("temperature", { unit: "°C", deviceClass: "temperature", stateClass: "measurement" });
    await r.host.clock.advance(10);
    const configs = [...r.broker.retained.entries()].filter(([t]) => t.startsWith("homeassistant/"));
    assert.deepEqual(configs.map(([t]) => t).sort(), [
      "homeassistant/light/240ac4123456/colour/config",
      "homeassistant/number/240ac4123456/count/config",
      "homeassistant/sensor/240ac4123456/temperature/config",
      "homeassistant/switch/240ac4123456/enabled/config",
    ]);
    for (const [topic, payload] of configs) assert.deepEqual(checkDiscovery(topic.split("/")[1], JSON.parse(payload) as Record<string, unknown>), [], topic);
    const sensor = JSON.parse(r.broker.retained.get("homeassistant/sensor/240ac4123456/temperature/config") as string) as Record<string, unknown>;
    assert.equal(sensor.unit_of_measurement, "°C");
    assert.equal(sensor.unique_id, "240ac4123456_data_temperature");
    assert.deepEqual((sensor.device as Record<string, unknown>).identifiers, ["iot-manager-240ac4123456"]);
    assert.equal((sensor.device as Record<string, unknown>).configuration_url, "http://192.168.1.50/");
    r.iot.data.delete("temperature");
    await r.host.clock.advance(10);
    assert.equal(r.broker.retained.has("homeassistant/sensor/240ac4123456/temperature/config"), false);
    assert.equal(r.broker.retained.has(`${BASE}/data/temperature`), false);
    r.iot.stop();
  });

  it("applies a command, publishes the new state, and refuses bad ones naming the variable", async () => {
    const r = rig();
    await r.host.clock.advance(10);
    r.broker.send(publishPacket(`${BASE}/set/count`, "41", { qos: 1, id: 3 }));
    await r.host.clock.advance(10);
    assert.equal(r.count.value, 41);
    assert.equal(r.broker.last(`${BASE}/state/count`)?.payload, "41");
    r.broker.send(publishPacket(`${BASE}/set/count`, "4e99"));
    r.broker.send(publishPacket(`${BASE}/set/enabled`, ""));
    r.broker.send(publishPacket(`${BASE}/set/colour`, Uint8Array.of(0xc3, 0x28)));
    await r.host.clock.advance(10);
    const errors = r.broker.published.filter((p) => p.topic === `${BASE}/error`).map((p) => JSON.parse(p.payload) as Record<string, string>);
    assert.equal(errors.length, 3);
    assert.equal(errors[0].variable, "vars/count");
    assert.match(errors[0].error, /outside the 32-bit range/);
    assert.match(errors[1].error, /vars\/enabled: the payload is empty/);
    assert.match(errors[2].error, /vars\/colour: the payload is not UTF-8 text/);
    assert.equal(r.count.value, 41);
    assert.equal(r.enabled.value, false);
    assert.equal(r.colour.value, "#ff0000");
    assert.ok(r.mqtt.connected);
    r.iot.stop();
  });

  it("notices a variable changed by the app within a second", async () => {
    const r = rig();
    await r.host.clock.advance(10);
    r.enabled.value = true;
    await r.host.clock.advance(1000);
    assert.equal(r.broker.last(`${BASE}/state/enabled`)?.payload, "true");
    r.iot.stop();
  });

  it("offers a restart only when the app opts in", async () => {
    const plain = rig();
    await plain.host.clock.advance(10);
    assert.deepEqual(plain.broker.subscriptions[0].filters, [`${BASE}/set/+`, "homeassistant/status"]);
    plain.broker.send(publishPacket(`${BASE}/command/restart`, "restart"));
    await plain.host.clock.advance(2000);
    assert.equal(plain.host.restarts, 0);
    plain.iot.stop();
    const opted = rig({ restartCommand: true });
    await opted.host.clock.advance(10);
    assert.ok(opted.broker.subscriptions[0].filters.includes(`${BASE}/command/restart`));
    assert.ok(opted.broker.retained.has("homeassistant/button/240ac4123456/restart/config"));
    opted.broker.send(publishPacket(`${BASE}/command/restart`, "restart"));
    await opted.host.clock.advance(2000);
    assert.equal(opted.host.restarts, 1);
    opted.iot.stop();
  });

  it("reconnects at once when its settings change, saying offline first", async () => {
    const r = rig();
    await r.host.clock.advance(10);
    r.iot.config.set("mqtt_topic", "garden/shed");
    await r.host.clock.advance(10);
    assert.equal(r.broker.connects.length, 2);
    assert.equal(r.broker.retained.get(`${BASE}/status`), "offline");
    assert.equal(r.broker.retained.get("garden/shed/status"), "online");
    assert.equal(r.broker.retained.get("garden/shed/data/temperature"), "21.5");
    r.iot.stop();
  });

  it("refuses settings it cannot use, in plain words", () => {
    const r = rig({}, "");
    assert.throws(() => r.iot.config.set("mqtt_url", "mqtts://broker"), /needs TLS/);
    assert.throws(() => r.iot.config.set("mqtt_url", "mqtt://user:pw@broker"), /their own settings/);
    assert.throws(() => r.iot.config.set("mqtt_url", "http://broker"), /not MQTT/);
    assert.throws(() => r.iot.config.set("mqtt_topic", "a/+/b"), /\+, # or NUL/);
    assert.throws(() => r.iot.config.set("mqtt_discovery_prefix", "/ha"), /no empty levels/);
    assert.equal(r.iot.config.get("mqtt_url"), "");
    assert.deepEqual(parseBrokerUrl("mqtt://10.0.0.2"), { host: "10.0.0.2", port: 1883 });
    assert.deepEqual(parseBrokerUrl("mqtt://[::1]:1884/"), { host: "::1", port: 1884 });
    r.iot.stop();
  });

  it("shows its state, broker, base topic and last error on the page, escaped, and never the password", async () => {
    const r = rig({}, "mqtt://nowhere:1999");
    r.iot.config.update({ mqtt_password: "hunter2", mqtt_user: "<b>" });
    await r.host.clock.advance(10);
    // The card is on its own view.
    const page = bodyText(r.iot.handle(request("GET", "/?view=mqtt")));
    assert.match(page, /id="mqtt-state">retrying</);
    assert.match(page, /id="mqtt-broker">nowhere:1999</);
    assert.match(page, /id="mqtt-base">iot-123456</);
    assert.match(page, /id="mqtt-error">connection refused</);
    assert.match(page, /data-status="mqtt.state"/, "the page's script refreshes it from /api/status");
    assert.notMatch(page, /hunter2/);
    assert.notMatch(JSON.stringify(r.iot.status()), /hunter2/);
    r.iot.stop();
  });

  it("keeps topic names topic-safe, unique and deterministic", () => {
    assert.equal(topicLevel("a/b+c#d\0e"), "a_b_c_d_e");
    assert.equal(topicLevel(""), "_");
    assert.equal(topicLevel("Küche 温度"), "Küche 温度");
    assert.equal(objectId("Küche 2"), "k_che_2");
    const names = new UniqueNames(topicLevel);
    assert.deepEqual(["a/b", "a+b", "a_b", "a_b_2"].map((k) => names.name(k)), ["a_b", "a_b_2", "a_b_3", "a_b_2_2"]);
    names.release("a+b");
    assert.equal(names.name("a#b"), "a_b_2");
    assert.equal(names.name("a/b"), "a_b", "a key keeps its name");
  });

  it("takes a retained command as a command, and keeps serving HTTP while the broker is gone", async () => {
    const r = rig();
    await r.host.clock.advance(10);
    r.broker.drop();
    await r.host.clock.advance(10);
    assert.equal(r.iot.handle(request("GET", "/data")).status, 200);
    await r.host.clock.advance(2000);
    assert.ok(r.mqtt.connected, "back");
    r.broker.send(publishPacket(`${BASE}/set/count`, "9", { retain: true }));
    await settle();
    await r.host.clock.advance(10);
    assert.equal(r.count.value, 9);
    r.iot.stop();
  });
});
