/*
 * The XS side of the MQTT memory test (tests/xs/mqtt-memory.test.ts): a manager on in-memory
 * host parts, with the MQTT feature left out, in but off (no broker set), or connected to the
 * scripted broker on the same MemoryTcp; and a broker that floods the device's command topic.
 * One command per xsnap crank, so the parent can snapshot the heap between any two steps.
 *
 *   {op: "boot", mode: "none" | "off" | "on"}  a manager with the demo's five data entries (and,
 *                                              "on", one exposed variable), run, a minute passed
 *   {op: "flood", n, bytes}                    the broker sends n PUBLISH of `bytes` to <base>/set/count
 *   {op: "forget"}                             the broker drops its records (the test's memory); says what it still has to send
 *   {op: "tick", ms}                           virtual time passes
 *   {op: "state"}                              {connected, published, received, count}
 *   {op: "drop"}                               the manager stopped and let go of
 *   {op: "gc"}                                 a full collection (its crank's meter: live slots)
 */

import { IotManager } from "../../modules/manager";
import { PersistentInteger } from "../../modules/persistent/persistent-integer";
import { MemoryBroker, publishPacket } from "../support/memory-broker";
import { MemoryStorage } from "../support/memory-storage";
import { MemoryTcp } from "../support/memory-tcp";
import { VirtualClock } from "../support/virtual-clock";
import { serveCommands } from "./memory-app-commands";

interface Command {
  op: string;
  mode?: "none" | "off" | "on";
  n?: number;
  bytes?: number;
  ms?: number;
}

let iot: IotManager | undefined;
let broker: MemoryBroker | undefined;
let clock: VirtualClock | undefined;
let count: PersistentInteger | undefined;

function run(command: Command): unknown {
  switch (command.op) {
    case "boot": {
      clock = new VirtualClock();
      const tcp = new MemoryTcp();
      const storage = new MemoryStorage();
      const host = {
        storage,
        clock,
        log: { write: () => undefined },
        system: { info: () => ({ mac: "24:0a:c4:12:34:56", platform: "xs" }), restart: () => undefined },
        tcp,
        network: { status: () => ({ mode: "station" as const, ssid: "Home", ip: "192.168.1.50" }) },
      };
      iot = new IotManager(command.mode === "none" ? { mqtt: false } : {}, host);
      for (let i = 0; i < 5; i++) iot.data.set(`Key ${i}`, `${i}`);
      if (command.mode === "on") {
        broker = new MemoryBroker(tcp);
        count = new PersistentInteger("count", { storage });
        iot.mqtt.expose(count);
        iot.config.set("mqtt_url", "mqtt://broker");
      }
      void iot.run();
      void clock.advance(60_000);
      return { ok: true };
    }
    case "tick":
      void clock?.advance(command.ms ?? 1000);
      return { ok: true };
    case "flood": {
      const payload = new Uint8Array(command.bytes ?? 10).fill(0x31);
      for (let i = 0; i < (command.n ?? 1); i++) broker?.send(publishPacket("iot-123456/set/count", payload, { qos: 1, id: (i % 60000) + 1 }));
      void clock?.advance(2000);
      return { ok: true };
    }
    case "forget":
      // After the flood's crank has run to its end: the broker's records are the test's memory, not the device's.
      broker?.forget();
      return { ok: true, pending: broker?.pendingBytes };
    case "state": {
      const status = (iot?.status().mqtt ?? {}) as Record<string, unknown>;
      return { ok: true, connected: iot?.mqtt.connected ?? false, published: status.published, received: status.received, count: count?.value };
    }
    case "drop":
      iot?.stop();
      iot = undefined;
      broker = undefined;
      clock = undefined;
      count = undefined;
      return { ok: true };
    default:
      throw new Error(`unknown command ${command.op}`);
  }
}

serveCommands(run);
