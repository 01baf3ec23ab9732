/*
 * Every built-in feature, running on a host that has every part (radio, UDP, partitions, a
 * wall clock), takes all of its listeners off when the manager stops: none is left on any
 * event, with a broker set for MQTT (which then also listens to network and data) and the
 * Alexa lamp exposed. Features take their listeners off with events.off() instead of holding
 * unsubscribes, so this is what says that nothing was forgotten. Runs on Node and on XS.
 */

import type { ManagerEvents } from "../../modules/events";
import { IotManager } from "../../modules/manager";
import { PersistentBoolean } from "../../modules/persistent/persistent-boolean";
import { SlotUpdater } from "../../hosts/simulated/slot-updater";
import * as assert from "../support/assert";
import { FakeRadio } from "../support/fake-radio";
import { MemoryStorage } from "../support/memory-storage";
import { MemoryUdp } from "../support/memory-udp";
import { MemoryPartitions } from "../support/ota-fakes";
import { createTestHost } from "../support/test-host";
import { VirtualWallClock } from "../support/virtual-wall-clock";

const NAMES: readonly (keyof ManagerEvents)[] = ["network", "clock", "data", "config", "answer", "serving", "status", "task"];

describe("features at stop", () => {
  it("leave no listener on any event", async () => {
    const base = createTestHost();
    const radio = new FakeRadio(base.clock, { mac: base.system.info().mac });
    radio.put({ ssid: "Home", password: "correct horse", rssi: -50, ip: "192.168.1.23" });
    const host = Object.assign(base, {
      radio,
      udp: new MemoryUdp(),
      wallClock: new VirtualWallClock(base.clock, 0),
      updater: new SlotUpdater({ store: new MemoryPartitions(32 * 1024), storage: new MemoryStorage(), factory: { project: "xs_esp32", version: "1.0.0" } }),
    });
    const iot = new IotManager({ title: "Every feature", version: "1.0.0" }, host);
    iot.config.update({ wifi_ssid: "Home", wifi_password: "correct horse", mqtt_url: "mqtt://192.168.1.9" });
    iot.alexa.expose("Desk lamp", { on: new PersistentBoolean("lamp", { default: false }) });
    void iot.run();
    await host.clock.advance(60_000);
    const running = iot.status().features as string[] | undefined;
    const listening = NAMES.filter((name) => iot.events.has(name));
    assert.ok(listening.length >= 4, `features listen while running: ${listening.join(", ")} (${String(running)})`);
    iot.stop();
    assert.deepEqual(NAMES.filter((name) => iot.events.has(name)), [], "no listener left after stop()");
  });
});
