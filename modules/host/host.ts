/*
 * Host: everything the core needs from the machine it runs on, in one object.
 *
 * Each host (hosts/moddable, hosts/node) builds one and binds it with bindHost() in its boot
 * module, before the app (main.ts) runs; the manager takes boundHost() unless a test hands it a
 * host directly. Optional parts are what a host may lack (the Moddable simulator has no radio
 * and no OTA partitions); a feature that needs one is left out where it is missing.
 */

import type { Clock } from "./clock";
import type { Sha256Factory } from "./digest";
import type { Log } from "./log";
import type { Network } from "./network";
import type { Radio } from "./radio";
import type { Storage } from "./storage";
import type { System } from "./system";
import type { Tcp } from "./tcp";
import type { TextCodec } from "./text-codec";
import type { Udp } from "./udp";
import type { Updater } from "./updater";
import type { Resolver } from "./resolver";
import type { WallClock } from "./wall-clock";

/** Where a host serves the well-known services (the simulator moves them off privileged ports). */
/**
 * The web server's budgets a host may change (the simulator's --max-connections and
 * --request-timeout), named as in modules/http/limits.ts, which has them all.
 */
export interface HttpBudget {
  readonly maxConnections?: number;
  readonly requestTimeoutMs?: number;
  readonly headersTimeoutMs?: number;
}

export interface ServicePorts {
  /** The web server: 80 on the device unless the build says otherwise (manifest config http_port). */
  readonly http?: number;
  /** The captive portal's DNS: 53. */
  readonly dns?: number;
  /** SSDP, where the Alexa feature answers Hue bridge searches: 1900. */
  readonly ssdp?: number;
  /** mDNS (multicast 224.0.0.251): 5353. */
  readonly mdns?: number;
}

export interface Host {
  readonly storage: Storage;
  readonly clock: Clock;
  readonly system: System;
  readonly log: Log;
  /** Stream sockets: the web server and the HTTP client run over them. */
  readonly tcp: Tcp;
  /** Datagram sockets (the captive portal's DNS), where the host has them. */
  readonly udp?: Udp;
  /** Ports of the services, where the host does not use the standard ones. */
  readonly ports?: ServicePorts;
  /** Address the services bind (the simulator's --host); the device binds every interface. */
  readonly bind?: string;
  /** Changes to the web server's limits (the simulator's --max-connections); the device's own when absent. */
  readonly httpLimits?: HttpBudget;
  /** UTF-8 from the host's fastest source; the core's plain-JavaScript codec when absent. */
  readonly text?: TextCodec;
  /** SHA-256 from the host's fastest source; the core's plain-JavaScript one when absent. */
  readonly sha256?: Sha256Factory;
  /** The network as the device has it; the WiFi feature, when present, reports instead. */
  readonly network?: Network;
  /** The WiFi radio; with it (and udp for the portal's DNS) the WiFi feature runs (modules/wifi). */
  readonly radio?: Radio;
  /** The app partitions; with them the OTA feature runs (modules/ota). */
  readonly updater?: Updater;
  /** The calendar clock and how to set it; the core keeps an offset over Date when absent. */
  readonly wallClock?: WallClock;
  /** Host names to addresses (SNTP servers given by name); only addresses work when absent. */
  readonly resolver?: Resolver;
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
