/*
 * SimulatedAir: a Radio (modules/host/radio.ts) simulated over a list of networks "on the air"
 * and a Clock. It exists for the two places that have no WiFi hardware: the simulator's radio
 * (hosts/node/radio.ts, fed by a networks file) and the unit tests' FakeRadio
 * (tests/support/fake-radio.ts, turned by the tests, on Node and inside XS). Each of them gives
 * it its own timings and adds only what is its own.
 *
 * Why here and not in modules/: it is not part of the device build. manifest.json compiles every
 * file of modules/wifi/ (and the other modules/ folders) into the firmware, and
 * tests/node/moddable-manifest.test.ts holds every file of modules/ to that. It is engine-neutral
 * all the same (plain ECMAScript, no node:, no timers but the Clock, no console), and
 * tsconfig.core.json checks it under the core's rules, because the tests that import it also run
 * on XS.
 *
 * What it promises, beyond the Radio contract, copying what the ESP32 does:
 * - Every outcome comes later, on the clock: "connected" after timing.associateMs, "got-ip"
 *   timing.dhcpMs after that; a refused password is reported at timing.wrongPasswordMs and an
 *   absent network at timing.notFoundMs. Until it reports, the device keeps retrying, so a
 *   network that comes up (or takes the password) meanwhile is joined after all.
 * - A network the station is on that leaves the air, or changes its password, is reported "lost"
 *   after timing.beaconLossMs, if it is still gone then.
 * - scan() is refused (an error, later) while the station is joining or a scan runs, as
 *   esp_wifi_scan_start is; connect() during a scan throws, as esp_wifi_connect does.
 * - The access point runs alongside the station and validates like the device: an SSID of at
 *   most 32 bytes, a password empty or 8..63 characters. Its address is 192.168.4.1.
 * - A network may never answer an attempt (`hangs`: the device's stack can hang) and may be seen
 *   by a scan more than once (`copies`: several access points with one SSID).
 * A subclass can watch the orders given (ordered()) and the ones the device would refuse
 * (refused()), and report an event of its own later (report()).
 */

import type { Clock, TimerId } from "../../modules/host/clock";
import type {
  AccessPointOptions,
  Radio,
  RadioEvent,
  RadioListener,
  RadioNetwork,
  ScanCallback,
  StationInfo,
  StationOptions,
} from "../../modules/host/radio";
import { utf8Length } from "../../modules/text/utf8";

export interface AirNetwork {
  ssid: string;
  /** "" for an open network. */
  password: string;
  /** -60 when absent. */
  rssi?: number;
  hidden?: boolean;
  /** 6 when absent. */
  channel?: number;
  /** The address this network's DHCP server hands out (192.168.1.50 when absent). */
  ip?: string;
  /** Never answers an attempt: no event at all (the stack hung). */
  hangs?: boolean;
  /** RSSI of further access points with the same SSID. */
  copies?: number[];
}

export interface AirTiming {
  associateMs: number;
  dhcpMs: number;
  wrongPasswordMs: number;
  notFoundMs: number;
  beaconLossMs: number;
  scanMs: number;
}

export interface SimulatedAirOptions {
  clock: Clock;
  mac: string;
  accessPointPassword?: string;
  timing: AirTiming;
}

export type StationState = "idle" | "joining" | "associated" | "online";

const AP_ADDRESS = "192.168.4.1";
const DHCP_ADDRESS = "192.168.1.50";

export class SimulatedAir implements Radio {
  readonly mac: string;
  readonly accessPointPassword?: string;
  /** Read at each use, so a test may change it on the way. */
  readonly timing: AirTiming;
  readonly #clock: Clock;
  #air: readonly AirNetwork[] = [];
  #listener: RadioListener | undefined;
  #state: StationState = "idle";
  #target: StationOptions | undefined;
  #ip = "";
  /** Bumped by every connect/disconnect: outcomes of older attempts are dropped. */
  #generation = 0;
  #timers = new Set<TimerId>();
  #scanning = false;
  #ap: AccessPointOptions | undefined;
  #closed = false;

  constructor(options: SimulatedAirOptions) {
    this.#clock = options.clock;
    this.mac = options.mac;
    if (options.accessPointPassword !== undefined) this.accessPointPassword = options.accessPointPassword;
    this.timing = options.timing;
  }

  /** The networks on the air now, in order. */
  get networks(): readonly AirNetwork[] {
    return this.#air;
  }

  /** The access point, while open. */
  get accessPoint(): AccessPointOptions | undefined {
    return this.#ap;
  }

  get stationState(): StationState {
    return this.#state;
  }

  /** Replaces the networks on the air; the station's network, if it left or changed its password, is lost later. */
  setNetworks(networks: readonly AirNetwork[]): void {
    this.#air = networks.map((n) => ({ ...n }));
    const target = this.#target;
    if (!this.#joined() || !target || this.#accepting(target)) return;
    const generation = this.#generation;
    this.#later(() => {
      if (generation !== this.#generation || !this.#joined() || this.#accepting(target)) return;
      this.#state = "idle";
      this.#ip = "";
      this.#emit({ type: "disconnected", reason: "lost" });
    }, this.timing.beaconLossMs);
  }

  listen(listener: RadioListener | undefined): void {
    this.#listener = listener;
  }

  connect(options: StationOptions): void {
    this.#alive();
    this.ordered(`connect ${options.ssid}`);
    if (!options.ssid) throw new Error("ssid required");
    if (utf8Length(options.ssid) > 32) throw new Error("ssid too long - 32 bytes max");
    if (utf8Length(options.password) > 64) throw new Error("password too long - 64 bytes max");
    if (this.#scanning) {
      this.refused(`connect ${options.ssid} during a scan`);
      throw new Error("esp_wifi_connect failed: scanning");
    }
    const generation = ++this.#generation;
    const target = { ssid: options.ssid, password: options.password };
    this.#state = "joining";
    this.#target = target;
    this.#ip = "";
    const current = (): boolean => generation === this.#generation;
    const join = (network: AirNetwork): void => {
      this.#state = "associated";
      this.#emit({ type: "connected", ssid: network.ssid });
      this.#later(() => {
        if (!current()) return;
        const now = this.#accepting(target);
        if (!now) {
          this.#state = "idle";
          this.#emit({ type: "disconnected", reason: "not-found" });
          return;
        }
        this.#state = "online";
        this.#ip = now.ip ?? DHCP_ADDRESS;
        this.#emit({ type: "got-ip", ip: this.#ip });
      }, this.timing.dhcpMs);
    };
    /** One look at the air: true when that decides the attempt (joined, or hung: no event ever). */
    const decided = (): boolean => {
      if (this.#find(target.ssid)?.hangs) return true;
      const network = this.#accepting(target);
      if (network) join(network);
      return !!network;
    };
    this.#later(() => {
      if (!current() || decided()) return;
      const end = this.#find(target.ssid) ? this.timing.wrongPasswordMs : this.timing.notFoundMs;
      this.#later(() => {
        // The device keeps retrying until it reports: a network that came up meanwhile is joined.
        if (!current() || decided()) return;
        this.#state = "idle";
        this.#emit({ type: "disconnected", reason: this.#find(target.ssid) ? "wrong-password" : "not-found" });
      }, Math.max(0, end - this.timing.associateMs));
    }, this.timing.associateMs);
  }

  disconnect(): void {
    this.#alive();
    this.ordered("disconnect");
    this.#generation++;
    this.#state = "idle";
    this.#ip = "";
  }

  openAccessPoint(options: AccessPointOptions): string {
    this.#alive();
    this.ordered(`ap-open ${options.ssid}`);
    if (utf8Length(options.ssid) > 32) throw new Error("ssid too long - 32 bytes max");
    const password = options.password ?? "";
    if (password !== "" && password.length < 8) throw new Error("password too short - 8 bytes min");
    if (password.length > 63) throw new Error("password too long - 64 bytes max");
    this.#ap = { ssid: options.ssid, password };
    return AP_ADDRESS;
  }

  closeAccessPoint(): void {
    this.#alive();
    this.ordered("ap-close");
    this.#ap = undefined;
  }

  scan(callback: ScanCallback): void {
    this.#alive();
    this.ordered("scan");
    const busy = this.#state === "joining" || this.#state === "associated" ? "joining" : this.#scanning ? "scanning" : "";
    if (busy) {
      this.refused(`scan while ${busy}`);
      const why = busy === "joining" ? "scan request failed" : "already scanning";
      this.#later(() => callback(new Error(why), []), 0);
      return;
    }
    this.#scanning = true;
    this.#later(() => {
      this.#scanning = false;
      const seen: RadioNetwork[] = [];
      for (const n of this.#air) {
        const ssid = n.hidden ? "" : n.ssid;
        const secured = n.password !== "";
        const hidden = !!n.hidden;
        const channel = n.channel ?? 6;
        seen.push({ ssid, rssi: n.rssi ?? -60, secured, hidden, channel });
        for (const rssi of n.copies ?? []) seen.push({ ssid, rssi, secured, hidden, channel });
      }
      callback(undefined, seen);
    }, this.timing.scanMs);
  }

  station(): StationInfo | undefined {
    if (this.#state !== "online" || !this.#target) return undefined;
    const n = this.#find(this.#target.ssid);
    return { ssid: this.#target.ssid, ip: this.#ip, ...(n ? { rssi: n.rssi ?? -60 } : {}) };
  }

  close(): void {
    this.ordered("close");
    if (this.#closed) return;
    this.#closed = true;
    for (const id of this.#timers) this.#clock.clear(id);
    this.#timers.clear();
    this.#generation++;
    this.#state = "idle";
    this.#ap = undefined;
    this.#listener = undefined;
  }

  // ---- for subclasses ----

  /** Each order as given, before it is checked: "connect Home", "disconnect", "ap-open X", "ap-close", "scan", "close". */
  protected ordered(_order: string): void {}

  /** Each order the device would have refused (refused here too). */
  protected refused(_what: string): void {}

  /** Delivers an event of the subclass's own later, on the clock (dropped by close()). */
  protected report(event: RadioEvent, ms = 0): void {
    this.#later(() => this.#emit(event), ms);
  }

  // ---- inside ----

  #joined(): boolean {
    return this.#state === "online" || this.#state === "associated";
  }

  #find(ssid: string): AirNetwork | undefined {
    // A hidden network is still joinable by name, as on a real radio.
    return this.#air.find((n) => n.ssid === ssid);
  }

  /** The target's network, if it is on the air and takes the target's password. */
  #accepting(target: StationOptions): AirNetwork | undefined {
    const n = this.#find(target.ssid);
    return n && (n.password === "" || n.password === target.password) ? n : undefined;
  }

  #alive(): void {
    if (this.#closed) throw new Error("the radio is closed");
  }

  #later(callback: () => void, ms: number): void {
    const id = this.#clock.set(() => {
      this.#timers.delete(id);
      callback();
    }, ms);
    this.#timers.add(id);
  }

  #emit(event: RadioEvent): void {
    this.#listener?.(event);
  }
}
