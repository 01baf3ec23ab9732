/*
 * The simulator's Host: file-backed storage in the state folder, Node's clock, node:net and
 * node:dgram sockets under the core's own HTTP server and client, a made-up but stable
 * identity. shutdown() ends everything the app started through it (timers, sockets), which is
 * what a device reset does; the state folder is what survives.
 */

import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import type { Sha256Hasher } from "../../modules/host/digest";
import type { Host } from "../../modules/host/host";
import type { LogLevel } from "../../modules/host/log";
import type { HttpLimits } from "../../modules/http/limits";
import { NodeClock } from "./clock";
import { ConsoleLog } from "./log";
import { SimulatedNetwork } from "./network";
import { SimulatedRadio } from "./radio";
import { FileStorage } from "./storage";
import { SimulatedSystem } from "./system";
import { NodeTcp } from "./tcp";
import { NODE_TEXT_CODEC } from "./text-codec";
import { NodeUdp } from "./udp";
import { NodeResolver } from "./resolver";
import { NodeWallClock } from "./wall-clock";
import { createNodeUpdater } from "./updater";

export interface NodeHostOptions {
  /** Folder for everything that persists. */
  stateDir: string;
  /** Default port of the web server (0 picks a free one). */
  port: number;
  /** Address to bind. */
  bind: string;
  /** Called when the app asks to restart. */
  onRestart: () => void;
  /** Changes to the device's HTTP limits (the default is the device's own). */
  limits?: Partial<HttpLimits>;
  /** Receives log lines instead of stdout. */
  logSink?: (level: LogLevel, line: string) => void;
  /** The simulated radio's networks file (--networks); without it the host has no radio. */
  networksFile?: string;
  /** Loopback UDP port of the captive portal's DNS server (--dns-port), 8053 by default. */
  dnsPort?: number;
  /** UDP port of the Alexa feature's SSDP responder (--ssdp-port); a free one by default. */
  ssdpPort?: number;
  /**
   * Time servers (--ntp-server): "host" (the default) is the computer's clock; HOST[:PORT]
   * entries are what the simulated network offers (as DHCP would), and the clock starts unset.
   */
  ntpServers?: readonly string[];
  /** UDP port of the mDNS responder (--mdns-port), on the bind address and its group; 5353 by default. */
  mdnsPort?: number;
}

export interface NodeHost extends Host {
  readonly clock: NodeClock;
  readonly tcp: NodeTcp;
  shutdown(): void;
}

function nodeSha256(): Sha256Hasher {
  const hash = createHash("sha256");
  const hasher: Sha256Hasher = {
    update(bytes) {
      hash.update(bytes);
      return hasher;
    },
    digest: () => new Uint8Array(hash.digest()),
  };
  return hasher;
}

export function createNodeHost(options: NodeHostOptions): NodeHost {
  mkdirSync(options.stateDir, { recursive: true });
  const clock = new NodeClock();
  const tcp = new NodeTcp({ defaultHost: options.bind });
  const udp = new NodeUdp({ defaultHost: options.bind });
  const system = new SimulatedSystem(options.stateDir, options.onRestart);
  const log = new ConsoleLog(options.logSink);
  // WiFi is simulated only when asked for: then the WiFi feature runs, as on the device.
  const radio = options.networksFile
    ? new SimulatedRadio({ clock, mac: system.info().mac, networksFile: options.networksFile, log: (level, line) => log.write(level, line) })
    : undefined;
  const storage = new FileStorage(options.stateDir);
  const ntp = options.ntpServers ?? ["host"];
  const offered = ntp.filter((s) => s !== "host");
  // 1970 plus the time the computer has been up: what an ESP32 reads before anyone sets it.
  const wallClock = new NodeWallClock({ trustHost: ntp.includes("host"), startMs: Math.round(clock.now()) });
  return {
    storage,
    clock,
    system,
    log,
    tcp,
    udp,
    text: NODE_TEXT_CODEC,
    bind: options.bind,
    // SSDP on a free port unless asked for one: simulators side by side never share 1900.
    ports: { http: options.port, dns: options.dnsPort ?? 8053, ssdp: options.ssdpPort ?? 0, mdns: options.mdnsPort ?? 5353 },
    wallClock,
    resolver: new NodeResolver(),
    httpLimits: options.limits,
    ...(radio ? { radio } : {}),
    sha256: nodeSha256,
    // Partition files in the state folder; creating the updater "boots" what otadata selects.
    updater: createNodeUpdater({ stateDir: options.stateDir, storage, sha256: nodeSha256 }),
    network: new SimulatedNetwork(options.bind === "0.0.0.0" ? "127.0.0.1" : options.bind, offered),
    shutdown(): void {
      clock.shutdown();
      tcp.shutdown();
      udp.shutdown();
      radio?.close();
    },
  };
}
