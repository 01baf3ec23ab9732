/*
 * Host: everything the core needs from the machine it runs on, in one object.
 *
 * Each host (hosts/moddable, hosts/node) builds one and binds it with bindHost() in its boot
 * module, before the app (main.ts) runs; the manager takes boundHost() unless a test hands it a
 * host directly. Optional parts are features a host may lack (the simulator has no OTA flash
 * until it provides a file-backed one).
 */

import type { Clock } from "./clock";
import type { Sha256Factory } from "./digest";
import type { DnsServer } from "./dns-server";
import type { HttpClient } from "./http-client";
import type { HttpServer } from "./http-server";
import type { Log } from "./log";
import type { Network } from "./network";
import type { Radio } from "./radio";
import type { Storage } from "./storage";
import type { System } from "./system";
import type { Updater } from "./updater";

export interface Host {
  readonly storage: Storage;
  readonly clock: Clock;
  readonly system: System;
  readonly log: Log;
  readonly http: HttpServer;
  /** SHA-256 from the host's fastest source; the core's plain-JavaScript one when absent. */
  readonly sha256?: Sha256Factory;
  /** The network as the device has it; the WiFi feature, when present, reports instead. */
  readonly network?: Network;
  /** The WiFi radio; when present the manager runs the WiFi feature (modules/wifi). */
  readonly radio?: Radio;
  /** The captive portal's DNS server, started while the access point is open. */
  readonly dns?: DnsServer;
  /** The app partitions; with httpClient, the manager runs the OTA feature (modules/ota). */
  readonly updater?: Updater;
  /** Plain-HTTP downloads (the OTA image). */
  readonly httpClient?: HttpClient;
}

// The binding lives on the global object under a registered symbol, not in a module variable:
// a realm runs one device, even when a loader instantiates this module twice (Node's CommonJS
// and ESM loaders both do, under mocha with tsx).
const BOUND = Symbol.for("iot-manager.host");

export function bindHost(host: Host): void {
  (globalThis as Record<symbol, Host | undefined>)[BOUND] = host;
}

export function boundHost(): Host {
  const host = (globalThis as Record<symbol, Host | undefined>)[BOUND];
  if (!host) throw new Error("no host bound: start the app through a host's boot module");
  return host;
}
