/*
 * WifiPolicy: the rules that keep a device reachable, driven only by radio events and the
 * Clock, so the same code runs on the device and under a virtual clock in tests.
 *
 * - No network configured: the access point opens (the captive portal), and stays open.
 * - Networks configured (primary, then fallback): join the primary; when it is absent or
 *   refuses, try the fallback, then alternate. A short pause separates the two networks of a
 *   round; a back-off separates rounds (5 s, 10 s, 20 s, then every 30 s). It never gives up.
 * - An attempt that reports nothing within attemptTimeoutMs is abandoned (the device's stack
 *   can hang) and counts as a failure ("timeout").
 * - No configured network has answered for portalAfterMs (45 s) since boot or since the
 *   connection was lost: the access point opens alongside the station, which keeps retrying.
 *   When a network answers, the station joins it and the access point closes after
 *   apCloseGraceMs (so the person on the portal can read the outcome). This is what brings a
 *   device back unattended after a power cut in which the router boots slower than it does.
 * - Connection lost later: the same network is retried first, soon, then the same rules.
 * - reconfigure() (new settings saved) drops the current attempt and tries the new primary at
 *   once; with `trial`, the outcome of that first attempt is kept for the page to show.
 * - Scans never overlap a join attempt (the device refuses to scan while joining): a scan asked
 *   for during an attempt runs when it ends, and an attempt due during a scan waits for it.
 * - stop() clears every timer, leaves the network, closes the access point.
 */

import type { Clock, TimerId } from "../host/clock";
import type { NetworkMode, NetworkStatus } from "../host/network";
import type {
  AccessPointOptions,
  DisconnectReason,
  Radio,
  RadioEvent,
  RadioNetwork,
  StationOptions,
} from "../host/radio";
import type { Logger } from "../log/logger";
import { errorText } from "../log/logger";

export const WIFI_TIMING = Object.freeze({
  /** Longest a join attempt may take before it is abandoned (Moddable's example uses 30 s). */
  attemptTimeoutMs: 30_000,
  /** Pause before the next network of the same round, and before retrying a lost connection. */
  switchDelayMs: 2_000,
  /** Back-off after the first failed round; doubles each round up to retryMaxMs. */
  retryBaseMs: 5_000,
  retryMaxMs: 30_000,
  /** No configured network for this long: open the access point alongside the station. */
  portalAfterMs: 45_000,
  /** Once a network answers, the access point stays this long so the portal can show it. */
  apCloseGraceMs: 15_000,
  /** A scan that has not reported by then is given up (the next one may work). */
  scanTimeoutMs: 15_000,
});

export type WifiTiming = { -readonly [K in keyof typeof WIFI_TIMING]: number };

export type TrialOutcome = "trying" | "connected" | DisconnectReason;

/** The outcome of the first attempt after settings were saved, for the page. */
export interface WifiTrial {
  readonly ssid: string;
  readonly outcome: TrialOutcome;
  /** The station's new address when connected. */
  readonly ip?: string;
}

export interface WifiPolicyOptions {
  radio: Radio;
  clock: Clock;
  accessPoint: AccessPointOptions;
  timing?: Partial<WifiTiming>;
  log?: Logger;
  /** Called when the access point opens (with its address) and when it closes. */
  onAccessPoint?: (open: boolean, address: string) => void;
  /** Called after anything network() reports may have changed (mode, address, SSID). */
  onChange?: () => void;
}

export interface WifiDetails {
  readonly accessPoint: {
    readonly open: boolean;
    readonly ssid: string;
    readonly address: string;
    readonly secured: boolean;
    readonly clients: number;
    /** Milliseconds until it closes, when a network has answered and it is about to. */
    readonly closesInMs?: number;
  };
  /** The network being joined, when an attempt is under way. */
  readonly trying?: string;
  /** Milliseconds until the next attempt, while waiting. */
  readonly nextAttemptInMs?: number;
  readonly trial?: WifiTrial;
}

type Phase = "stopped" | "portal" | "connecting" | "waiting" | "online";

type ScanWaiter = (error: Error | undefined, networks: readonly RadioNetwork[]) => void;

function sameNetwork(a: StationOptions | undefined, b: StationOptions | undefined): boolean {
  return !!a && !!b && a.ssid === b.ssid && a.password === b.password;
}

export class WifiPolicy {
  readonly #radio: Radio;
  readonly #clock: Clock;
  readonly #timing: Readonly<WifiTiming>;
  readonly #log: Logger | undefined;
  readonly #onAccessPoint: ((open: boolean, address: string) => void) | undefined;
  readonly #onChange: (() => void) | undefined;
  #ap: AccessPointOptions;

  #phase: Phase = "stopped";
  #networks: StationOptions[] = [];
  /** Index into #networks of the network being tried or joined. */
  #index = 0;
  /** Failed rounds since the last success, for the back-off. */
  #round = 0;
  #online: StationOptions | undefined;
  #ip = "";
  #lastReason: DisconnectReason | undefined;
  #trial: WifiTrial | undefined;

  #apOpen = false;
  #apAddress = "";
  #apClients = 0;

  #attemptTimer: TimerId | undefined;
  #retryTimer: TimerId | undefined;
  #retryAt = 0;
  #portalTimer: TimerId | undefined;
  #closeTimer: TimerId | undefined;
  #closeAt = 0;

  #scanning = false;
  #scanToken = 0;
  #scanTimer: TimerId | undefined;
  /** Who waits for the scan under way (none held between scans). */
  #scanWaiters: ScanWaiter[] | undefined;
  /** An attempt fell due while a scan ran: start it when the scan ends. */
  #attemptAfterScan = false;

  constructor(options: WifiPolicyOptions) {
    this.#radio = options.radio;
    this.#clock = options.clock;
    // The preloaded table unless a test changes it.
    this.#timing = options.timing ? { ...WIFI_TIMING, ...options.timing } : WIFI_TIMING;
    this.#log = options.log;
    this.#onAccessPoint = options.onAccessPoint;
    this.#onChange = options.onChange;
    this.#ap = { ...options.accessPoint };
  }

  /** Starts the policy with the configured networks (primary first; empty SSIDs are ignored). */
  start(networks: readonly StationOptions[]): void {
    if (this.#phase !== "stopped") throw new Error("the WiFi policy is already running");
    this.#radio.listen((event) => this.onEvent(event));
    this.#phase = "waiting";
    this.apply(networks, false);
  }

  /** New settings: drop what the station is doing and try the new primary now. */
  reconfigure(networks: readonly StationOptions[], options: { trial?: boolean } = {}): void {
    if (this.#phase === "stopped") return;
    this.apply(networks, options.trial ?? false);
  }

  stop(): void {
    if (this.#phase === "stopped") return;
    this.#phase = "stopped";
    this.clearStationTimers();
    this.#clock.clear(this.#portalTimer);
    this.#portalTimer = undefined;
    this.#clock.clear(this.#closeTimer);
    this.#closeTimer = undefined;
    this.endScan(new Error("WiFi stopped"), []);
    this.#radio.listen(undefined);
    this.#radio.disconnect();
    this.#online = undefined;
    this.#ip = "";
    if (this.#apOpen) this.closeAccessPoint();
    this.changed();
  }

  private changed(): void {
    this.#onChange?.();
  }

  /** Scans when the radio is free; callback runs once, later. */
  scan(callback: ScanWaiter): void {
    if (this.#phase === "stopped") {
      this.#clock.set(() => callback(new Error("WiFi stopped"), []), 0);
      return;
    }
    (this.#scanWaiters ??= []).push(callback);
    if (!this.#scanning && this.#phase !== "connecting") this.startScan();
  }

  get scanning(): boolean {
    return this.#scanning;
  }

  get accessPointOpen(): boolean {
    return this.#apOpen;
  }

  get accessPointAddress(): string {
    return this.#apAddress;
  }

  get accessPointName(): string {
    return this.#ap.ssid;
  }

  /** The station's address while it is online, else "". */
  get stationIp(): string {
    return this.#phase === "online" ? this.#ip : "";
  }

  /** Mode, SSID, IP, RSSI and last disconnect reason, for GET /api/status and the page. */
  network(): NetworkStatus {
    const online = this.#phase === "online";
    let mode: NetworkMode;
    if (this.#phase === "stopped" || (this.#phase === "portal" && !this.#apOpen)) mode = "offline";
    else if (this.#apOpen) mode = this.#networks.length || online ? "ap+station" : "ap";
    else mode = online ? "station" : "connecting";
    const out: NetworkStatus = {
      mode,
      ssid: online ? (this.#online?.ssid ?? "") : this.#phase === "connecting" ? (this.#networks[this.#index]?.ssid ?? "") : "",
      ip: online ? this.#ip : this.#apOpen ? this.#apAddress : "",
    };
    if (online) {
      const rssi = this.stationRssi();
      if (rssi !== undefined) out.rssi = rssi;
    }
    if (this.#lastReason) out.lastDisconnectReason = this.#lastReason;
    return out;
  }

  details(): WifiDetails {
    const now = this.#clock.now();
    const accessPoint: WifiDetails["accessPoint"] = {
      open: this.#apOpen,
      ssid: this.#ap.ssid,
      address: this.#apAddress,
      secured: !!this.#ap.password,
      clients: this.#apClients,
      ...(this.#closeTimer !== undefined ? { closesInMs: Math.max(0, Math.round(this.#closeAt - now)) } : {}),
    };
    return {
      accessPoint,
      ...(this.#phase === "connecting" ? { trying: this.#networks[this.#index]?.ssid } : {}),
      ...(this.#retryTimer !== undefined ? { nextAttemptInMs: Math.max(0, Math.round(this.#retryAt - now)) } : {}),
      ...(this.#trial ? { trial: this.#trial } : {}),
    };
  }

  private stationRssi(): number | undefined {
    try {
      return this.#radio.station()?.rssi;
    } catch {
      return undefined;
    }
  }

  private apply(networks: readonly StationOptions[], trial: boolean): void {
    const list: StationOptions[] = [];
    for (const n of networks)
      if (n.ssid !== "" && !list.some((m) => sameNetwork(m, n))) list.push({ ssid: n.ssid, password: n.password });
    this.#networks = list;
    this.#round = 0;
    this.#index = 0;

    if (!list.length) {
      this.#trial = undefined;
      this.clearStationTimers();
      this.#clock.clear(this.#portalTimer);
      this.#portalTimer = undefined;
      this.#clock.clear(this.#closeTimer);
      this.#closeTimer = undefined;
      this.#radio.disconnect();
      this.#online = undefined;
      this.#ip = "";
      this.#phase = "portal";
      this.#log?.info("no WiFi network configured: opening the access point");
      if (!this.#apOpen) this.openAccessPoint();
      this.resumeScan();
      this.changed();
      return;
    }

    if (this.#phase === "online" && sameNetwork(this.#online, list[0])) {
      // Already on the (unchanged) primary: nothing to try; a trial is simply a success.
      if (trial) this.#trial = { ssid: list[0].ssid, outcome: "connected", ip: this.#ip };
      return;
    }

    this.#trial = trial ? { ssid: list[0].ssid, outcome: "trying" } : undefined;
    this.clearStationTimers();
    if (this.#phase === "online" || this.#phase === "connecting") this.#radio.disconnect();
    this.#online = undefined;
    this.#ip = "";
    this.#clock.clear(this.#closeTimer);
    this.#closeTimer = undefined;
    this.#phase = "waiting";
    if (!this.#apOpen) this.armPortal();
    this.attempt();
    this.changed();
  }

  private clearStationTimers(): void {
    this.#clock.clear(this.#attemptTimer);
    this.#attemptTimer = undefined;
    this.#clock.clear(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#attemptAfterScan = false;
  }

  private armPortal(): void {
    if (this.#portalTimer !== undefined) return;
    this.#portalTimer = this.#clock.set(() => {
      this.#portalTimer = undefined;
      if (this.#phase === "online" || this.#phase === "stopped" || this.#apOpen) return;
      this.#log?.warn(`no configured network answered for ${Math.round(this.#timing.portalAfterMs / 1000)} s: opening the access point, still retrying`);
      this.openAccessPoint();
    }, this.#timing.portalAfterMs);
  }

  private attempt(): void {
    this.#retryTimer = undefined;
    if (this.#phase === "stopped" || this.#phase === "portal") return;
    if (this.#scanning) {
      this.#attemptAfterScan = true;
      return;
    }
    const network = this.#networks[this.#index];
    if (!network) return;
    this.#phase = "connecting";
    this.#log?.info(`joining "${network.ssid}"`);
    this.changed();
    this.#attemptTimer = this.#clock.set(() => {
      this.#attemptTimer = undefined;
      this.#radio.disconnect();
      this.failed("timeout");
    }, this.#timing.attemptTimeoutMs);
    try {
      this.#radio.connect(network);
    } catch (e) {
      this.#log?.error(`joining "${network.ssid}" failed at once: ${errorText(e)}`);
      this.#clock.clear(this.#attemptTimer);
      this.#attemptTimer = undefined;
      this.failed("unknown");
    }
  }

  private onEvent(event: RadioEvent): void {
    switch (event.type) {
      case "connected":
        if (this.#phase === "connecting") this.#log?.debug(`associated with "${event.ssid}"`);
        return;
      case "got-ip":
        if (this.#phase === "connecting") this.joined(event.ip);
        // A DHCP renewal may hand out another address while online: status and the portal's
        // same-network rule must follow it.
        else if (this.#phase === "online" && event.ip !== this.#ip) {
          this.#log?.info(`address changed to ${event.ip}`);
          this.#ip = event.ip;
          this.changed();
        }
        return;
      case "disconnected":
        if (this.#phase === "connecting") {
          this.#clock.clear(this.#attemptTimer);
          this.#attemptTimer = undefined;
          this.failed(event.reason);
        } else if (this.#phase === "online") this.lost(event.reason);
        // In any other phase it belongs to an attempt already abandoned: ignore it.
        return;
      case "ap-client":
        this.#apClients = Math.max(0, this.#apClients + (event.joined ? 1 : -1));
        return;
    }
  }

  private joined(ip: string): void {
    this.#clock.clear(this.#attemptTimer);
    this.#attemptTimer = undefined;
    const network = this.#networks[this.#index];
    this.#phase = "online";
    this.#online = network;
    this.#ip = ip;
    this.#round = 0;
    this.#clock.clear(this.#portalTimer);
    this.#portalTimer = undefined;
    this.#log?.info(`joined "${network.ssid}" as ${ip}`);
    if (this.#trial?.outcome === "trying" && this.#trial.ssid === network.ssid) this.#trial = { ssid: network.ssid, outcome: "connected", ip };
    if (this.#apOpen && this.#closeTimer === undefined) {
      this.#closeAt = this.#clock.now() + this.#timing.apCloseGraceMs;
      this.#closeTimer = this.#clock.set(() => {
        this.#closeTimer = undefined;
        if (this.#phase === "online" && this.#apOpen) this.closeAccessPoint();
      }, this.#timing.apCloseGraceMs);
    }
    this.resumeScan();
    this.changed();
  }

  private failed(reason: DisconnectReason): void {
    const network = this.#networks[this.#index];
    this.#lastReason = reason;
    this.#log?.warn(`"${network?.ssid}" did not answer: ${reason}`);
    if (network && this.#trial?.outcome === "trying" && this.#trial.ssid === network.ssid) this.#trial = { ssid: network.ssid, outcome: reason };
    this.#phase = "waiting";
    const count = this.#networks.length;
    const next = count ? (this.#index + 1) % count : 0;
    let delay = this.#timing.switchDelayMs;
    if (next === 0) {
      this.#round++;
      delay = Math.min(this.#timing.retryBaseMs * 2 ** Math.min(this.#round - 1, 20), this.#timing.retryMaxMs);
    }
    this.#index = next;
    this.scheduleAttempt(delay);
    this.resumeScan();
    this.changed();
  }

  private lost(reason: DisconnectReason): void {
    this.#lastReason = reason;
    this.#log?.warn(`lost "${this.#online?.ssid}": ${reason}`);
    this.#online = undefined;
    this.#ip = "";
    this.#phase = "waiting";
    this.#round = 0;
    // The access point stays if it was about to close; otherwise it opens after the usual wait.
    this.#clock.clear(this.#closeTimer);
    this.#closeTimer = undefined;
    if (!this.#apOpen) this.armPortal();
    this.scheduleAttempt(this.#timing.switchDelayMs);
    this.changed();
  }

  private scheduleAttempt(delay: number): void {
    this.#clock.clear(this.#retryTimer);
    this.#retryAt = this.#clock.now() + delay;
    this.#retryTimer = this.#clock.set(() => this.attempt(), delay);
  }

  private openAccessPoint(): void {
    try {
      this.#apAddress = this.#radio.openAccessPoint(this.#ap);
      this.#apOpen = true;
      this.#apClients = 0;
      this.#log?.info(`access point "${this.#ap.ssid}" open at ${this.#apAddress}`);
    } catch (e) {
      // Without the access point nobody can reach an unconfigured device: keep trying.
      this.#log?.error(`the access point failed to open: ${errorText(e)}`);
      this.#clock.clear(this.#portalTimer);
      this.#portalTimer = this.#clock.set(() => {
        this.#portalTimer = undefined;
        if (!this.#apOpen && this.#phase !== "online" && this.#phase !== "stopped") this.openAccessPoint();
      }, this.#timing.retryMaxMs);
      return;
    }
    this.#onAccessPoint?.(true, this.#apAddress);
    this.changed();
  }

  private closeAccessPoint(): void {
    this.#apOpen = false;
    this.#apClients = 0;
    try {
      this.#radio.closeAccessPoint();
    } catch (e) {
      this.#log?.error(`the access point failed to close: ${errorText(e)}`);
    }
    this.#log?.info(`access point "${this.#ap.ssid}" closed`);
    this.#onAccessPoint?.(false, this.#apAddress);
    this.changed();
  }

  private resumeScan(): void {
    if (this.#scanWaiters?.length && !this.#scanning && this.#phase !== "connecting") this.startScan();
  }

  private startScan(): void {
    this.#scanning = true;
    const token = ++this.#scanToken;
    this.#scanTimer = this.#clock.set(() => {
      this.#scanTimer = undefined;
      if (token === this.#scanToken) this.endScan(new Error("the scan did not finish"), []);
    }, this.#timing.scanTimeoutMs);
    try {
      this.#radio.scan((error, networks) => {
        if (token === this.#scanToken && this.#scanning) this.endScan(error, networks);
      });
    } catch (e) {
      // The device throws at once when it cannot scan; report it later, as the promise says.
      const error = e instanceof Error ? e : new Error(String(e));
      this.#clock.set(() => {
        if (token === this.#scanToken && this.#scanning) this.endScan(error, []);
      }, 0);
    }
  }

  private endScan(error: Error | undefined, networks: readonly RadioNetwork[]): void {
    this.#scanToken++;
    this.#scanning = false;
    this.#clock.clear(this.#scanTimer);
    this.#scanTimer = undefined;
    const waiters = this.#scanWaiters ?? [];
    this.#scanWaiters = undefined;
    for (const waiter of waiters) {
      try {
        waiter(error, networks);
      } catch (e) {
        this.#log?.error(`scan callback failed: ${errorText(e)}`);
      }
    }
    if (this.#attemptAfterScan) {
      this.#attemptAfterScan = false;
      if (this.#phase === "waiting" && this.#retryTimer === undefined) this.attempt();
    }
  }
}
