/*
 * SimulatedRadio: the simulator's WiFi radio. The networks "on the air" (ssid, password, rssi,
 * and optionally hidden, channel and the address their DHCP hands out) come from a JSON file
 * given with --networks FILE, re-read whenever it changes, so a test or a person can take the
 * router away, bring it back, or change its password while the simulated device runs.
 *
 *   { "networks": [ { "ssid": "Home", "password": "correct horse", "rssi": -50 },
 *                   { "ssid": "Cafe", "password": "", "rssi": -72 } ] }      (or just the array)
 *
 * The radio itself is hosts/simulated/simulated-air.ts (shared with the unit tests' FakeRadio):
 * it keeps the Radio contract (modules/host/radio.ts) the way the device does, on the host's
 * Clock, with outcomes later, a network that leaves or changes its password "lost" after a beacon
 * timeout, and scans refused while the station joins. This file adds what only the simulator
 * needs: shorter delays than an ESP32's (so tests stay quick), reading and watching the file, and
 * logging. The access point is only a flag and an address (192.168.4.1, as on ESP32): the
 * simulator's web server is what its "clients" reach.
 * A file that cannot be read or parsed keeps the previous networks and is reported once.
 */

import { readFileSync, statSync } from "node:fs";
import type { Clock } from "../../modules/host/clock";
import type { LogLevel } from "../../modules/host/log";
import type { AccessPointOptions } from "../../modules/host/radio";
import { SimulatedAir, type AirNetwork, type AirTiming } from "../simulated/simulated-air";

/** A network as the networks file describes it (parseNetworks fills in the defaults). */
export interface SimulatedNetwork extends Omit<AirNetwork, "hangs" | "copies"> {
  rssi: number;
}

export const SIMULATED_RADIO_TIMING: Readonly<AirTiming> = Object.freeze({
  associateMs: 300,
  dhcpMs: 200,
  wrongPasswordMs: 900,
  notFoundMs: 1_500,
  beaconLossMs: 1_000,
  scanMs: 500,
});

export interface SimulatedRadioOptions {
  clock: Clock;
  mac: string;
  /** The networks file; without it the air holds what setNetworks() puts there. */
  networksFile?: string;
  /** How often the file is checked for changes, in ms. */
  watchIntervalMs?: number;
  timing?: Partial<AirTiming>;
  accessPointPassword?: string;
  log?: (level: LogLevel, line: string) => void;
}

/** Reads a networks document; throws with a message that says what is wrong. */
export function parseNetworks(text: string): SimulatedNetwork[] {
  const doc: unknown = JSON.parse(text);
  const list = Array.isArray(doc) ? doc : (doc as { networks?: unknown } | null)?.networks;
  if (!Array.isArray(list)) throw new Error('expected an array of networks, or {"networks": [...]}');
  return list.map((item: unknown, i): SimulatedNetwork => {
    const n = item as Record<string, unknown> | null;
    if (!n || typeof n !== "object") throw new Error(`network ${i} is not an object`);
    if (typeof n.ssid !== "string" || Buffer.byteLength(n.ssid, "utf8") > 32) throw new Error(`network ${i}: ssid must be a string of at most 32 bytes`);
    if (n.password !== undefined && typeof n.password !== "string") throw new Error(`network ${i}: password must be a string`);
    if (n.rssi !== undefined && (typeof n.rssi !== "number" || !Number.isFinite(n.rssi))) throw new Error(`network ${i}: rssi must be a number`);
    if (n.ip !== undefined && (typeof n.ip !== "string" || !/^\d{1,3}(\.\d{1,3}){3}$/.test(n.ip))) throw new Error(`network ${i}: ip must be an IPv4 address`);
    return {
      ssid: n.ssid,
      password: (n.password as string | undefined) ?? "",
      rssi: (n.rssi as number | undefined) ?? -60,
      hidden: n.hidden === true,
      channel: typeof n.channel === "number" ? n.channel : 6,
      ...(typeof n.ip === "string" ? { ip: n.ip } : {}),
    };
  });
}

export class SimulatedRadio extends SimulatedAir {
  readonly #file: string | undefined;
  readonly #log: ((level: LogLevel, line: string) => void) | undefined;
  #poll: ReturnType<typeof setInterval> | undefined;
  /** The file's identity, size and time when it was last read. */
  #stamp = "";
  #fileProblem = "";

  constructor(options: SimulatedRadioOptions) {
    super({
      clock: options.clock,
      mac: options.mac,
      // An empty password is no password: the property stays absent.
      accessPointPassword: options.accessPointPassword || undefined,
      timing: { ...SIMULATED_RADIO_TIMING, ...options.timing },
    });
    this.#log = options.log;
    this.#file = options.networksFile;
    if (this.#file) {
      this.#reload();
      // Polling, not fs.watch: it survives editors that replace the file, and missing files. Not
      // fs.watchFile either: its first look is taken later, so a change made just after this read
      // (a test writing the file at once) went unseen; this compares with what was read.
      this.#poll = setInterval(() => {
        if (this.#stampOf() !== this.#stamp) this.#reload();
      }, options.watchIntervalMs ?? 250);
      this.#poll.unref();
    }
  }

  override openAccessPoint(options: AccessPointOptions): string {
    const address = super.openAccessPoint(options);
    this.#log?.("info", `INFO [radio] simulated access point "${options.ssid}" (${options.password ? "WPA2" : "open"}) at ${address}`);
    return address;
  }

  override closeAccessPoint(): void {
    const open = this.accessPoint;
    super.closeAccessPoint();
    if (open) this.#log?.("info", `INFO [radio] simulated access point "${open.ssid}" closed`);
  }

  override close(): void {
    clearInterval(this.#poll);
    this.#poll = undefined;
    super.close();
  }

  #stampOf(): string {
    try {
      const s = statSync(this.#file!);
      return `${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch {
      return "missing";
    }
  }

  #reload(): void {
    if (!this.#file) return;
    this.#stamp = this.#stampOf();
    let networks: SimulatedNetwork[];
    try {
      networks = parseNetworks(readFileSync(this.#file, "utf8"));
    } catch (e) {
      const problem = e instanceof Error ? e.message : String(e);
      const missing = (e as { code?: string }).code === "ENOENT";
      if (problem !== this.#fileProblem) {
        const what = missing ? "is missing: no network on the air" : `cannot be used (${problem}): keeping the previous networks`;
        this.#log?.("warn", `WARN [radio] networks file ${this.#file} ${what}`);
        this.#fileProblem = problem;
      }
      if (missing) this.setNetworks([]);
      return;
    }
    this.#fileProblem = "";
    this.#log?.("info", `INFO [radio] networks on the air: ${networks.map((n) => JSON.stringify(n.ssid)).join(", ") || "none"}`);
    this.setNetworks(networks);
  }
}
