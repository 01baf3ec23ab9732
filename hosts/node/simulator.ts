/*
 * The simulated device: binds a Node host and runs the app (main.ts by default) on it, the way
 * the device's boot module does. restart() is the device's restart: everything the app started
 * is shut down, and the app runs again from the top on the same port over the same state
 * folder. Used by `npm start` and by the black-box tests.
 */

import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { bindHost } from "../../modules/host/host";
import type { LogLevel } from "../../modules/host/log";
import type { HttpLimits } from "../../modules/http/limits";
import { createNodeHost, type NodeHost } from "./host";

export interface SimulatorOptions {
  port?: number;
  bind?: string;
  stateDir: string;
  /** The app module to run; main.ts at the repository root by default. */
  app?: string;
  logSink?: (level: LogLevel, line: string) => void;
  /** Changes to the device's HTTP limits. */
  limits?: Partial<HttpLimits>;
  /** Simulate WiFi with the networks in this file (see hosts/node/radio.ts). */
  networksFile?: string;
  /** Loopback UDP port of the captive portal's DNS server. */
  dnsPort?: number;
  /** UDP port of the Alexa feature's SSDP responder (a free one when absent). */
  ssdpPort?: number;
  /** Time servers: "host" (the default: the computer's clock) or HOST[:PORT] entries. */
  ntpServers?: readonly string[];
  /** UDP port of the mDNS responder (5353 by default). */
  mdnsPort?: number;
}

export interface Simulator {
  readonly url: string;
  readonly port: number;
  /** How many times the app has booted. */
  readonly boots: number;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const DEFAULT_APP = resolve(import.meta.dirname, "../../main.ts");
/** Boots in this process, across simulators: each boot needs a module URL never imported before. */
let processBoots = 0;

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const bind = options.bind ?? "127.0.0.1";
  const app = pathToFileURL(options.app ?? DEFAULT_APP).href;
  let port = options.port ?? 8080;
  let host: NodeHost | undefined;
  let boots = 0;
  let restarting: Promise<void> | undefined;
  let stopped = false;

  async function boot(): Promise<void> {
    host = createNodeHost({
      stateDir: options.stateDir,
      port,
      bind,
      logSink: options.logSink,
      limits: options.limits,
      networksFile: options.networksFile,
      dnsPort: options.dnsPort,
      ssdpPort: options.ssdpPort,
      ntpServers: options.ntpServers,
      mdnsPort: options.mdnsPort,
      onRestart: () => {
        sim.restart().catch((e: unknown) => {
          // A reboot that fails (the port taken, the app throwing) leaves the device off.
          const line = `ERROR simulator: restart failed: ${e instanceof Error ? e.message : String(e)}`;
          if (options.logSink) options.logSink("error", line);
          else process.stderr.write(`${line}\n`);
        });
      },
    });
    bindHost(host);
    boots++;
    // A fresh module instance per boot: the app's top level runs again, as after a reset. An app
    // may `await iot.run()` at its top level, which never settles: the boot is done once the
    // app's web server serves, not once the module has finished loading.
    const tcp = host.tcp;
    const loading = import(`${app}?boot=${++processBoots}`);
    const served = await Promise.race([tcp.firstListening, loading.then(() => tcp.whenListening())]);
    port = served.port;
  }

  const sim: Simulator = {
    get url() {
      return `http://${bind.includes(":") ? `[${bind}]` : bind}:${port}`;
    },
    get port() {
      return port;
    },
    get boots() {
      return boots;
    },
    restart(): Promise<void> {
      if (stopped) return Promise.resolve();
      restarting ??= (async () => {
        host?.shutdown();
        await boot();
      })().finally(() => (restarting = undefined));
      return restarting;
    },
    async stop(): Promise<void> {
      stopped = true;
      // A restart under way would otherwise start a server after this stop has returned.
      await restarting?.catch(() => undefined);
      host?.shutdown();
      host = undefined;
    },
  };
  await boot();
  return sim;
}
