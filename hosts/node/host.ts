/*
 * The simulator's Host: file-backed storage in the state folder, Node's clock and HTTP server,
 * a made-up but stable identity. shutdown() ends everything the app started through it (timers,
 * servers), which is what a device reset does; the state folder is what survives.
 */

import { mkdirSync } from "node:fs";
import type { Host } from "../../modules/host/host";
import type { LogLevel } from "../../modules/host/log";
import { NodeClock } from "./clock";
import { NodeHttpServer } from "./http-server";
import { ConsoleLog } from "./log";
import { SimulatedNetwork } from "./network";
import { FileStorage } from "./storage";
import { SimulatedSystem } from "./system";

export interface NodeHostOptions {
  /** Folder for everything that persists. */
  stateDir: string;
  /** Default port of the web server (0 picks a free one). */
  port: number;
  /** Address to bind. */
  bind: string;
  /** Called when the app asks to restart. */
  onRestart: () => void;
  /** Receives log lines instead of stdout. */
  logSink?: (level: LogLevel, line: string) => void;
}

export interface NodeHost extends Host {
  readonly clock: NodeClock;
  readonly http: NodeHttpServer;
  shutdown(): void;
}

export function createNodeHost(options: NodeHostOptions): NodeHost {
  mkdirSync(options.stateDir, { recursive: true });
  const clock = new NodeClock();
  const http = new NodeHttpServer({ port: options.port, host: options.bind });
  return {
    storage: new FileStorage(options.stateDir),
    clock,
    system: new SimulatedSystem(options.stateDir, options.onRestart),
    log: new ConsoleLog(options.logSink),
    http,
    network: new SimulatedNetwork(options.bind === "0.0.0.0" ? "127.0.0.1" : options.bind),
    shutdown(): void {
      clock.shutdown();
      http.shutdown();
    },
  };
}
