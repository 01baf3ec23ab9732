/*
 * ModdableRadio: the device's Radio (modules/host/radio.ts) over Moddable's `wifi` and `net`
 * modules on ESP32 (SDK 8.2.3, modules/network/wifi/esp32/xs6wifi.c), keeping the contract
 * tests/contract/radio-contract.ts checks elsewhere. It cannot run here (it needs an ESP32's
 * WiFi stack); the unit tests' FakeRadio copies the behaviour described below.
 *
 * What the ESP32 does, and what this module does about it:
 * - Modes: WiFi.mode 1 is station, 3 station + access point. The station is switched on at
 *   construction and stays on; the access point is always opened with {station: true} (mode 3,
 *   so scans and joins keep working: ESP32 refuses to scan in AP-only mode) and closed by going
 *   back to mode 1, which leaves the station's connection alone.
 * - Messages: "connect" (associated), "gotIP", "disconnect" with a code, "station_connect" and
 *   "station_disconnect" (AP clients). The code is -1 when the password was refused (4-way
 *   handshake failures) and 0 for everything else; the driver has already retried 5 times. So a
 *   0 before association is reported "not-found", a disconnect after the address "lost" whatever
 *   its code: the SDK keeps -1 once one attempt's handshake failed, even after a good retry.
 * - WiFi.disconnect() (and the disconnect WiFi.connect() does first) is echoed later by a
 *   "disconnect" message. To keep disconnect() silent and keep old news out of a new attempt,
 *   a stop is followed by a drain: the echo is swallowed (or 2 s pass) before the next attempt
 *   starts. Messages while idle are ignored.
 * - WiFi.scan() throws while joining ("scan request failed") or scanning ("already scanning");
 *   both are reported to the callback, later. Items end with null; `authentication` "none" is
 *   an open network; hidden networks are not listed (show_hidden is off).
 * - The access point's address is fixed by the SDK (192.168.4.1); Net.get("IP", "ap") says so.
 * - The maker's access point password comes from the manifest's config, key wifi_ap_password
 *   ("config": {"wifi_ap_password": "..."} or `mcconfig ... wifi_ap_password=...`).
 * Do not build with config.ssid set: the SDK's setup/network would join that network before
 * the app starts and hold the boot until it answers.
 */

import WiFi from "wifi";
import Net from "net";
import config from "mc/config";
import type { Clock, TimerId } from "../../modules/host/clock";
import type {
  AccessPointOptions,
  DisconnectReason,
  Radio,
  RadioEvent,
  RadioListener,
  RadioNetwork,
  ScanCallback,
  StationInfo,
  StationOptions,
} from "../../modules/host/radio";
import { utf8Length } from "../../modules/text/utf8";
import type { NetInfo } from "./types/net";

/** The wifi module as it behaves at run time (the typings lack `station`, mode 3, the code). */
interface WiFiInstance {
  close(): void;
}
interface ScanItem {
  ssid: string;
  rssi: number;
  channel?: number;
  hidden?: boolean;
  authentication?: string;
}
interface WiFiModule {
  new (options: undefined, callback: (message: string, code?: number) => void): WiFiInstance;
  mode: number;
  connect(options: { ssid: string; password?: string }): void;
  disconnect(): void;
  accessPoint(options: { ssid: string; password?: string; station?: boolean; max?: number }): void;
  scan(options: { hidden?: boolean }, callback: (item: ScanItem | null) => void): void;
}

const MODE_STATION = 1;
const AP_ADDRESS = "192.168.4.1";
/** How long to wait for the echo of a stop before starting the next attempt anyway. */
const DRAIN_MS = 2_000;
/** Scan items kept at most (a crowded street lists dozens; the heap is small). */
const SCAN_MAX = 48;

type Phase = "idle" | "draining" | "joining" | "associated" | "online";

export interface ModdableRadioOptions {
  clock: Clock;
  /** The station MAC (the system's, read from eFuse). */
  mac: string;
  /** Overrides the manifest's wifi_ap_password. */
  accessPointPassword?: string;
}

export class ModdableRadio implements Radio {
  readonly mac: string;
  readonly accessPointPassword?: string;
  readonly #clock: Clock;
  readonly #wifi: WiFiModule;
  readonly #net: NetInfo;
  readonly #instance: WiFiInstance;
  #listener: RadioListener | undefined;
  #phase: Phase = "idle";
  #target: StationOptions | undefined;
  #pending: StationOptions | undefined;
  #drainTimer: TimerId | undefined;
  #ip = "";
  #scanning = false;
  #apOpen = false;
  #closed = false;

  constructor(options: ModdableRadioOptions) {
    this.#clock = options.clock;
    this.#wifi = WiFi as unknown as WiFiModule;
    this.#net = Net as unknown as NetInfo;
    this.mac = options.mac.toLowerCase();
    const password = options.accessPointPassword ?? (config as Record<string, unknown>).wifi_ap_password;
    if (typeof password === "string" && password !== "") this.accessPointPassword = password;
    this.#instance = new this.#wifi(undefined, (message, code) => this.#onMessage(message, code));
    this.#wifi.mode = MODE_STATION;
  }

  listen(listener: RadioListener | undefined): void {
    this.#listener = listener;
  }

  connect(options: StationOptions): void {
    this.#alive();
    if (!options.ssid) throw new Error("ssid required");
    if (utf8Length(options.ssid) > 32) throw new Error("ssid too long - 32 bytes max");
    if (utf8Length(options.password) > 64) throw new Error("password too long - 64 bytes max");
    if (this.#scanning) throw new Error("cannot join while scanning");
    const target = { ssid: options.ssid, password: options.password };
    if (this.#phase === "idle") return this.#start(target);
    this.#pending = target;
    if (this.#phase !== "draining") this.#stop();
  }

  disconnect(): void {
    this.#alive();
    this.#pending = undefined;
    if (this.#phase !== "idle" && this.#phase !== "draining") this.#stop();
  }

  openAccessPoint(options: AccessPointOptions): string {
    this.#alive();
    if (utf8Length(options.ssid) > 32) throw new Error("ssid too long - 32 bytes max");
    const password = options.password ?? "";
    if (password !== "" && (password.length < 8 || password.length > 63)) throw new Error("the access point password must be 8 to 63 characters");
    // station: true keeps the station running alongside (mode 3); max 4 clients, the default.
    this.#wifi.accessPoint(password ? { ssid: options.ssid, password, station: true, max: 4 } : { ssid: options.ssid, station: true, max: 4 });
    this.#apOpen = true;
    return this.#net.get("IP", "ap") ?? AP_ADDRESS;
  }

  closeAccessPoint(): void {
    this.#alive();
    if (!this.#apOpen) return;
    this.#apOpen = false;
    this.#wifi.mode = MODE_STATION;
  }

  scan(callback: ScanCallback): void {
    this.#alive();
    if (this.#scanning || this.#phase === "joining" || this.#phase === "associated" || this.#phase === "draining") {
      const why = this.#scanning ? "already scanning" : "scan request failed: the station is joining";
      this.#clock.set(() => callback(new Error(why), []), 0);
      return;
    }
    const seen: RadioNetwork[] = [];
    this.#scanning = true;
    try {
      this.#wifi.scan({ hidden: false }, (item) => {
        if (item) {
          if (seen.length < SCAN_MAX)
            seen.push({
              ssid: item.ssid ?? "",
              rssi: item.rssi,
              secured: item.authentication !== "none",
              hidden: !item.ssid || item.hidden === true,
              channel: item.channel,
            });
          return;
        }
        this.#scanning = false;
        callback(undefined, seen);
      });
    } catch (e) {
      this.#scanning = false;
      const error = e instanceof Error ? e : new Error(String(e));
      this.#clock.set(() => callback(error, []), 0);
    }
  }

  station(): StationInfo | undefined {
    if (this.#phase !== "online" || !this.#target) return undefined;
    const rssi = this.#net.get("RSSI");
    return { ssid: this.#target.ssid, ip: this.#net.get("IP", "station") ?? this.#ip, ...(rssi !== undefined ? { rssi } : {}) };
  }

  close(): void {
    if (this.#closed) return;
    this.#listener = undefined;
    this.#pending = undefined;
    this.#clock.clear(this.#drainTimer);
    this.#drainTimer = undefined;
    if (this.#phase !== "idle") this.#wifi.disconnect();
    this.#phase = "idle";
    if (this.#apOpen) this.#wifi.mode = MODE_STATION;
    this.#apOpen = false;
    this.#instance.close();
    this.#closed = true;
  }

  #alive(): void {
    if (this.#closed) throw new Error("the radio is closed");
  }

  #start(target: StationOptions): void {
    this.#target = target;
    this.#ip = "";
    this.#phase = "joining";
    try {
      this.#wifi.connect(target.password ? { ssid: target.ssid, password: target.password } : { ssid: target.ssid });
    } catch {
      // "esp_wifi_connect failed": report it as the attempt's end, later, like any other.
      this.#phase = "idle";
      this.#clock.set(() => this.#emit({ type: "disconnected", reason: "unknown" }), 0);
    }
  }

  /** Stops the station and waits for the stop's echo before anything else starts. */
  #stop(): void {
    this.#phase = "draining";
    this.#ip = "";
    this.#wifi.disconnect();
    this.#clock.clear(this.#drainTimer);
    this.#drainTimer = this.#clock.set(() => {
      this.#drainTimer = undefined;
      this.#drained();
    }, DRAIN_MS);
  }

  #drained(): void {
    this.#clock.clear(this.#drainTimer);
    this.#drainTimer = undefined;
    const next = this.#pending;
    this.#pending = undefined;
    this.#phase = "idle";
    if (next) this.#start(next);
  }

  #onMessage(message: string, code?: number): void {
    if (this.#closed) return;
    switch (message) {
      case "connect":
        if (this.#phase === "joining") {
          this.#phase = "associated";
          this.#emit({ type: "connected", ssid: this.#target?.ssid ?? "" });
        }
        return;
      case "gotIP":
        if (this.#phase === "joining" || this.#phase === "associated") {
          this.#phase = "online";
          this.#ip = this.#net.get("IP", "station") ?? "";
          this.#emit({ type: "got-ip", ip: this.#ip });
        }
        return;
      case "disconnect":
      case "lostIP": {
        const phase = this.#phase;
        if (phase === "draining") return this.#drained();
        if (phase === "idle") return;
        // The SDK's -1 is sticky (gDisconnectReason is only reset by WiFi.connect()): once one
        // attempt's handshake failed, a loss after a successful retry comes with -1 too. So -1
        // means a refused password only while the station is still joining.
        let reason: DisconnectReason;
        if (phase === "online") reason = "lost";
        else if (code === -1) reason = "wrong-password";
        else if (phase === "joining") reason = "not-found";
        else reason = "unknown";
        // An address lost without a disconnect leaves the driver associated: stop it cleanly.
        if (message === "lostIP") this.#wifi.disconnect();
        this.#phase = "idle";
        this.#ip = "";
        this.#emit({ type: "disconnected", reason });
        return;
      }
      case "station_connect":
        this.#emit({ type: "ap-client", joined: true });
        return;
      case "station_disconnect":
        this.#emit({ type: "ap-client", joined: false });
        return;
    }
  }

  #emit(event: RadioEvent): void {
    this.#listener?.(event);
  }
}
