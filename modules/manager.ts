/*
 * IotManager: the framework's central object, the one an app's main.ts creates, and the
 * composition root: the features of the feature list (features.ts) and the app's own, the
 * config, the data, the tasks and the HTTP pipeline.
 *
 *   const iot = new IotManager({ title: "Greenhouse", useCss: true, otaUrl, debug: true });
 *   iot.configAdd({ "60_CUSTOM_CONFIG": "Counter" });
 *   iot.data.set("Key 0", "0");
 *   iot.addTask(async () => { for (;;) { ...; await iot.sleep(3000); } }, "alive");
 *   iot.run();
 *
 * - The features are made when the manager is: each of the list unless the app switches it off
 *   ({metrics: false}), then the app's (options.features, addFeature()). A feature whose host
 *   lacks a part it needs is left out, with the reason logged. Their settings are declared at
 *   once, so every path enforces them; they start (attach) in the order their `after` asks for.
 * - The config (config.get/set, configAdd) is loaded at construction and saved atomically.
 * - data is an ordered dictionary, shown on the page and served by GET /data.
 * - events tell what happens: network, clock, data, config, answer, serving, status, task (events.ts).
 * - logs keeps the last log lines (log/log-ring.ts: logBytes, 2 KiB by default) for GET
 *   /api/log and the live event stream; a task that fails is kept too, and shown in status().
 * - clock is the time of day (clock/device-clock.ts): null dates until something sets it (the
 *   time feature's SNTP) or the host says its clock is right; "clock" is emitted each time.
 * - run() starts the features, the web server and the tasks. On the device it never settles;
 *   stop() (the simulator's reboot, tests) closes the server and cancels every timer the
 *   manager, its features and its tasks set.
 * - handle() is the whole HTTP application: a request in, a response out, no sockets; the
 *   server calls it and tests may too.
 * - A feature's calls for the app (feature.api) are iot.<name>, e.g. iot.alexa.expose(...),
 *   typed through FeatureApis (features.ts), or iot.feature("alexa"). Asking for one that is
 *   switched off or left out throws, saying why.
 */

import { AdminAuth, AUTH_LIMITS } from "./auth/admin-auth";
import { hashPassword, verifyPassword } from "./crypto/password-hash";
import { CONFIG_DOMAIN, Config, type SecretHasher } from "./config/config";
import type { ConfigValue, SettingDeclaration } from "./config/config-keys";
import { Sha256 } from "./crypto/sha256";
import { DataStore } from "./data/data-store";
import { Events } from "./events";
import type { Feature, FeatureContext } from "./feature";
import { FEATURES, type FeatureApis, type FeatureSwitches } from "./features";
import type { TimerId } from "./host/clock";
import type { Sha256Factory, Sha256Hasher } from "./host/digest";
import type { Host } from "./host/host";
import { boundHost } from "./host/host";
import type { NetworkStatus } from "./host/network";
import { namesDevice, originMatchesHost } from "./http/host-header";
import type { HttpRequest, HttpResponse, HttpService } from "./http/http-message";
import { HttpServer } from "./http/http-server";
import { jsonError } from "./http/response";
import { Router } from "./http/router";
import { LogRing } from "./log/log-ring";
import { Logger, errorText } from "./log/logger";
import { eraseAllVariables, openAllFolders } from "./storage/storage-folders";
import { TaskRunner, type Task } from "./tasks/task-runner";
import { JS_TEXT_CODEC } from "./text/js-text-codec";
import { DeviceClock, OffsetWallClock } from "./clock/device-clock";
import { FRAMEWORK_VERSION } from "./version";
import { pageSections, type PageModel, type PageNotice, type PageSections } from "./web/page";
import type { FormAnswer, NoticeBoard } from "./http/form-answer";
import { addWebRoutes, type WebApp } from "./web/web-routes";

export interface IotManagerOptions extends FeatureSwitches {
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
  /** Port of the web server; the host's (80 on the device) when absent. */
  port?: number;
  /** The app's own features (persistent variables on the page, ...), after the list's. */
  features?: Feature[];
  /** Polling interval of the page's data table in ms (default 3000). */
  refreshMs?: number;
  /**
   * Bytes of recent log lines kept for GET /api/log and the live stream (default 2048: about
   * 30 lines; 0 keeps none). Taken from the heap once, whatever is logged.
   */
  logBytes?: number;
}

/** The log ring's default size: the device's heap is tens of kilobytes (README, memory budget). */
export const DEFAULT_LOG_BYTES = 2048;

/** The longest sleep a task may ask for: a day (Moddable's Timer takes 32-bit milliseconds). */
export const MAX_SLEEP_MS = 86_400_000;

function defaultHostname(mac: string): string {
  const tail = mac.replace(/[^0-9a-f]/gi, "").slice(-6).toLowerCase();
  return `iot-${tail || "device"}`;
}

// iot.<name> for every feature of the list, present or not: an absent one throws its reason.
// Defined once on the prototype (in flash on the device), not per manager.
function defineFeatureGetters(prototype: object): void {
  for (const entry of FEATURES) {
    if (entry.name in prototype) continue;
    const name = entry.name as keyof FeatureApis;
    Object.defineProperty(prototype, name, {
      get(this: IotManager) {
        return this.feature(name);
      },
      enumerable: false,
      configurable: false,
    });
  }
}

function newSha256(): Sha256Hasher {
  return new Sha256();
}

/** How the admin password is hashed: salted from the host's random bytes, with its SHA-256 when it has one. */
class HostPasswords implements SecretHasher {
  readonly #system: Host["system"];
  readonly #sha256: Sha256Factory;
  constructor(host: Host, sha256: Sha256Factory) {
    this.#system = host.system;
    this.#sha256 = sha256;
  }
  hash(clear: string): string {
    const salt = this.#system.randomBytes?.(16) ?? Uint8Array.from({ length: 16 }, () => Math.floor(Math.random() * 256));
    return hashPassword(clear, salt, undefined, this.#sha256);
  }
  matches(clear: string, stored: string): boolean {
    return verifyPassword(clear, stored, this.#sha256);
  }
}

/** The features in start order: each after those it names in `after`, otherwise as listed. */
function startOrder(features: readonly Feature[]): Feature[] {
  const ordered: Feature[] = [];
  const placing = new Set<string>();
  const place = (feature: Feature): void => {
    if (ordered.includes(feature)) return;
    if (placing.has(feature.name)) throw new Error(`features ${[...placing].join(", ")} wait for each other`);
    placing.add(feature.name);
    for (const name of feature.after ?? []) {
      const before = features.find((f) => f.name === name);
      if (before) place(before);
    }
    placing.delete(feature.name);
    ordered.push(feature);
  };
  for (const feature of features) place(feature);
  return ordered;
}

// Declaration merging: iot.alexa (each entry of FeatureApis) is typed on the manager; the
// constructor defines the getters.
export interface IotManager extends Readonly<FeatureApis> {}

// Helper methods are TypeScript-private, not #private: XS gives every instance one slot per #method.
export class IotManager {
  readonly host: Host;
  readonly config: Config;
  readonly data = new DataStore();
  readonly log: Logger;
  /** The last log lines (GET /api/log, the live stream). */
  readonly logs: LogRing;
  readonly events: Events;
  /** The time of day: iot.clock.now(), .valid, .iso() (null until valid), .local(). */
  readonly clock: DeviceClock;
  readonly title: string;
  readonly version: string;
  readonly useCss: boolean;
  readonly #router = new Router();
  /** The app's title and version, as every feature's context hands them out. */
  readonly #app: { readonly title: string; readonly version: string };
  readonly #auth: AdminAuth;
  readonly #tasks: TaskRunner;
  readonly #features: Feature[] = [];
  /** The features that see every request first (intercept()), made on the first request. */
  #interceptors: Feature[] | undefined;
  /** The features that report the network (network()), made when first asked: the page, every status and every name check ask. */
  #networkers: Feature[] | undefined;
  /** The features the page walks, sorted at its first request; dropped whenever the features change. */
  #pageSections: PageSections | undefined;
  /** Storage problems already logged, so each is logged once however often it is asked for. */
  #reportedProblems: Set<string> | undefined;
  readonly #port: number | undefined;
  readonly #refreshMs: number;
  readonly #startedAt: number;
  #service: HttpService | undefined;
  #restartTimer: TimerId | undefined;
  #running = false;
  /** The answers of forms sent without script, shown once on the page the browser goes back to. */
  readonly #notices: NoticeBoard;
  /** Settles the promise run() returned. */
  #stopped: (() => void) | undefined;
  /** The web server accepts connections (an updated app's probation needs it). */
  #serving = false;
  /** The network as last announced, to announce only changes. */
  #announced = "";
  /** The port the web server is bound to, once it serves. */
  #boundPort: number | undefined;
  /**
   * Why a feature is not here when it was left out or failed to start (made then: a feature of
   * the list that is neither here nor in it was switched off by the app).
   */
  #absent: Map<string, string> | undefined;

  constructor(options: IotManagerOptions = {}, host: Host = boundHost()) {
    this.host = host;
    this.title = options.title ?? "IoT Device";
    // With an updater, the running image's descriptor says which version runs (an update changes
    // it, a rollback restores it); the simulator's factory image leaves it to the app.
    this.version = host.updater?.running().version || (options.version ?? "0.0.0");
    this.useCss = options.useCss ?? false;
    this.#port = options.port;
    this.#refreshMs = options.refreshMs ?? 3000;
    this.#startedAt = host.clock.now();
    this.logs = new LogRing(host.log, { bytes: options.logBytes ?? DEFAULT_LOG_BYTES, text: host.text ?? JS_TEXT_CODEC, now: host.clock, origin: this.#startedAt });
    this.log = new Logger(this.logs, options.debug ?? false);
    this.events = new Events(this.log);
    // Bound, not an arrow: the clock (clock/device-clock.ts) takes a function, and a bound one is
    // the smaller of the two for as long as the device runs.
    this.clock = new DeviceClock(host.wallClock ?? new OffsetWallClock(), this.events.emit.bind(this.events, "clock"));
    const sha256 = host.sha256 ?? newSha256;
    this.config = new Config(host.storage, { hostname: defaultHostname(host.system.info().mac) }, new HostPasswords(host, sha256));
    this.#auth = new AdminAuth(this.config, host.clock, sha256, AUTH_LIMITS, this.log);
    // The events object itself listens (its emit() is called), not a closure each: they would
    // be held for as long as the device runs. A new admin password needs no word to the auth:
    // the login it remembers is keyed by the stored hash, which a new password replaces.
    this.config.onChange(this.events);
    this.data.onChange(this.events);
    this.#tasks = new TaskRunner(host.clock, this.log.child("task"), this.events);

    this.#app = Object.freeze({ title: this.title, version: this.version });
    const app = { title: this.title, version: this.version, otaUrl: options.otaUrl };
    for (const entry of FEATURES) {
      const switched = options[entry.name as keyof FeatureSwitches];
      if (switched === false) continue;
      this.include(entry.create(switched, app));
    }
    for (const feature of options.features ?? []) this.include(feature);
    if (this.config.notice) this.log.warn(this.config.notice);
    // Every folder variables have used is opened now, not on its first read, so a damaged one
    // is named at boot; storageProblems() logs each problem the first time it sees it.
    openAllFolders(this.host.storage);
    this.storageProblems();
    this.#notices = addWebRoutes(this.#router, new IotManager.#Web(this));
  }

  /** What the framework's own routes (web/web-routes.ts) ask the manager: one small object, its calls on the prototype. */
  static readonly #Web = class ManagerWeb implements WebApp {
    readonly #manager: IotManager;
    constructor(manager: IotManager) {
      this.#manager = manager;
    }
    get config(): Config {
      return this.#manager.config;
    }
    get data(): DataStore {
      return this.#manager.data;
    }
    pageModel(notice: PageNotice | undefined): PageModel {
      return this.#manager.pageModelFor(notice);
    }
    status(): Record<string, unknown> {
      return this.#manager.status();
    }
    features(): readonly Feature[] {
      return this.#manager.#features;
    }
    restartSoon(delayMs?: number): void {
      this.#manager.restartSoon(delayMs);
    }
    factoryReset(): string[] {
      return this.#manager.factoryReset();
    }
    canRestart(): boolean {
      return this.#manager.host.system.canRestart !== false;
    }
  };

  /**
   * A feature's context: the feature's own logger and the manager, everything else read through
   * the prototype's getters and calls, so a feature's context costs a few slots, not a closure
   * for each call.
   */
  static readonly #Context = class ManagerContext implements FeatureContext {
    readonly #manager: IotManager;
    readonly #name: string;
    /** Made when the feature first logs: some never do. */
    #log: Logger | undefined;
    constructor(manager: IotManager, name: string) {
      this.#manager = manager;
      this.#name = name;
    }
    /** The feature's own logger: its lines start with "[name] ". */
    get log(): Logger {
      return (this.#log ??= this.#manager.log.child(this.#name));
    }
    get host(): Host {
      return this.#manager.host;
    }
    get config(): Config {
      return this.#manager.config;
    }
    get data(): DataStore {
      return this.#manager.data;
    }
    get router(): Router {
      return this.#manager.#router;
    }
    get events(): Events {
      return this.#manager.events;
    }
    get clock(): DeviceClock {
      return this.#manager.clock;
    }
    get app(): { readonly title: string; readonly version: string } {
      return this.#manager.#app;
    }
    get logs(): LogRing {
      return this.#manager.logs;
    }
    network(): NetworkStatus {
      return this.#manager.network();
    }
    serving(): boolean {
      return this.#manager.#serving;
    }
    webPort(): number {
      const manager = this.#manager;
      return manager.#boundPort ?? manager.#port ?? manager.host.ports?.http ?? 80;
    }
    status(): Record<string, unknown> {
      return this.#manager.status();
    }
    networkChanged(): void {
      this.#manager.announceNetwork();
    }
    restartSoon(delayMs?: number): void {
      this.#manager.restartSoon(delayMs);
    }
    answerForm(request: HttpRequest, answer: FormAnswer): HttpResponse {
      return this.#manager.#notices.answer(request, answer);
    }
    checkAdmin(request: HttpRequest): HttpResponse | undefined {
      return this.#manager.#auth.check(request);
    }
  };

  /** Takes a feature in, or leaves it out with the reason logged; declares its settings. */
  private include(feature: Feature): void {
    if (this.#features.some((f) => f.name === feature.name)) throw new Error(`there are two features named ${feature.name}`);
    const missing = (feature.needs ?? []).filter((part) => this.host[part] === undefined);
    if (missing.length) {
      this.log.info(`feature ${feature.name} left out: the host has no ${missing.join(" or ")}`);
      (this.#absent ??= new Map()).set(feature.name, `it was left out: the host has no ${missing.join(" or ")}`);
      return;
    }
    if (feature.settings) this.config.declare(feature.settings);
    this.#features.push(feature);
    this.#interceptors = undefined;
    this.#networkers = undefined;
    this.#pageSections = undefined;
  }

  /**
   * Adds app config keys: {key: default} (the type follows the default) or the long form
   * {key: {default, type, min, max, step, choices, label, help, ...}}. A value the user saved
   * wins over the default given here.
   */
  configAdd(declarations: Readonly<Record<string, ConfigValue | SettingDeclaration>>): void {
    const added = this.config.add(declarations);
    if (added.length) this.log.debug(`config keys added: ${added.join(", ")}`);
  }

  /** Adds a task (an async function, or a promise already running), started by run(). */
  addTask(task: Task, name?: string): void {
    this.#tasks.add(task, name);
  }

  /** Adds a feature before run(). */
  addFeature(feature: Feature): void {
    if (this.#running) throw new Error(`feature ${feature.name} must be added before run()`);
    this.include(feature);
  }

  /** The features running (or about to), in start order. */
  get features(): readonly Feature[] {
    return this.#features;
  }

  /**
   * A feature's calls for the app (its `api`): iot.feature("alexa").expose(...), the same as
   * iot.alexa. Throws, saying why, when the feature is switched off, was left out, failed to
   * start, or offers no such calls.
   */
  feature<K extends keyof FeatureApis>(name: K): FeatureApis[K];
  feature(name: string): object;
  feature(name: string): object {
    const feature = this.#features.find((f) => f.name === name);
    if (feature?.api) return feature.api;
    if (feature) throw new Error(`feature ${name} has no calls for the app`);
    const why = this.#absent?.get(name) ?? (FEATURES.some((entry) => entry.name === name) ? `the app switched it off ({${name}: false})` : "there is no feature of that name");
    throw new Error(`feature ${name} is not available: ${why}`);
  }

  /**
   * Resolves after ms milliseconds: the tasks' timer. Refuses what no timer can do: a negative,
   * non-finite or longer-than-a-day delay throws a RangeError (a task that computes its delay
   * from a setting would otherwise spin or never wake).
   */
  sleep(ms: number): Promise<void> {
    if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0 || ms > MAX_SLEEP_MS)
      return Promise.reject(new RangeError(`sleep(${String(ms)}): the delay must be a number of ms from 0 to ${MAX_SLEEP_MS}`));
    return this.#tasks.sleep(ms);
  }

  get uptimeSeconds(): number {
    return Math.floor((this.host.clock.now() - this.#startedAt) / 1000);
  }

  /** Starts features, the web server and the tasks. Settles only when stop() is called. */
  run(): Promise<void> {
    if (this.#running) throw new Error("run() was already called");
    this.#running = true;
    for (const feature of startOrder(this.#features)) {
      try {
        feature.attach(this.context(feature));
      } catch (e) {
        // Left out of status, page and reset: a half-attached feature would break them all.
        this.log.error(`feature ${feature.name} failed to start and is left out: ${errorText(e)}`);
        this.#features.splice(this.#features.indexOf(feature), 1);
        this.#interceptors = undefined;
        this.#networkers = undefined;
        this.#pageSections = undefined;
        (this.#absent ??= new Map()).set(feature.name, `it failed to start: ${errorText(e)}`);
        try {
          feature.detach?.();
        } catch {
          // It did not start; undoing what it began is all that is left.
        }
      }
    }
    this.announceNetwork();
    if (this.clock.valid) this.events.emit("clock", { source: this.clock.source ?? "host", at: this.clock.now() });
    return new Promise<void>((resolve, reject) => {
      this.#stopped = resolve;
      const host = this.host;
      const server = new HttpServer({
        tcp: host.tcp,
        clock: host.clock,
        text: host.text,
        log: this.log.child("http"),
        limits: host.httpLimits,
        // The events object itself, not a bound emit: one function fewer held while it serves.
        onAnswer: this.events,
        requestHeaders: this.#features.some((f) => f.requestHeaders) ? this.#features.flatMap((f) => f.requestHeaders ?? []) : undefined,
      });
      const service = server.serve({ port: this.#port ?? host.ports?.http ?? 80, host: host.bind }, this);
      this.#service = service;
      service.ready.then(
        ({ host: address, port }) => {
          this.log.info(`${this.title} ${this.version}: listening on http://${address}:${port}`);
          this.#boundPort = port;
          this.#serving = true;
          this.events.emit("serving", { port });
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

  private context(feature: Feature): FeatureContext {
    return new IotManager.#Context(this, feature.name);
  }

  /** Emits "network" when what network() reports has changed since it was last emitted. */
  private announceNetwork(): void {
    const network = this.network();
    const key = `${network.mode} ${network.ip} ${network.ssid} ${network.apIp ?? ""}`;
    if (key === this.#announced) return;
    this.#announced = key;
    this.events.emit("network", network);
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

  /**
   * Restarts the device after delayMs, so the response announcing it gets out first. On a host
   * that cannot restart (the Moddable simulator) it logs so, and the caller has said so.
   */
  restartSoon(delayMs = 750): void {
    if (this.#restartTimer !== undefined) return;
    if (this.host.system.canRestart === false) {
      this.log.warn("a restart was asked for, but this host cannot restart the app: relaunch it by hand");
      return;
    }
    this.log.info("restarting");
    this.#restartTimer = this.host.clock.set(() => {
      this.#restartTimer = undefined;
      this.host.system.restart();
    }, delayMs);
  }

  /**
   * What could not be read from storage, in plain words: the settings record, and every domain
   * the host could not read. Empty when all is well. The page and GET /api/status show it.
   */
  storageProblems(): string[] {
    // Indexed loops: the page asks on every request, and an iterator costs on XS.
    const out: string[] = [];
    if (this.config.problem) out.push(this.config.problem);
    const problems = this.host.storage.problems?.();
    if (problems) {
      for (let i = 0; i < problems.length; i++) {
        const problem = problems[i];
        if (problem.domain !== CONFIG_DOMAIN || !this.config.problem) out.push(problem.message);
      }
    }
    for (let i = 0; i < out.length; i++) {
      const problem = out[i];
      const reported = (this.#reportedProblems ??= new Set());
      if (reported.has(problem)) continue;
      reported.add(problem);
      this.log.error(problem);
    }
    return out;
  }

  /**
   * Forgets every setting and everything features stored, then restarts into setup. Each part
   * is erased on its own: one that fails is logged and named in the result, the others are
   * erased all the same, and the device restarts either way.
   */
  factoryReset(): string[] {
    this.log.warn("factory reset");
    const failed: string[] = [];
    const erase = (what: string, step: () => void): void => {
      try {
        step();
      } catch (e) {
        this.log.error(`factory reset: ${what} could not be erased: ${errorText(e)}`);
        failed.push(`${what}: ${errorText(e)}`);
      }
    };
    // Features first: one may still need what the framework's erase is about to remove.
    for (const feature of this.#features) if (feature.factoryReset) erase(`what ${feature.name} stored`, () => feature.factoryReset?.());
    erase("the settings", () => this.config.reset());
    erase("the persistent variables", () => eraseAllVariables(this.host.storage));
    this.restartSoon();
    return failed;
  }

  /**
   * The HTTP application. Never throws: a failing handler is logged and answered 500. Each route
   * has its policy (router.ts): "public", "admin" (the admin password when one is set), or the
   * feature's own. Every change, every request under /api/ and every route that asks (names:
   * true, GET /events), must call the device by one of its own names (http/host-header.ts: DNS
   * rebinding); a change also with an Origin of that same name.
   */
  handle(request: HttpRequest): HttpResponse {
    // The common request (a public GET of an exact path: the page, /data) takes no detour and
    // allocates nothing here: what it costs is its handler's (bench: GET /data beside its floor).
    try {
      const interceptors = (this.#interceptors ??= this.#features.filter((f) => f.intercept !== undefined));
      for (let i = 0; i < interceptors.length; i++) {
        // Called as a method: the feature is its `this`.
        const early = interceptors[i].intercept?.(request);
        if (early) return early;
      }
      const method = request.method;
      const path = request.path;
      const resolved = this.#router.resolve(method, path);
      const change = method !== "GET" && method !== "HEAD" && method !== "OPTIONS";
      if ((resolved.kind === "route" && (change || resolved.names)) || path.startsWith("/api/")) {
        const refused = this.checkNames(request, change);
        if (refused) return refused;
      }
      if (resolved.kind === "answer") return resolved.response;
      // Before the policy: a feature's own policy reads them (Alexa's paired username).
      if (resolved.params) request.params = resolved.params;
      const auth = resolved.auth;
      if (auth !== "public") {
        const refused = auth === "admin" ? this.#auth.check(request) : auth(request);
        if (refused) return refused;
      }
      return resolved.handler(request);
    } catch (e) {
      this.log.error(`${request.method} ${request.path} failed: ${errorText(e)}`);
      return jsonError(500, "internal error");
    }
  }

  private checkNames(request: HttpRequest, change: boolean): HttpResponse | undefined {
    const network = this.network();
    const names = {
      hostname: String(this.config.get("hostname") ?? ""),
      allowed: String(this.config.get("allowed_hosts") ?? ""),
      addresses: network.apIp ? [network.ip, network.apIp] : [network.ip],
    };
    if (!namesDevice(request.headers.host, names))
      return jsonError(403, "use the device's IP address or its hostname, or add this name to the allowed hosts setting");
    if (change && !originMatchesHost(request.headers.origin, request.headers.host))
      return jsonError(403, "changes are accepted only from this device's own pages");
    return undefined;
  }

  network(): NetworkStatus {
    const features = (this.#networkers ??= this.#features.filter((f) => f.network !== undefined));
    let network: NetworkStatus | undefined;
    for (let i = 0; i < features.length; i++) {
      network = features[i].network?.();
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
      canRestart: this.host.system.canRestart !== false,
    };
    if (info.freeMemory !== undefined) out.freeMemory = info.freeMemory;
    out.tasks = { running: this.#tasks.running, failed: this.#tasks.failures };
    const problems = this.storageProblems();
    if (problems.length) out.storage = { problems };
    for (const feature of this.#features) {
      if (!feature.status) continue;
      try {
        out[feature.name] = feature.status();
      } catch (e) {
        out[feature.name] = { error: errorText(e) };
      }
    }
    return out;
  }

  private pageModelFor(notice: PageNotice | undefined): PageModel {
    return {
      title: this.title,
      useCss: this.useCss,
      version: this.version,
      uptimeSeconds: this.uptimeSeconds,
      network: this.network(),
      config: this.config,
      data: this.data,
      features: this.#features,
      sections: (this.#pageSections ??= pageSections(this.#features)),
      notice,
      refreshMs: this.#refreshMs,
      canRestart: this.host.system.canRestart !== false,
      storageProblems: this.storageProblems(),
    };
  }
}

defineFeatureGetters(IotManager.prototype);
