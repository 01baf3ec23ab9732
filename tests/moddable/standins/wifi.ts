/*
 * Stand-in of the SDK module "wifi" on ESP32 (modules/network/wifi/esp32/wifi.js and
 * xs6wifi.c, SDK 8.2.3), over the stand-in driver and air of esp-wifi.ts (which says how the
 * radio behaves and what the module's C state is).
 *
 * Kept from the SDK:
 * - new WiFi(dictionary, onNotify): connects when given a dictionary; onNotify becomes the
 *   object's `callback`, called as callback(message[, reason]) with the object as `this`, for
 *   every driver event after it was set (see esp-wifi.ts); close() stops it.
 * - WiFi.connect(options): ends what the station was doing (clearConfig, so a "disconnect"
 *   follows when it was joining or joined), then joins: "ssid required", "ssid too long - 32
 *   bytes max", "password too long - 64 bytes max", "bssid must be 6 bytes", "invalid
 *   channel", "esp_wifi_connect failed" (no station mode). WiFi.connect() and
 *   WiFi.disconnect() only end it. The driver retries 5 times before it reports.
 * - WiFi.mode: reads -5 until Wi-Fi is started, then 0 none, 1 station, 2 access point,
 *   3 both; setting 1/2/3 starts Wi-Fi in that mode or switches (the station's connection
 *   survives 3 -> 1, the access point's clients do not), 0 clears the station, -5 stops Wi-Fi,
 *   anything else throws "invalid mode".
 * - WiFi.scan(options, callback): one item per network, then null; "already scanning",
 *   "invalid" (no options object or callback), "scan request failed" (station joining, or no
 *   station mode); WiFi.scan() stops a scan, and its callback is never called.
 * - WiFi.accessPoint(options): "ssid too long - 32 bytes max", "password too long - 64 bytes
 *   max", "password too short - 8 bytes min" (so a password of "" throws too), "invalid
 *   channel"; the mode becomes 3 with station: true and 2 without, unless it already has the
 *   access point (then it stays, as the SDK leaves it). Default channel 1, max 4 clients.
 * - The statics gotIP, lostIP, connected, disconnected, station_connect, station_disconnect
 *   and Mode, as wifi.js has them.
 */

import { utf8Length } from "../../../modules/text/utf8";
import { air, type DriverEvent, type WiFiListener } from "./esp-wifi";
import { machine } from "./machine";

type Notify = (message: string, reason?: number) => void;

interface StationDictionary {
  ssid?: string;
  password?: string;
  bssid?: ArrayBuffer;
  channel?: number;
}

interface AccessPointDictionary {
  ssid: string;
  password?: string;
  channel?: number;
  hidden?: boolean;
  max?: number;
  interval?: number;
  station?: boolean;
}

export default class WiFi {
  callback: Notify | undefined;
  #listener: WiFiListener | undefined;

  constructor(dictionary?: StationDictionary, onNotify?: Notify) {
    machine.native("new WiFi");
    if (dictionary) WiFi.connect(dictionary);
    if (onNotify) this.onNotify = onNotify;
  }

  set onNotify(callback: Notify | undefined) {
    if (this.#listener) air.listeners.delete(this.#listener);
    this.#listener = undefined;
    this.callback = undefined;
    if (!callback) return;
    this.callback = callback;
    const listener: WiFiListener = {
      deliver: (message: DriverEvent, reason?: number) => {
        const notify = this.callback;
        if (!air.listeners.has(listener) || typeof notify !== "function") return;
        if (message === "disconnect") notify.call(this, message, reason);
        else notify.call(this, message);
      },
    };
    this.#listener = listener;
    air.listeners.add(listener);
  }

  close(): void {
    if (this.#listener) air.listeners.delete(this.#listener);
    this.#listener = undefined;
  }

  static set mode(mode: number) {
    machine.native("WiFi.mode");
    const m = Number(mode) | 0;
    if (m === -5) {
      air.deinit();
      return;
    }
    const driver = m === 1 ? "sta" : m === 2 ? "ap" : m === 3 ? "apsta" : m === 0 ? "null" : undefined;
    if (!driver) throw new Error("invalid mode");
    if (driver === "null") air.clearConfig();
    air.init(driver);
    air.setMode(driver);
  }

  static get mode(): number {
    if (air.state <= 0) return -5;
    return air.mode === "sta" ? 1 : air.mode === "ap" ? 2 : air.mode === "apsta" ? 3 : 0;
  }

  static scan(options?: { hidden?: boolean; channel?: number; active?: boolean }, callback?: (item: unknown) => void): void {
    air.init("sta");
    if (arguments.length === 0) return air.stopScan();
    if (air.scan) throw new Error("already scanning");
    if (arguments.length < 2 || typeof options !== "object" || options === null || typeof callback !== "function") throw new Error("invalid");
    if (!air.startScan(!!options.hidden, callback)) throw new Error("scan request failed");
  }

  static connect(dictionary?: StationDictionary): void {
    if (air.state > 1) {
      air.state = 2;
      air.disconnectReason = 0;
    }
    air.clearConfig();
    if (arguments.length === 0 || dictionary === undefined) return;
    air.init("sta");
    if (!dictionary.ssid) throw new Error("ssid required");
    const ssid = String(dictionary.ssid);
    if (utf8Length(ssid) > 32) throw new Error("ssid too long - 32 bytes max");
    const password = dictionary.password ? String(dictionary.password) : "";
    if (utf8Length(password) > 64) throw new Error("password too long - 64 bytes max");
    if (dictionary.bssid !== undefined && (!(dictionary.bssid instanceof ArrayBuffer) || dictionary.bssid.byteLength !== 6)) throw new Error("bssid must be 6 bytes");
    if (dictionary.channel !== undefined && (dictionary.channel < 1 || dictionary.channel > 13)) throw new Error("invalid channel");
    air.staConfig = { ssid, password };
    air.credentials = true;
    air.retries = 5;
    if (!air.connect()) {
      air.clearConfig();
      throw new Error("esp_wifi_connect failed");
    }
  }

  static disconnect(): void {
    WiFi.connect();
  }

  static accessPoint(dictionary: AccessPointDictionary): void {
    air.init("ap");
    const ssid = String(dictionary.ssid);
    if (utf8Length(ssid) > 32) throw new Error("ssid too long - 32 bytes max");
    let password = "";
    if ("password" in dictionary) {
      password = String(dictionary.password);
      if (utf8Length(password) > 64) throw new Error("password too long - 64 bytes max");
      if (utf8Length(password) < 8) throw new Error("password too short - 8 bytes min");
    }
    const channel = dictionary.channel ?? 1;
    if (channel < 1 || channel > 13) throw new Error("invalid channel");
    if (air.mode !== "ap" && air.mode !== "apsta") air.setMode(dictionary.station ? "apsta" : "ap");
    air.apConfig = { ssid, password, channel, max: dictionary.max ?? 4, hidden: !!dictionary.hidden };
    air.credentials = true;
    air.startAccessPoint();
  }

  static close(): void {
    throw new Error("use WiFi.disconnect()");
  }

  static readonly Mode = Object.freeze({ off: -5, none: 0, station: 1, accessPoint: 2 });
  static readonly gotIP = "gotIP";
  static readonly lostIP = "lostIP";
  static readonly connected = "connect";
  static readonly disconnected = "disconnect";
  static readonly station_connect = "station_connect";
  static readonly station_disconnect = "station_disconnect";
}
