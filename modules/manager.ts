/*
 * IotManager: the framework's central object, the one an app's main.ts creates.
 *
 *   const iot = new IotManager({ title: "Greenhouse", useCss: true, otaUrl, debug: true });
 *   iot.configAdd({ "60_CUSTOM_CONFIG": "Counter" });
 *   iot.data.set("Key 0", "0");
 *   iot.addTask(async () => { for (;;) { ...; await iot.sleep(3000); } }, "alive");
 *   iot.run();
 *
 * - The config (config.get/set, configAdd) is loaded at construction and saved atomically.
 * - data is an ordered dictionary, shown on the page and served by GET /data.
 * - run() starts the features (WiFi, OTA, ...), the web server and the tasks. On the device it
 *   never settles; stop() (the simulator's reboot, tests) closes the server and cancels every
 *   timer the manager and its tasks set.
 * - handle() is the whole HTTP application: a request in, a response out, no sockets; hosts
 *   call it and tests may too.
 */

import { AdminAuth } from "./auth/admin-auth";
import { hashPassword, verifyPassword } from "./auth/password-hash";
import { Sha256 } from "./crypto/sha256";
import { Config } from "./config/config";
import type { ConfigValue } from "./config/config-keys";
import { DataStore } from "./data/data-store";
import type { Feature, FeatureContext } from "./feature";
import type { Host } from "./host/host";
import { boundHost } from "./host/host";
import type { HttpRequest, HttpResponse, HttpService } from "./http/http-message";
import { TcpHttpClient } from "./http/http-client";
import { HttpServer } from "./http/http-server";
import type { TimerId } from "./host/clock";
import type { NetworkStatus } from "./host/network";
import { namesDevice } from "./http/host-header";
import { jsonError } from "./http/response";
import { Router } from "./http/router";
import { Logger, errorText } from "./log/logger";
import { eraseAllVariables } from "./persistent/persistent-folders";
import { TaskRunner, type Task } from "./tasks/task-runner";
import { CLIENT_SCRIPT } from "./web/assets";
import type { PageModel, PageNotice } from "./web/page";
import { addWebRoutes } from "./web/web-routes";
import { OtaFeature, type OtaFeatureOptions } from "./ota/ota-feature";
import { FRAMEWORK_VERSION } from "./version";
import { WifiFeature, type WifiFeatureOptions } from "./wifi/wifi-feature";

export interface IotManagerOptions {
  /** Shown as the page title and used in the access point's name. */
  title?: string;
  /** Upgrade the page to Bootstrap when the browser can load it. */
  useCss?: boolean;
  /** Default for the ota_url config key. */
  otaUrl?: string;
  /** Log debug lines. */
  debug?: boolean;
  /** The app's version, shown on the page and in /api/status. */
  version?: string;
  /** Port of the web server; the host's default (80 on the device) when absent. */
  port?: number;
  /** OTA timings: probation before an update is kept, silence that fails a download. */
  ota?: Pick<OtaFeatureOptions, "probationMs" | "stallTimeoutMs" | "rebootDelayMs">;
  /** Extra features (persistent variables on the page, ...). */
  features?: Feature[];
  /** WiFi options (access point password, timing), used when the host has a radio. */
  wifi?: Omit<WifiFeatureOptions, "title">;
  /** Polling interval of the page's data table in ms (default 3000). */
  refreshMs?: number;
}

function defaultHostname(mac: string): string {
  const tail = mac.replace(/[^0-9a-f]/gi, "").slice(-6).toLowerCase();
  return `iot-${tail || "device"}`;
}

export class IotManager {
  readonly host: Host;
  readonly config: Config;
  readonly data = new DataStore();
  readonly log: Logger;
  readonly title: string;
  readonly version: string;
  readonly useCss: boolean;
  readonly #router = new Router();
  readonly #auth: AdminAuth;
  readonly #tasks: TaskRunner;
  readonly #features: Feature[];
  readonly #port: number | undefined;
  readonly #refreshMs: number;
  readonly #startedAt: number;
  #service: HttpService | undefined;
  #restartTimer: TimerId | undefined;
  #running = false;
  #script: string | undefined;
  /** Settles the promise run() returned. */
  #stopped: (() => void) | undefined;
  /** The web server accepts connections (an updated app's probation needs it). */
  #serving = false;

  constructor(options: IotManagerOptions = {}, host: Host = boundHost()) {
    this.host = host;
    this.title = options.title ?? "IoT Device";
    // With an updater, the running image's descriptor says which version runs (an update changes
    // it, a rollback restores it); the simulator's factory image leaves it to the app.
    this.version = host.updater?.running().version || (options.version ?? "0.0.0");
    this.useCss = options.useCss ?? false;
    this.#port = options.port;
    this.#refreshMs = options.refreshMs ?? 3000;
    this.log = new Logger(host.log, options.debug ?? false);
    this.#startedAt = host.clock.now();
    const defaults: Record<string, ConfigValue> = { hostname: defaultHostname(host.system.info().mac) };
    if (options.otaUrl) defaults.ota_url = options.otaUrl;
    const sha256 = host.sha256 ?? (() => new Sha256());
    const salt = (): Uint8Array => host.system.randomBytes?.(16) ?? Uint8Array.from({ length: 16 }, () => Math.floor(Math.random() * 256));
    this.config = new Config(host.storage, defaults, {
      hash: (clear) => hashPassword(clear, salt(), undefined, sha256),
      matches: (clear, stored) => verifyPassword(clear, stored, sha256),
    });
    this.#auth = new AdminAuth(this.config, host.clock, sha256);
    this.config.onChange((keys) => {
      if (keys.includes("admin_password")) this.#auth.forget();
    });
    this.#tasks = new TaskRunner(host.clock, this.log.child("task"));
    this.#features = [...(options.features ?? [])];
    // WiFi first: its captive-portal intercept must run before anything else answers.
    if (host.radio) this.#features.unshift(new WifiFeature({ ...options.wifi, title: this.title }));
    if (host.updater)
      this.#features.push(new OtaFeature({ ...options.ota, appVersion: this.version, network: () => this.network(), serving: () => this.#serving }));
    addWebRoutes(this.#router, {
      config: this.config,
      data: this.data,
      pageModel: (notice) => this.#pageModel(notice),
      status: () => this.status(),
      clientScript: () => this.#clientScript(),
      restartSoon: (delayMs) => this.restartSoon(delayMs),
      factoryReset: () => this.factoryReset(),
    });
  }

  /** Adds app config keys; a value the user saved wins over the default given here. */
  configAdd(defaults: Readonly<Record<string, ConfigValue>>): void {
    const added = this.config.add(defaults);
    if (added.length) this.log.debug(`config keys added: ${added.join(", ")}`);
  }

  /** Adds a task (an async function, or a promise already running), started by run(). */
  addTask(task: Task, name?: string): void {
    this.#tasks.add(task, name);
  }

  /** Adds a feature before run(). */
  addFeature(feature: Feature): void {
    if (this.#running) throw new Error(`feature ${feature.name} must be added before run()`);
    this.#features.push(feature);
  }

  /** Resolves after ms milliseconds; the tasks' timer. */
  sleep(ms: number): Promise<void> {
    return this.#tasks.sleep(ms);
  }

  get uptimeSeconds(): number {
    return Math.floor((this.host.clock.now() - this.#startedAt) / 1000);
  }

  /** Starts features, the web server and the tasks. Settles only when stop() is called. */
  run(): Promise<void> {
    if (this.#running) throw new Error("run() was already called");
    this.#running = true;
    const context: FeatureContext = {
      host: this.host,
      config: this.config,
      data: this.data,
      router: this.#router,
      log: this.log,
      restartSoon: (delayMs) => this.restartSoon(delayMs),
    };
    for (const feature of [...this.#features]) {
      try {
        feature.attach({ ...context, log: this.log.child(feature.name) });
      } catch (e) {
        // Left out of status, page and reset: a half-attached feature would break them all.
        this.log.error(`feature ${feature.name} failed to start and is left out: ${errorText(e)}`);
        this.#features.splice(this.#features.indexOf(feature), 1);
      }
    }
    return new Promise<void>((resolve, reject) => {
      this.#stopped = resolve;
      const host = this.host;
      const server = new HttpServer({ tcp: host.tcp, clock: host.clock, text: host.text, log: this.log.child("http"), limits: host.httpLimits });
      const service = server.serve({ port: this.#port ?? host.ports?.http ?? 80, host: host.bind }, (request) => this.handle(request));
      this.#service = service;
      service.ready.then(
        ({ host: address, port }) => {
          this.log.info(`${this.title} ${this.version}: listening on http://${address}:${port}`);
          this.#serving = true;
          this.#tasks.start();
        },
        (e: unknown) => {
          this.log.error(`web server failed to start: ${errorText(e)}`);
          this.stop();
          reject(e instanceof Error ? e : new Error(String(e)));
        },
      );
    });
  }

  /** Where the server listens, once run() has started it. */
  get listening(): Promise<{ host: string; port: number }> {
    if (!this.#service) return Promise.reject(new Error("run() has not been called"));
    return this.#service.ready;
  }

  /** Stops everything run() started; the manager cannot be run again. */
  stop(): void {
    this.#serving = false;
    this.#tasks.stop();
    this.host.clock.clear(this.#restartTimer);
    this.#restartTimer = undefined;
    for (const feature of this.#features) {
      try {
        feature.detach?.();
      } catch (e) {
        this.log.error(`feature ${feature.name} failed to stop: ${errorText(e)}`);
      }
    }
    this.#service?.close();
    this.#service = undefined;
    const stopped = this.#stopped;
    this.#stopped = undefined;
    stopped?.();
  }

  /** Restarts the device after delayMs, so the response announcing it gets out first. */
  restartSoon(delayMs = 750): void {
    if (this.#restartTimer !== undefined) return;
    this.log.info("restarting");
    this.#restartTimer = this.host.clock.set(() => {
      this.#restartTimer = undefined;
      this.host.system.restart();
    }, delayMs);
  }

  /** Forgets every setting and everything features stored, then restarts into setup. */
  factoryReset(): void {
    this.log.warn("factory reset");
    this.config.reset();
    eraseAllVariables(this.host.storage);
    for (const feature of this.#features) {
      try {
        feature.factoryReset?.();
      } catch (e) {
        this.log.error(`feature ${feature.name} failed to reset: ${errorText(e)}`);
      }
    }
    this.restartSoon();
  }

  /**
   * The HTTP application. Never throws: a failing handler is logged and answered 500. Every
   * request that is not a read (GET, HEAD) to a known path must name the device in its Host
   * (http/host-header.ts: DNS rebinding) and, with an admin password set, carry it.
   */
  handle(request: HttpRequest): HttpResponse {
    try {
      for (const feature of this.#features) {
        const early = feature.intercept?.(request);
        if (early) return early;
      }
      if (request.method !== "GET" && request.method !== "HEAD" && this.#router.handles(request.method, request.path)) {
        if (!namesDevice(request.headers.host, String(this.config.get("hostname") ?? "")))
          return jsonError(403, "changes must address the device by its IP address or its hostname");
        const refused = this.#auth.check(request);
        if (refused) return refused;
      }
      return this.#router.handle(request);
    } catch (e) {
      this.log.error(`${request.method} ${request.path} failed: ${errorText(e)}`);
      return jsonError(500, "internal error");
    }
  }

  network(): NetworkStatus {
    for (const feature of this.#features) {
      const network = feature.network?.();
      if (network) return network;
    }
    return this.host.network?.status() ?? { mode: "offline", ssid: "", ip: "" };
  }

  status(): Record<string, unknown> {
    const info = this.host.system.info();
    const out: Record<string, unknown> = {
      title: this.title,
      version: this.version,
      framework: FRAMEWORK_VERSION,
      platform: info.platform,
      hostname: this.config.get("hostname"),
      uptime: this.uptimeSeconds,
      network: this.network(),
    };
    if (info.freeMemory !== undefined) out.freeMemory = info.freeMemory;
    for (const feature of this.#features) if (feature.status) out[feature.name] = feature.status();
    return out;
  }

  #pageModel(notice: PageNotice | undefined): PageModel {
    return {
      title: this.title,
      useCss: this.useCss,
      version: this.version,
      uptimeSeconds: this.uptimeSeconds,
      network: this.network(),
      config: this.config,
      data: this.data,
      features: this.#features,
      notice,
      refreshMs: this.#refreshMs,
    };
  }

  #clientScript(): string {
    if (this.#script === undefined) {
      this.#script = CLIENT_SCRIPT;
      for (const feature of this.#features) if (feature.clientScript) this.#script += `\n${feature.clientScript}`;
    }
    return this.#script;
  }
}
