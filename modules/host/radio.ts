/*
 * Radio: the WiFi hardware as the core drives it (Moddable's wifi and net modules on the device,
 * a simulated radio fed by a networks file in the simulator, a scriptable fake in unit tests).
 *
 * The radio carries out orders and reports what happened; every decision (which network, when
 * to retry, when to open the access point) is the core's (modules/wifi/wifi-policy.ts).
 *
 * Promises every implementation keeps (tests/contract/radio-contract.ts checks them):
 * - Events are delivered later, never from inside the call that caused them, to one listener.
 * - connect() replaces whatever the station was doing: after it returns, no event of an earlier
 *   attempt or connection is delivered. An attempt ends with "got-ip" or "disconnected"; it may
 *   also never end (the device's stack can hang), so the caller keeps its own time limit.
 * - disconnect() is silent: it stops the station and no "disconnected" follows.
 * - A connection lost later is reported once, as "disconnected" with reason "lost".
 * - The access point runs alongside the station (ESP32 station+AP): opening or closing it does
 *   not disturb the station's attempt or connection, and scanning works while it is open.
 * - scan() calls back once, later, with every network seen (hidden ones included, marked), or
 *   with an error (the device refuses to scan while the station is joining a network).
 */

export interface RadioNetwork {
  ssid: string;
  /** Signal strength in dBm (negative; closer to 0 is stronger). */
  rssi: number;
  /** False for an open network. */
  secured: boolean;
  /** A network that does not broadcast its name (its ssid is then usually ""). */
  hidden: boolean;
  channel?: number;
}

/**
 * Why the station is not (or no longer) on a network:
 * - "not-found": no answer from the network (absent, out of range, or an unreported refusal).
 * - "wrong-password": the network refused the password (the 4-way handshake failed).
 * - "lost": the connection dropped after it was up.
 * - "timeout": the attempt took longer than the caller allowed (set by the caller, not a radio).
 * - "unknown": anything else the radio reports.
 */
export type DisconnectReason = "not-found" | "wrong-password" | "lost" | "timeout" | "unknown";

export type RadioEvent =
  /** Associated with the network; an address has not been assigned yet. */
  | { readonly type: "connected"; readonly ssid: string }
  /** The station has an IPv4 address: the connection is usable. */
  | { readonly type: "got-ip"; readonly ip: string }
  | { readonly type: "disconnected"; readonly reason: DisconnectReason }
  /** A client joined (true) or left (false) the access point. */
  | { readonly type: "ap-client"; readonly joined: boolean };

export type RadioListener = (event: RadioEvent) => void;

export interface StationOptions {
  ssid: string;
  /** "" for an open network. */
  password: string;
}

export interface AccessPointOptions {
  ssid: string;
  /** WPA2 password of 8..63 characters; absent or "" for an open access point. */
  password?: string;
}

export interface StationInfo {
  ssid: string;
  ip: string;
  rssi?: number;
}

export type ScanCallback = (error: Error | undefined, networks: readonly RadioNetwork[]) => void;

export interface Radio {
  /** The station MAC address, "aa:bb:cc:dd:ee:ff". */
  readonly mac: string;
  /** An access point password the maker set at build time (manifest config), if any. */
  readonly accessPointPassword?: string;
  /** Sets the one listener (undefined removes it). */
  listen(listener: RadioListener | undefined): void;
  /** Starts joining a network; see the promises above. Throws on options the radio refuses. */
  connect(options: StationOptions): void;
  /** Leaves the network or abandons the attempt, silently. */
  disconnect(): void;
  /** Opens (or renames) the access point; returns its IPv4 address. */
  openAccessPoint(options: AccessPointOptions): string;
  closeAccessPoint(): void;
  scan(callback: ScanCallback): void;
  /** The station's connection while it has an address, otherwise undefined. */
  station(): StationInfo | undefined;
  /** Stops everything and releases the hardware; the radio is unusable afterwards. */
  close(): void;
}
