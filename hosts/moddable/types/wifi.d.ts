/*
 * The Moddable `wifi` module as it behaves at run time on ESP32 (SDK 8.2.3,
 * modules/network/wifi/esp32/wifi.js and xs6wifi.c), where @moddable/typings gets it wrong.
 * A module-form file: the device's radio casts the SDK's WiFi class to WiFiClass once.
 *
 * Corrections over typings/wifi.d.ts:
 * - The access point statics are WiFi.station_connect / WiFi.station_disconnect (the typings
 *   say station_connected / station_disconnected, which are undefined at run time). The
 *   simulator's wifi.js has neither.
 * - accessPoint() accepts `station: true` (keep station mode alongside the access point).
 * - mode reads 3 with station and access point both up, and -5 while Wi-Fi is off (never
 *   started, or turned off); it reads without starting Wi-Fi.
 * - The callback also receives "start"; "disconnect" comes with a reason (-1: the password was
 *   rejected, otherwise 0). ESP32 never sends "lostIP".
 * - Scan items carry channel and hidden (ESP32 always says hidden: false; a hidden network has
 *   ssid ""); modes the module does not name (WPA3 among them) read as "wpa_wpa2_psk", and
 *   authentication is absent only for an out-of-range mode. The scan ends with null on ESP32,
 *   undefined in the simulator.
 *   scan() with no arguments stops a scan.
 */

export type WiFiMessage =
  | "start"
  | "connect"
  | "gotIP"
  | "lostIP"
  | "disconnect"
  | "station_connect"
  | "station_disconnect";

export type WiFiCallback = (message: WiFiMessage, reason?: number) => void;

export interface WiFiStationOptions {
  ssid: string;
  password?: string;
  /** 6 bytes. */
  bssid?: ArrayBuffer;
  /** 1..13. */
  channel?: number;
}

export interface WiFiAccessPointOptions {
  /** At most 32 bytes. */
  ssid: string;
  /** 8..64 bytes; absent for an open access point. */
  password?: string;
  /** 1..13, default 1. */
  channel?: number;
  hidden?: boolean;
  /** Stations allowed at once, default 4. */
  max?: number;
  /** Beacon interval in ms, default 100. */
  interval?: number;
  /** Keep station mode alongside the access point (ESP32: WIFI_MODE_APSTA). */
  station?: boolean;
}

export interface WiFiScanOptions {
  hidden?: boolean;
  channel?: number;
  active?: boolean;
}

export interface WiFiScanItem {
  ssid: string;
  rssi: number;
  channel: number;
  hidden: boolean;
  /** 6 bytes. */
  bssid: ArrayBuffer;
  authentication?: "none" | "wep" | "wpa_psk" | "wpa2_psk" | "wpa_wpa2_psk";
}

export interface WiFiInstance {
  close(): void;
  onNotify: WiFiCallback | undefined;
}

export interface WiFiClass {
  new (options: WiFiStationOptions | undefined, callback?: WiFiCallback): WiFiInstance;
  /** -5 off, 0 none, 1 station, 2 access point, 3 both. */
  mode: -5 | 0 | 1 | 2 | 3;
  /** Throws "already scanning", or "scan request failed" (e.g. while the station is joining). */
  scan(options: WiFiScanOptions, callback: (item: WiFiScanItem | null | undefined) => void): void;
  /** Stops the scan under way. */
  scan(): void;
  /** No options: disconnect. */
  connect(options?: WiFiStationOptions): void;
  disconnect(): void;
  accessPoint(options: WiFiAccessPointOptions): void;
  readonly gotIP: "gotIP";
  readonly lostIP: "lostIP";
  readonly connected: "connect";
  readonly disconnected: "disconnect";
  readonly station_connect: "station_connect";
  readonly station_disconnect: "station_disconnect";
}
