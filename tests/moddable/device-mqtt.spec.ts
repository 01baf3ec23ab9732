/*
 * Black box, part 5: MQTT and Home Assistant discovery from the device itself, against a real
 * Mosquitto (Debian's, tests/support/mosquitto.ts) on loopback, as docs/mqtt.md promises them:
 * set up through POST /api/config, `online` retained with a last will, each data entry and the
 * whole object retained, discovery configs Home Assistant accepts, a re-announce on Home
 * Assistant's birth message, and `offline` when the setting is cleared. Run by run-on-sdk.ts
 * against the Moddable simulator; the broker listens on 127.0.0.1, so a device elsewhere
 * (IOT_DEVICE_URL not on loopback) skips it, saying why.
 */

import * as assert from "node:assert/strict";
import { checkDiscovery } from "../support/ha-discovery-schema";
import { DEVICE_PASSWORD, DEVICE_USER, haveMosquitto, publish, retained, startMosquitto, Subscriber, type Mosquitto } from "../support/mosquitto";
import { device, getJson, postJson } from "./device";

const BASE = "sdk-device";

describe("device: MQTT and Home Assistant against Mosquitto", function () {
  this.timeout(60_000);
  let broker: Mosquitto | undefined;
  let watching: Subscriber | undefined;

  before(async function () {
    if (!/^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(device().url)) {
      this.skip(); // the broker below listens on loopback only
    }
    if (!haveMosquitto()) throw new Error("mosquitto and mosquitto-clients are needed: apt-get install mosquitto mosquitto-clients");
    broker = await startMosquitto();
    watching = new Subscriber(broker, [`${BASE}/#`, "homeassistant/#"]);
    await watching.ready;
    const saved = await postJson("/api/config", { mqtt_url: broker.url, mqtt_user: DEVICE_USER, mqtt_password: DEVICE_PASSWORD, mqtt_topic: BASE });
    assert.equal(saved.status, 200, saved.bytes.toString());
  });

  after(async () => {
    await watching?.stop();
    // Off again, so that a later spec (or a restart) does not look for a broker that is gone.
    if (broker) await postJson("/api/config", { mqtt_url: "" });
    await broker?.close();
  });

  it("connects and says online (retained), with its data entries and the whole object retained", async () => {
    await watching!.waitFor((m) => m.topic === `${BASE}/status` && m.text === "online", "online", 20_000);
    await watching!.waitFor((m) => m.topic === `${BASE}/data`, "the whole data object", 10_000);
    const held = await retained(broker!, `${BASE}/#`);
    const topic = (t: string): string | undefined => held.find((m) => m.topic === t)?.text;
    assert.equal(topic(`${BASE}/status`), "online");
    const data = (await getJson("/data")) as Record<string, unknown>;
    for (const [key, value] of Object.entries(data)) {
      if (/[+#/\0]/.test(key)) continue;
      assert.notEqual(topic(`${BASE}/data/${key}`), undefined, `data/${key} is retained`);
      // The demo's task changes its counter and gmt_time every 3 s; "Key 0".. stay as set.
      if (/^Key \d$/.test(key)) assert.equal(topic(`${BASE}/data/${key}`), String(value), `data/${key}`);
    }
    assert.deepEqual(Object.keys(JSON.parse(topic(`${BASE}/data`) ?? "{}") as object), Object.keys(data), "the whole object, in the device's order");
    const info = JSON.parse(topic(`${BASE}/status/info`) ?? "{}") as Record<string, unknown>;
    assert.equal(typeof info.uptime, "number", `status/info: ${JSON.stringify(info)}`);
    assert.equal(info.platform, "moddable-simulator");
    const status = await getJson("/api/status");
    assert.equal((status.mqtt as Record<string, unknown> | undefined)?.state, "connected", JSON.stringify(status.mqtt));
  });

  it("announces its entries to Home Assistant with configs its schema accepts, and again on its birth message", async () => {
    const configs = await retained(broker!, "homeassistant/#");
    assert.ok(configs.length > 0, "discovery configs, retained");
    for (const m of configs) {
      const [, component, , , last] = m.topic.split("/");
      assert.equal(last, "config", m.topic);
      const config = JSON.parse(m.text) as Record<string, unknown>;
      const problems = checkDiscovery(component, config);
      assert.deepEqual(problems, [], `${m.topic}: ${problems.join("; ")}`);
      assert.equal(config.availability_topic, `${BASE}/status`);
    }
    const before = watching!.messages.length;
    publish(broker!, "homeassistant/status", "online");
    await watching!.waitFor((m) => watching!.messages.indexOf(m) >= before && m.topic.startsWith("homeassistant/") && m.topic.endsWith("/config"), "a config again after the birth message", 10_000);
  });

  it("says offline (retained) when the broker setting is cleared", async () => {
    const before = watching!.messages.length;
    const saved = await postJson("/api/config", { mqtt_url: "" });
    assert.equal(saved.status, 200);
    await watching!.waitFor((m) => watching!.messages.indexOf(m) >= before && m.topic === `${BASE}/status` && m.text === "offline", "offline", 10_000);
    const held = await retained(broker!, `${BASE}/status`);
    assert.equal(held.find((m) => m.topic === `${BASE}/status`)?.text, "offline");
  });
});
