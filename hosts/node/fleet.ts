/*
 * A fleet of simulated devices in one process, each its own IotManager with its own host (clock,
 * sockets, in-memory storage, MAC, hostname and so MQTT client id and base topic), all on one
 * broker: what a broker with hundreds of boards sees. Used by `npm run fleet` (fleet-start.ts)
 * and the MQTT benchmark (bench/sections/mqtt.ts).
 *
 * Each device runs the same small app: data "t" (the wall-clock time in ms, for latency),
 * "counter" and "temperature", updated ratePerSecond times a second, and two variables exposed
 * over MQTT (enabled, setpoint). Its web server listens on a free loopback port.
 */

import type { Host } from "../../modules/host/host";
import type { LogLevel } from "../../modules/host/log";
import type { Storage, StoredValue } from "../../modules/host/storage";
import { IotManager } from "../../modules/manager";
import { PersistentBoolean } from "../../modules/persistent/persistent-boolean";
import { PersistentInteger } from "../../modules/persistent/persistent-integer";
import { checkStorageName, checkStorageWrite } from "../../modules/storage/storage-rules";
import { NodeClock } from "./clock";
import { ConsoleLog } from "./log";
import { NodeTcp } from "./tcp";
import { NODE_TEXT_CODEC } from "./text-codec";

export interface FleetOptions {
  devices: number;
  /** mqtt://host[:port] */
  broker: string;
  user?: string;
  password?: string;
  /** Data updates per device per second (default 1). */
  ratePerSecond?: number;
  /** Base topic of device i: `${topicPrefix}${i}`; default each device's hostname. */
  topicPrefix?: string;
  /** Log lines of every device (default: warnings and errors only, on stdout). */
  log?: (device: number, level: LogLevel, line: string) => void;
  /** The first device's number (MACs and hostnames follow it). */
  first?: number;
}

export interface Fleet {
  readonly managers: readonly IotManager[];
  /** Devices connected to the broker now. */
  connected(): number;
  /** Messages the devices have published so far. */
  published(): number;
  stop(): void;
}

class MapStorage implements Storage {
  readonly #domains = new Map<string, Map<string, StoredValue>>();
  read(domain: string, key: string): StoredValue | undefined {
    return this.#domains.get(domain)?.get(key);
  }
  write(domain: string, key: string, value: StoredValue): void {
    checkStorageWrite(domain, key, value);
    let map = this.#domains.get(domain);
    if (!map) this.#domains.set(domain, (map = new Map()));
    map.set(key, value instanceof ArrayBuffer ? value.slice(0) : value);
  }
  remove(domain: string, key: string): void {
    checkStorageName("domain", domain);
    checkStorageName("key", key);
    this.#domains.get(domain)?.delete(key);
  }
  keys(domain: string): string[] {
    return [...(this.#domains.get(domain)?.keys() ?? [])];
  }
}

function mac(n: number): string {
  const bytes = [0x02, 0x00, (n >> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255];
  return bytes.map((b) => b.toString(16).padStart(2, "0")).join(":");
}

export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const managers: IotManager[] = [];
  const stops: (() => void)[] = [];
  const rate = options.ratePerSecond ?? 1;
  const first = options.first ?? 1;
  for (let i = 0; i < options.devices; i++) {
    const n = first + i;
    const clock = new NodeClock();
    const tcp = new NodeTcp({ defaultHost: "127.0.0.1" });
    const storage = new MapStorage();
    const log = new ConsoleLog((level, line) => {
      if (options.log) options.log(n, level, line);
      else if (level === "warn" || level === "error") process.stdout.write(`device ${n}: ${line}\n`);
    });
    const host: Host = {
      storage,
      clock,
      log,
      tcp,
      text: NODE_TEXT_CODEC,
      bind: "127.0.0.1",
      ports: { http: 0 },
      system: { info: () => ({ mac: mac(n), platform: "fleet" }), restart: () => undefined, canRestart: false },
      network: { status: () => ({ mode: "station", ssid: "fleet", ip: "127.0.0.1" }) },
    };
    const iot = new IotManager({ title: "Fleet device", version: "1.0.0" }, host);
    const mqtt = iot.mqtt;
    mqtt.expose(new PersistentBoolean("enabled", { storage, default: true }));
    mqtt.expose(new PersistentInteger("setpoint", { storage, default: 20 }));
    mqtt.describe("temperature", { unit: "°C", deviceClass: "temperature", stateClass: "measurement" });
    iot.config.update({
      mqtt_url: options.broker,
      mqtt_user: options.user ?? "",
      mqtt_password: options.password ?? "",
      mqtt_topic: options.topicPrefix ? `${options.topicPrefix}${n}` : "",
    });
    let temperature = 20 + (n % 10) / 10;
    iot.addTask(async () => {
      for (let count = 0; ; count++) {
        temperature += (Math.random() - 0.5) / 10;
        iot.data.set("t", performance.timeOrigin + performance.now());
        iot.data.set("counter", count);
        iot.data.set("temperature", Math.round(temperature * 100) / 100);
        await iot.sleep(1000 / rate);
      }
    }, "fleet");
    void iot.run();
    await iot.listening;
    managers.push(iot);
    stops.push(() => {
      iot.stop();
      clock.shutdown();
      tcp.shutdown();
    });
  }
  return {
    managers,
    connected: () => managers.filter((m) => m.mqtt.connected).length,
    published: () => managers.reduce((sum, m) => sum + Number((m.status().mqtt as { published?: number }).published ?? 0), 0),
    stop: () => {
      for (const stop of stops) stop();
    },
  };
}
