/*
 * The MQTT feature against a real Mosquitto (Debian's, started here on a free loopback port with a
 * password file and an ACL), with mosquitto_sub and mosquitto_pub as the peers: state, retained
 * messages, Home Assistant discovery checked against its schema fields, commands end to end,
 * hostile payloads, a refused password, a broker restart, and the birth message.
 */

import * as assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import { checkDiscovery } from "../support/ha-discovery-schema";
import { haveMosquitto, publish, retained, startMosquitto, Subscriber, type Mosquitto, type Received } from "../support/mosquitto";
import { startDevice, type TestDevice } from "../support/mqtt-device";

function json(m: Received): Record<string, unknown> {
  return JSON.parse(m.text) as Record<string, unknown>;
}

describe("MQTT against Mosquitto", function () {
  this.timeout(60_000);
  let broker: Mosquitto;
  let device: TestDevice;

  before(async function () {
    if (!haveMosquitto()) {
      // .ci/system-packages.sh installs them; a machine without them is told so, not passed.
      throw new Error("mosquitto and mosquitto-clients are needed: apt-get install mosquitto mosquitto-clients");
    }
    broker = await startMosquitto();
    device = await startDevice({ broker });
    await device.waitFor(() => device.mqtt.connected, "connected");
  });
  after(async () => {
    device?.stop();
    await broker?.close();
  });

  it("says online (retained), publishes each data entry and the whole object retained, with topic-safe unique keys", async () => {
    const base = device.base;
    await delay(300);
    const held = await retained(broker, `${base}/#`);
    const topic = (t: string): Received | undefined => held.find((m) => m.topic === t);
    assert.equal(topic(`${base}/status`)?.text, "online");
    assert.equal(topic(`${base}/data/temperature`)?.text, "21.5");
    assert.equal(topic(`${base}/data/Key 0`)?.text, "0", "spaces are kept in a topic level");
    // a/b -> a_b (first), a+b -> a_b_2, a_b -> a_b_3, # -> _
    assert.equal(topic(`${base}/data/a_b`)?.text, "slash");
    assert.equal(topic(`${base}/data/a_b_2`)?.text, "plus");
    assert.equal(topic(`${base}/data/a_b_3`)?.text, "underscore");
    assert.equal(topic(`${base}/data/_`)?.text, "hash");
    const whole = topic(`${base}/data`);
    assert.ok(whole, "the whole data object");
    assert.deepEqual(Object.keys(json(whole)), ["temperature", "Key 0", "a/b", "a+b", "a_b", "#"]);
    const info = json(topic(`${base}/status/info`) as Received);
    assert.equal(info.version, "2.3.4");
    assert.equal(typeof info.uptime, "number");
    assert.equal(topic(`${base}/state/enabled`)?.text, "false");
    assert.equal(topic(`${base}/state/count`)?.text, "3");
    assert.equal(topic(`${base}/state/colour`)?.text, JSON.stringify({ state: "ON", color_mode: "rgb", color: { r: 255, g: 128, b: 0 } }));
  });

  it("announces every entry to Home Assistant with the fields its schema knows, retained", async () => {
    const held = await retained(broker, "homeassistant/#");
    const byComponent = new Map<string, Received[]>();
    for (const m of held) {
      const component = m.topic.split("/")[1];
      byComponent.set(component, [...(byComponent.get(component) ?? []), m]);
    }
    assert.equal(byComponent.get("sensor")?.length, 6, "one sensor per data entry");
    assert.equal(byComponent.get("switch")?.length, 1);
    assert.equal(byComponent.get("number")?.length, 3);
    assert.equal(byComponent.get("light")?.length, 1);
    assert.equal(byComponent.get("select")?.length, 1);
    assert.equal(byComponent.get("text")?.length, 2);
    const uniqueIds = new Set<string>();
    for (const m of held) {
      const [, component, nodeId, objectId, last] = m.topic.split("/");
      assert.equal(last, "config");
      const config = json(m);
      const problems = checkDiscovery(component, config);
      assert.deepEqual(problems, [], `${m.topic}: ${problems.join("; ")}`);
      assert.match(nodeId, /^[a-zA-Z0-9_-]+$/);
      assert.match(objectId, /^[a-zA-Z0-9_-]+$/);
      assert.ok(!uniqueIds.has(config.unique_id as string), `unique_id ${String(config.unique_id)} is unique`);
      uniqueIds.add(config.unique_id as string);
      assert.equal(config.availability_topic, `${device.base}/status`);
      const dev = config.device as Record<string, unknown>;
      assert.equal(dev.sw_version, "2.3.4");
      assert.equal(dev.model, "MQTT Test");
      assert.match(String(dev.configuration_url), /^http:\/\/127\.0\.0\.1\//);
    }
    const temperature = held.find((m) => m.topic.includes("/sensor/") && json(m).name === "temperature") as Received;
    assert.equal(json(temperature).unit_of_measurement, "°C");
    assert.equal(json(temperature).device_class, "temperature");
    assert.equal(json(temperature).state_topic, `${device.base}/data/temperature`);
  });

  it("takes a valid command for each kind of variable, saves it, and publishes the new state", async () => {
    const base = device.base;
    const sub = new Subscriber(broker, [`${base}/state/#`, `${base}/error`]);
    await sub.ready;
    const v = device.variables;
    publish(broker, `${base}/set/enabled`, "ON");
    publish(broker, `${base}/set/count`, "42");
    publish(broker, `${base}/set/threshold`, "22.25");
    publish(broker, `${base}/set/level`, "73");
    publish(broker, `${base}/set/colour`, JSON.stringify({ state: "ON", color: { r: 1, g: 2, b: 3 } }));
    publish(broker, `${base}/set/greeting`, "grüß dich");
    publish(broker, `${base}/set/mode`, "off");
    publish(broker, `${base}/set/settings`, '{"b":[1,2]}');
    await sub.waitFor((m) => m.topic === `${base}/state/settings` && m.text === '{"b":[1,2]}', "the json state");
    assert.equal(v.enabled.value, true);
    assert.equal(v.count.value, 42);
    assert.equal(v.threshold.value, 22.25);
    assert.equal(v.level.value, 75, "a range snaps to its step");
    assert.equal(v.colour.value, "#010203");
    assert.equal(v.greeting.value, "grüß dich");
    assert.equal(v.mode.value, "off");
    assert.deepEqual(v.settings.value, { b: [1, 2] });
    await sub.waitFor((m) => m.topic === `${base}/state/level` && m.text === "75", "the range state");
    await sub.waitFor((m) => m.topic === `${base}/state/enabled` && m.text === "true", "the switch state");
    publish(broker, `${base}/set/colour`, "OFF");
    await sub.waitFor((m) => m.topic === `${base}/state/colour` && json(m).state === "OFF", "the light off");
    assert.equal(v.colour.value, "#000000");
    await sub.stop();
    assert.equal(sub.messages.filter((m) => m.topic === `${base}/error`).length, 0, "nothing refused");
  });

  it("refuses hostile commands with a message naming the variable, and changes nothing", async () => {
    const base = device.base;
    const v = device.variables;
    const before = JSON.stringify(Object.values(v).map((x) => x.value));
    const config = JSON.stringify(device.iot.config.get("mqtt_url"));
    const sub = new Subscriber(broker, [`${base}/error`]);
    await sub.ready;
    const cases: [string, string | Buffer | null, RegExp][] = [
      ["count", "twelve", /vars\/count: cannot store "twelve" as integer/],
      ["count", null, /vars\/count: the payload is empty/],
      ["enabled", "maybe", /vars\/enabled: cannot store "maybe" as boolean/],
      ["threshold", Buffer.from([0x32, 0xff, 0xfe]), /vars\/threshold: the payload is not UTF-8 text/],
      ["mode", "sideways", /vars\/mode: "sideways" is not one of the options/],
      ["settings", "{not json", /vars\/settings: the payload is not JSON text/],
      ["colour", '{"state":"ON","color":{"r":300,"g":0,"b":0}}', /vars\/colour: cannot store/],
      ["count", Buffer.alloc(100 * 1024, 0x31), /vars\/count: a message of 1024\d\d bytes on .* was dropped: this device takes at most 4096/],
      ["wifi_password", "x", /no variable is exposed as "wifi_password"/],
      ["mqtt_url", "mqtt://evil", /no variable is exposed as "mqtt_url"/],
    ];
    // Spaced out: the device takes ten commands a second and drops the rest (the flood test).
    for (const [name, payload] of cases) {
      publish(broker, `${base}/set/${name}`, payload);
      await delay(120);
    }
    await sub.waitFor((m) => m.text.includes("mqtt_url"), "the last refusal");
    await sub.stop();
    const errors = sub.messages.map((m) => JSON.parse(m.text) as { name: string; variable?: string; error: string });
    for (const [name, , pattern] of cases) {
      const found = errors.find((e) => e.name === name && pattern.test(e.error));
      assert.ok(found, `refused ${name} with ${pattern}: ${JSON.stringify(errors)}`);
    }
    assert.equal(JSON.stringify(Object.values(v).map((x) => x.value)), before, "no variable changed");
    assert.equal(JSON.stringify(device.iot.config.get("mqtt_url")), config, "no setting changed");
    assert.ok(device.mqtt.connected, "still connected");
    const res = await fetch(`http://127.0.0.1:${(await device.iot.listening).port}/data`);
    assert.equal(res.status, 200, "the web server still serves");
  });

  it("takes a flood on its command topic without falling over: a few per second, the rest dropped and counted", async () => {
    const base = device.base;
    const sub = new Subscriber(broker, [`${base}/state/count`]);
    await sub.ready;
    // One mosquitto_pub sends 2,000 messages (-l: a line each) as fast as the broker takes them.
    const { spawnSync } = await import("node:child_process");
    const lines = Array.from({ length: 2000 }, (_, i) => String(i)).join("\n") + "\n";
    const run = spawnSync("mosquitto_pub", ["-h", "127.0.0.1", "-p", String(broker.port), "-u", "peer", "-P", "peer-secret", "-t", `${base}/set/count`, "-l", "-q", "0"], { input: lines });
    assert.equal(run.status, 0);
    await device.waitFor(() => device.lines.some((l) => /dropped \d+ MQTT command\(s\): more than 10 a second/.test(l.line)), "the drop is logged");
    assert.ok(device.mqtt.connected, "still connected");
    const status = device.iot.status().mqtt as { received: number };
    assert.ok(status.received > 0);
    await sub.stop();
  });

  it("re-announces everything when Home Assistant's birth message arrives", async () => {
    const sub = new Subscriber(broker, ["homeassistant/+/+/+/config"]);
    await sub.ready;
    await delay(300);
    const retainedCount = sub.messages.length;
    assert.ok(retainedCount >= 14);
    publish(broker, "homeassistant/status", "online");
    await sub.waitFor((m) => !m.retained, "a fresh (not retained) config");
    await delay(300);
    await sub.stop();
    assert.ok(sub.messages.filter((m) => !m.retained).length >= 14, "every config again");
  });

  it("removes a data entry's config and value (empty retained) when the entry goes", async () => {
    const base = device.base;
    device.iot.data.set("short-lived", 1);
    await delay(300);
    const id = (await retained(broker, "homeassistant/sensor/#")).find((m) => json(m).name === "short-lived")?.topic;
    assert.ok(id, "announced");
    device.iot.data.delete("short-lived");
    await delay(300);
    const after = await retained(broker, "#");
    assert.equal(after.find((m) => m.topic === id), undefined, "config removed");
    assert.equal(after.find((m) => m.topic === `${base}/data/short-lived`), undefined, "value removed");
  });

  it("comes back after the broker restarts and publishes its state again", async () => {
    await broker.restart(500);
    await device.waitFor(() => !device.mqtt.connected, "noticed the loss", 5000).catch(() => undefined);
    await device.waitFor(() => device.mqtt.connected, "reconnected", 15_000);
    await delay(300);
    const held = await retained(broker, `${device.base}/#`);
    assert.equal(held.find((m) => m.topic === `${device.base}/status`)?.text, "online");
    assert.equal(held.find((m) => m.topic === `${device.base}/data/temperature`)?.text, "21.5");
  });

  it("refuses a wrong password in plain words, keeps trying with back-off, and keeps serving", async () => {
    const wrong = await startDevice({ broker, password: "wrong" });
    try {
      await wrong.waitFor(() => /refused the user name or password|not authorized/.test(String((wrong.iot.status().mqtt as { lastError?: string }).lastError)), "the refusal");
      const status = wrong.iot.status().mqtt as { state: string; retryInMs?: number };
      assert.equal(status.state, "retrying");
      const res = await fetch(`http://127.0.0.1:${(await wrong.iot.listening).port}/?view=mqtt`);
      assert.equal(res.status, 200);
      const page = await res.text();
      assert.match(page, /id="mqtt-error">the broker (refused the user name or password|says this client is not authorized)/);
    } finally {
      wrong.stop();
    }
  });
});
