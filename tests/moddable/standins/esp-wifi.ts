/*
 * The stand-in ESP32's Wi-Fi: ESP-IDF's driver as the SDK's wifi module drives it, the state
 * that module keeps in C, and the air around the chip (the test's side). wifi.ts (the SDK's
 * WiFi class) and net.ts (Net.get) are the SDK-shaped API over this. Follows
 * modules/network/wifi/esp32/xs6wifi.c and modules/network/net/esp/modNet.c (SDK 8.2.3).
 *
 * The module's C state, kept as it is there (names as in xs6wifi.c):
 * - gWiFiState: -2 never initialised, 1 initialised, 2 started, 3 connecting, 4 connected,
 *   5 has an address. WiFi.mode reads -5 until it is above 0.
 * - gDisconnectReason: -1 once a disconnect had a handshake reason (MIC failure, 4-way
 *   handshake timeout, group key timeout, IE differs, handshake timeout), otherwise what it
 *   was: it is STICKY, reset to 0 only by WiFi.connect() (and deinit), not by a later success.
 * - gWiFiConnectRetryRemaining: 5 per WiFi.connect(); each disconnect while retries remain
 *   reconnects silently (no message); 0 from the moment the station associates.
 * - gWiFiCredentials: set by connect() and accessPoint(), cleared by connect() with no
 *   options (disconnect). Without credentials a disconnect is reported at once.
 * Driver events (each handled as doWiFiEvent/doIPEvent do, then posted to every WiFi object
 * with a callback): STA_START "start", STA_CONNECTED "connect", STA_DISCONNECTED "disconnect"
 * with gDisconnectReason, GOT_IP "gotIP", AP_STACONNECTED "station_connect",
 * AP_STADISCONNECTED "station_disconnect". Never "lostIP" (the module has none on ESP32).
 *
 * The air, with ESP-IDF's wifi_err_reason_t for each ending: a network not on the air ends
 * each attempt with NO_AP_FOUND (201) after a full channel scan (`timing.notFoundMs`); a
 * wrong password (or the first `handshakeFailures` attempts on a flaky network) with
 * 4WAY_HANDSHAKE_TIMEOUT (15); an association that works gives CONNECTED after associateMs
 * and an address dhcpMs later; a joined network that leaves gives BEACON_TIMEOUT (200) after
 * beaconLossMs; esp_wifi_disconnect() while joining or joined gives ASSOC_LEAVE (8) after
 * echoMs, and nothing while idle. A scan takes scanMs, lists what is on the air strongest
 * first (hidden networks only when asked, with ssid ""), and is refused ("scan request
 * failed") while the station is connecting or without station mode. The access point is
 * 192.168.4.1; its clients join and leave when the test says.
 * Not modelled: IPv6 addresses (the link-local one is taken to arrive with the IPv4 one),
 * channels and BSSIDs beyond what Net reports, WPS, power saving, Ethernet.
 */

import { machine } from "./machine";

export interface AirNetwork {
  ssid: string;
  /** "" for an open network. */
  password: string;
  rssi: number;
  channel?: number;
  hidden?: boolean;
  /** The station's address on it (default 192.168.1.50) and its DNS server. */
  ip?: string;
  dns?: string;
  /** This many attempts fail the 4-way handshake before one succeeds (a flaky router). */
  handshakeFailures?: number;
}

export const WIFI_REASON = Object.freeze({ ASSOC_LEAVE: 8, HANDSHAKE_4WAY_TIMEOUT: 15, BEACON_TIMEOUT: 200, NO_AP_FOUND: 201 });
const HANDSHAKE_REASONS: readonly number[] = Object.freeze([14, 15, 16, 17, 204]);

export const AP_ADDRESS = "192.168.4.1";
const RETRIES = 5;

export type DriverMode = "null" | "sta" | "ap" | "apsta";
export type DriverEvent = "start" | "connect" | "disconnect" | "gotIP" | "station_connect" | "station_disconnect";

/** A WiFi object that listens (wifi.ts), as gWiFi's list holds them. */
export interface WiFiListener {
  deliver(message: DriverEvent, reason?: number): void;
}

const DEFAULT_TIMING = Object.freeze({ associateMs: 1_500, dhcpMs: 700, handshakeFailMs: 700, notFoundMs: 1_300, beaconLossMs: 6_000, scanMs: 2_500, echoMs: 30 });

class EspWifi {
  // xs6wifi.c's globals.
  state = -2;
  disconnectReason = 0;
  retries = 0;
  credentials = false;
  // The driver's.
  mode: DriverMode = "null";
  staConfig: { ssid: string; password: string } | undefined;
  apConfig: { ssid: string; password: string; channel: number; max: number; hidden: boolean } | undefined;
  link: "idle" | "connecting" | "connected" | "online" = "idle";
  joined: AirNetwork | undefined;
  scan: { callback: (item: unknown) => void; hidden: boolean; cancel: () => void } | undefined;
  apClients: string[] = [];
  readonly listeners = new Set<WiFiListener>();
  // The air.
  networks: AirNetwork[] = [];
  readonly attempts = new Map<string, number>();
  timing = { ...DEFAULT_TIMING };
  /** Every esp_wifi_* call made, for tests that check what the host asked of the driver. */
  readonly calls: string[] = [];
  #pending: (() => void)[] = [];

  reset(): void {
    this.state = -2;
    this.disconnectReason = 0;
    this.retries = 0;
    this.credentials = false;
    this.mode = "null";
    this.staConfig = undefined;
    this.apConfig = undefined;
    this.link = "idle";
    this.joined = undefined;
    this.scan = undefined;
    this.apClients = [];
    this.listeners.clear();
    this.networks = [];
    this.attempts.clear();
    this.timing = { ...DEFAULT_TIMING };
    this.calls.length = 0;
    this.#cancelAll();
  }

  // ---- the test's side --------------------------------------------------------------------

  /** Puts a network on the air, or replaces the one with its SSID. */
  put(network: AirNetwork): void {
    this.networks = [...this.networks.filter((n) => n.ssid !== network.ssid), network];
  }

  /** Takes a network off the air: a station joined to it loses it after beaconLossMs. */
  remove(ssid: string): void {
    this.networks = this.networks.filter((n) => n.ssid !== ssid);
    if (this.joined?.ssid === ssid && (this.link === "connected" || this.link === "online")) {
      const network = this.joined;
      this.#later(this.timing.beaconLossMs, () => {
        if (this.joined === network && this.link !== "idle" && !this.#onAir(network.ssid)) this.#dropLink(WIFI_REASON.BEACON_TIMEOUT);
      });
    }
  }

  /** A phone joins (true) or leaves the access point. */
  apClient(mac: string, joined: boolean): boolean {
    if (!this.apUp) return false;
    if (joined) {
      if (this.apClients.includes(mac) || this.apClients.length >= (this.apConfig?.max ?? 4)) return false;
      this.apClients.push(mac);
      this.#event("station_connect");
    } else {
      if (!this.apClients.includes(mac)) return false;
      this.apClients = this.apClients.filter((m) => m !== mac);
      this.#event("station_disconnect");
    }
    return true;
  }

  get apUp(): boolean {
    return this.state > 0 && (this.mode === "ap" || this.mode === "apsta") && this.apConfig !== undefined;
  }

  get stationOn(): boolean {
    return this.state > 0 && (this.mode === "sta" || this.mode === "apsta");
  }

  get ip(): string | undefined {
    return this.link === "online" ? (this.joined?.ip ?? "192.168.1.50") : undefined;
  }

  // ---- the driver (esp_wifi_*), as xs6wifi.c calls it --------------------------------------

  init(mode: DriverMode): void {
    if (this.state > 0) return;
    this.state = 1;
    this.mode = mode;
    this.calls.push(`init ${mode}`);
    this.#start();
  }

  deinit(): void {
    if (this.state < 1) return;
    if (this.state > 1) {
      this.state = 2;
      this.disconnectReason = 0;
    }
    this.clearConfig();
    this.#cancelAll();
    this.link = "idle";
    this.joined = undefined;
    this.mode = "null";
    this.apClients = [];
    this.scan = undefined;
    this.state = 0;
  }

  setMode(mode: DriverMode): void {
    this.calls.push(`mode ${mode}`);
    const before = this.mode;
    this.mode = mode;
    const apWasUp = (before === "ap" || before === "apsta") && this.apConfig !== undefined;
    if (apWasUp && mode !== "ap" && mode !== "apsta") {
      for (let n = this.apClients.splice(0).length; n > 0; n--) this.#event("station_disconnect");
    }
    if ((before === "sta" || before === "apsta") && mode !== "sta" && mode !== "apsta" && this.link !== "idle") this.#dropLink(WIFI_REASON.ASSOC_LEAVE);
  }

  /** esp_wifi_start: the station interface reports STA_START once it runs. */
  #start(): void {
    if (this.mode === "sta" || this.mode === "apsta")
      this.#later(0, () => {
        this.state = 2;
        if (this.credentials) {
          this.retries = RETRIES;
          if (this.connect()) this.state = 3;
        }
        this.#event("start");
      });
  }

  startAccessPoint(): void {
    this.calls.push(`ap ${this.apConfig?.ssid}`);
  }

  /** esp_wifi_connect: false when the driver refuses (no station mode, no SSID configured). */
  connect(): boolean {
    this.calls.push(`connect ${this.staConfig?.ssid ?? ""}`);
    if (!this.stationOn || !this.staConfig || !this.staConfig.ssid) return false;
    this.#cancelAll();
    this.joined = undefined;
    this.link = "connecting";
    const config = this.staConfig;
    const network = this.networks.find((n) => n.ssid === config.ssid);
    if (!network) {
      this.#later(this.timing.notFoundMs, () => this.#attemptFailed(WIFI_REASON.NO_AP_FOUND));
      return true;
    }
    const tries = (this.attempts.get(network.ssid) ?? 0) + 1;
    this.attempts.set(network.ssid, tries);
    const refused = (network.password !== "" && network.password !== config.password) || tries <= (network.handshakeFailures ?? 0);
    if (refused) {
      this.#later(this.timing.handshakeFailMs, () => this.#attemptFailed(WIFI_REASON.HANDSHAKE_4WAY_TIMEOUT));
      return true;
    }
    this.#later(this.timing.associateMs, () => {
      if (!this.#onAir(network.ssid)) return this.#attemptFailed(WIFI_REASON.NO_AP_FOUND);
      this.joined = network;
      this.link = "connected";
      this.state = 4;
      this.retries = 0;
      this.#event("connect");
      this.#later(this.timing.dhcpMs, () => {
        if (this.link !== "connected" || this.joined !== network) return;
        this.link = "online";
        this.state = 5;
        this.#event("gotIP");
      });
    });
    return true;
  }

  /** esp_wifi_disconnect: an attempt or a connection ends with ASSOC_LEAVE; idle, nothing. */
  disconnect(): void {
    this.calls.push("disconnect");
    if (this.link === "idle") return;
    this.#cancelAll();
    this.link = "idle";
    this.joined = undefined;
    // The driver has posted the event already: a connect() that follows does not take it back.
    machine.after(this.timing.echoMs, () => this.#disconnected(WIFI_REASON.ASSOC_LEAVE));
  }

  /** clearConfig(): empty station config, no credentials, disconnect. */
  clearConfig(): void {
    this.staConfig = undefined;
    this.credentials = false;
    this.disconnect();
  }

  startScan(hidden: boolean, callback: (item: unknown) => void): boolean {
    this.calls.push("scan");
    if (!this.stationOn || this.link === "connecting") return false;
    const cancel = machine.after(this.timing.scanMs, () => this.#scanDone());
    this.scan = { callback, hidden, cancel };
    return true;
  }

  stopScan(): void {
    this.scan?.cancel();
    this.scan = undefined;
  }

  #scanDone(): void {
    const scan = this.scan;
    this.scan = undefined;
    if (!scan) return;
    const seen = this.networks.filter((n) => scan.hidden || !n.hidden).sort((a, b) => b.rssi - a.rssi);
    machine.post(() => {
      for (const n of seen)
        machine.call("scan callback", () =>
          scan.callback({
            ssid: n.hidden ? "" : n.ssid,
            rssi: n.rssi,
            channel: n.channel ?? 6,
            hidden: false,
            bssid: new Uint8Array([0x24, 0x0a, 0xc4, 0, 0, n.ssid.length]).buffer,
            authentication: n.password === "" ? "none" : "wpa2_psk",
          }),
        );
      machine.call("scan callback", () => scan.callback(null));
    });
  }

  #onAir(ssid: string): boolean {
    return this.networks.some((n) => n.ssid === ssid);
  }

  #attemptFailed(reason: number): void {
    if (this.link !== "connecting") return;
    this.link = "idle";
    this.#disconnected(reason);
  }

  #dropLink(reason: number): void {
    this.#cancelAll();
    this.link = "idle";
    this.joined = undefined;
    this.#disconnected(reason);
  }

  /** doWiFiEvent's WIFI_EVENT_STA_DISCONNECTED. */
  #disconnected(reason: number): void {
    this.state = 2;
    this.disconnectReason = HANDSHAKE_REASONS.includes(reason) ? -1 : this.disconnectReason;
    if (!this.credentials) this.retries = 0;
    if (this.retries > 0) {
      if (this.connect()) {
        this.retries -= 1;
        return;
      }
      this.retries = 0;
    }
    this.#event("disconnect", this.disconnectReason);
  }

  #event(message: DriverEvent, reason?: number): void {
    for (const listener of this.listeners) machine.post(() => listener.deliver(message, reason));
  }

  #later(ms: number, run: () => void): void {
    let cancel: () => void = () => undefined;
    const once = (): void => {
      this.#pending = this.#pending.filter((c) => c !== cancel);
      run();
    };
    cancel = machine.after(ms, once);
    this.#pending.push(cancel);
  }

  #cancelAll(): void {
    for (const cancel of this.#pending.splice(0)) cancel();
  }
}

export const air = new EspWifi();
