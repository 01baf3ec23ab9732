/*
 * The simulator (`npm start`, its own process, the demo app) on a real Mosquitto: configured
 * through POST /api/config like a user would, it says online; killed with SIGKILL (no DISCONNECT,
 * no goodbye), the broker publishes its will: offline, retained. Started again on the same state
 * folder, it is online again.
 */

import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEVICE_PASSWORD, DEVICE_USER, haveMosquitto, retained, startMosquitto, Subscriber, type Mosquitto } from "../support/mosquitto";
import { startSimulatorProcess } from "../support/simulator-process";

describe("simulator: the MQTT will on a killed device", function () {
  this.timeout(60_000);
  let broker: Mosquitto;
  let stateDir: string;

  before(async function () {
    if (!haveMosquitto()) throw new Error("mosquitto and mosquitto-clients are needed: apt-get install mosquitto mosquitto-clients");
    broker = await startMosquitto();
    stateDir = mkdtempSync(join(tmpdir(), "iot-mqtt-will-"));
  });
  after(async () => {
    await broker?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("goes offline (retained) when killed, and online again when it boots", async () => {
    const sim = await startSimulatorProcess({ stateDir });
    let hostname = "";
    try {
      const res = await fetch(`${sim.url}/api/config`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ mqtt_url: broker.url, mqtt_user: DEVICE_USER, mqtt_password: DEVICE_PASSWORD }),
      });
      assert.equal(res.status, 200, await res.text());
      hostname = String(((await (await fetch(`${sim.url}/api/status`)).json()) as { hostname: string }).hostname);
      await sim.waitForLine(/\[mqtt\] connected to/);
      const sub = new Subscriber(broker, [`${hostname}/status`]);
      await sub.ready;
      await sub.waitFor((m) => m.text === "online", "online");
      await sub.waitFor(() => true, "anything");
      const status = (await (await fetch(`${sim.url}/api/status`)).json()) as { mqtt: { state: string; baseTopic: string } };
      assert.equal(status.mqtt.state, "connected");
      assert.equal(status.mqtt.baseTopic, hostname);
      await sim.stop("SIGKILL");
      const will = await sub.waitFor((m) => m.text === "offline", "the will");
      assert.equal(will.topic, `${hostname}/status`);
      await sub.stop();
      const held = await retained(broker, `${hostname}/status`);
      assert.equal(held[0]?.text, "offline", "the will is retained");
    } finally {
      await sim.stop("SIGKILL");
    }
    const again = await startSimulatorProcess({ stateDir });
    try {
      await again.waitForLine(/\[mqtt\] connected to/);
      const sub = new Subscriber(broker, [`${hostname}/status`]);
      await sub.ready;
      await sub.waitFor((m) => m.text === "online", "online after the boot");
      await sub.stop();
    } finally {
      await again.stop();
    }
  });
});
