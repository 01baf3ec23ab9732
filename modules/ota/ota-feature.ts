/*
 * OtaFeature: over-the-air updates as a manager feature.
 *
 *   POST /api/ota  {"url"?, "sha256"?, "allowOtherProject"?}  (application/json; the body may be {})
 *        202 {state, received, total, error, ...}  the update started from url, or from the
 *            ota_url setting when the body names none
 *   POST /api/ota  {"source": "github", "allowDowngrade"?, "allowOtherProject"?}
 *        202  the release the last check found is being installed, over https, its SHA-256
 *             checked (modules/ota/github/github-source.ts)
 *        409 {error}  an update is already running, or the running app is still on probation;
 *            (github) nothing found to install, or it is not newer and no downgrade was asked
 *        400 {error}  no usable URL, a malformed sha256, wrong field types
 *   POST /api/ota/check  202 {checking, ...}  checks GitHub in the background
 *   GET  /api/ota  200 {state, received, total, error, project, version, probation, probationLeft,
 *                       checking, available?, upToDate?, checkError?, github}
 *
 *   POST /ota      the page's form: ota_url (saved as the setting when it changed), then as POST
 *                  /api/ota {} does; answered in place (JSON) or by a 303 back to the Update view
 *   POST /ota      github=check or github=install: the GitHub buttons without script, as POST
 *                  /api/ota/check and POST /api/ota {"source": "github"} do, answered the same way
 *
 * A page section, the Update view (the URL setting, button, live progress and probation,
 * outcome), and its browser script. The ota_url setting is edited there, not in Settings. GET /api/status
 * carries the same object under "ota". On success the device restarts into the new image, which
 * then stays on probation (modules/ota/probation.ts) until it has run healthy for probationMs:
 * web server up and network settled. An update that was rolled back is reported as a failure.
 *
 * A rollback is logged once, on the boot that noticed it, and reported as the failure until a
 * factory reset dismisses it or an update succeeds: the updater keeps reporting the rejected
 * image at every boot (until its partition is written again), so what was said is remembered in
 * storage (domain "ota-report": "shown:<project> <version>" or "dismissed:..."). One plain write:
 * a power cut during it costs at most one more warning.
 */

import type { ConfigValue, SettingSpec } from "../config/config-keys";
import type { Feature, FeatureContext, HostPart } from "../feature";
import type { HttpRequest, HttpResponse } from "../http/http-message";
import type { RunningApp, Updater } from "../host/updater";
import { TcpHttpClient, type HttpClient } from "../http/http-client";
import type { StaticAsset } from "../http/static-asset";
import { GithubSource } from "./github/github-source";
import { GITHUB_SETTINGS } from "./github/github-settings";
import { readForm, readJsonObject } from "../http/request-body";
import { json, jsonError } from "../http/response";
import { ConfigError } from "../config/config-error";
import { errorText } from "../log/logger";
import { answerForm } from "../http/form-answer";
import { OtaBusyError, OtaJob, OtaRequestError, type OtaProgress, type OtaRequest } from "./ota-job";
import { OTA_CLIENT_SCRIPT, plainOtaError, renderOtaSection } from "./ota-page";
import { checkImageTarget, parseHttpUrl, UrlError } from "./ota-url";
import { Probation } from "./probation";

export interface OtaFeatureOptions {
  /** Healthy running needed before an updated app is kept (ms, default 60 s). */
  probationMs?: number;
  /** No data for this long fails a download (ms, default 20 s). */
  stallTimeoutMs?: number;
  /** Pause between "rebooting" and the restart, so the answer gets out (ms). */
  rebootDelayMs?: number;
  /** The version to show when the running image does not say; the app's when absent. */
  appVersion?: string;
  /** Default of the ota_url setting. */
  otaUrl?: string;
  /** The downloader; the core's client over the host's Tcp when absent (tests script one). */
  client?: HttpClient;
  /** Quiet needed before an automatic install from GitHub (ms, default 5 minutes). */
  idleMs?: number;
  /** Random numbers for the checks' jitter (tests pin them). */
  random?: () => number;
}

const REPORT_DOMAIN = "ota-report";
const REPORT_KEY = "rollback";

/** An image in words, for a person: its project and version, or "an update" when it says neither. */
function describe(image: { project: string; version: string }): string {
  const version = image.version === "?" ? "" : image.version;
  const project = image.project === "?" ? "" : image.project;
  return project || version ? `${project} ${version}`.trim() : "an update";
}

const SETTLED: readonly string[] = Object.freeze(["station", "ap", "ap+station"]);
const NEEDS: readonly HostPart[] = Object.freeze(["updater"]);

/** The setting's check: empty (no default URL), or the address of an image the device may fetch. */
function checkImageUrl(value: ConfigValue): string | undefined {
  if (value === "") return undefined;
  try {
    checkImageTarget(parseHttpUrl(String(value)), false);
    return undefined;
  } catch (e) {
    return e instanceof UrlError ? e.message : String(e);
  }
}

const OTA_URL_SPEC: SettingSpec = Object.freeze({
  type: "string",
  default: "",
  group: "device",
  label: "Update image URL",
  help: "Where the Update button and POST /api/ota fetch the image from: http://host[:port]/path/name.bin",
  maxBytes: 200,
  check: checkImageUrl,
});

/** The settings with no default URL: preloaded, so a feature made without one holds no copy. */
const OTA_SETTINGS: Readonly<Record<string, SettingSpec>> = Object.freeze({ ota_url: OTA_URL_SPEC, ...GITHUB_SETTINGS });

const GITHUB_KEYS: readonly string[] = Object.freeze(Object.keys(GITHUB_SETTINGS));

/** The status of a job that never started: what OtaJob.status() says before its first start(). */
const NO_JOB: OtaProgress = Object.freeze({ state: "idle", received: 0, total: 0, error: "" });

export function otaSettings(otaUrl = ""): Readonly<Record<string, SettingSpec>> {
  if (otaUrl === "") return OTA_SETTINGS;
  // The spec inherits the preloaded one and owns only the default: Config keeps it for good.
  const spec: SettingSpec = Object.freeze(Object.create(OTA_URL_SPEC, { default: { value: otaUrl, enumerable: true } }) as SettingSpec);
  return Object.freeze({ ota_url: spec, ...GITHUB_SETTINGS });
}

export class OtaFeature implements Feature {
  // Constants on the prototype (getters), not five slots in every instance.
  get name(): string {
    return "ota";
  }
  get title(): string {
    return "Update";
  }
  get needs(): readonly HostPart[] {
    return NEEDS;
  }
  get clientScript(): StaticAsset {
    return OTA_CLIENT_SCRIPT;
  }
  /** ota_url is edited on the Update view, beside the button that uses it. */
  get ownsSettingsForm(): boolean {
    return true;
  }
  readonly #options: OtaFeatureOptions;
  #context: FeatureContext | undefined;
  #updater: Updater | undefined;
  #client: HttpClient | undefined;
  /** Made by the first update (or a rollback to report): an idle device holds none. */
  #job: OtaJob | undefined;
  /** Only while the running app is on probation. */
  #probation: Probation | undefined;
  /** Made once a repository or automatic updates are set, or a check is asked for. */
  #github: GithubSource | undefined;
  /** The routes' and the "config" listener's one closure, kept to take the listener off (events.off). */
  #heard: ((value: HttpRequest | readonly string[]) => HttpResponse | undefined) | undefined;

  constructor(options: OtaFeatureOptions = {}) {
    this.#options = options;
  }

  /**
   * Made when asked (the manager declares them once; the settings page asks which keys are
   * edited here): Config keeps the specs, so the feature need not hold a copy of the table
   * that carries the app's default URL. Without one it is the preloaded table.
   */
  get settings(): Readonly<Record<string, SettingSpec>> {
    return otaSettings(this.#options.otaUrl);
  }

  attach(context: FeatureContext): void {
    const { updater } = context.host;
    if (!updater) throw new Error("the host has no app partitions to update");
    this.#context = context;
    this.#updater = updater;
    const running = updater.running();
    if (running.state === "probation") {
      this.#probation = new Probation({
        updater,
        clock: context.host.clock,
        probationMs: this.#options.probationMs ?? 60_000,
        healthy: () => this.healthy(),
        log: context.log,
      });
    }
    if (running.rolledBack) this.reportRollback(context, running, running.rolledBack);
    // One handler for the four routes (the path says which): one closure instead of four.
    // One closure for the four routes (a request) and the "config" listener (the keys changed).
    const heard = (this.#heard = (value: HttpRequest | readonly string[]): HttpResponse | undefined => this.heard(value));
    const handler = heard as (request: HttpRequest) => HttpResponse;
    context.router.add("GET", "/api/ota", handler);
    context.router.add("POST", "/api/ota", handler);
    context.router.add("POST", "/ota", handler);
    context.router.add("POST", "/api/ota/check", handler);
    this.#probation?.start();
    context.events.on("config", heard);
    if (this.githubWanted()) this.source(false);
  }

  /** The keys of a config change, or a request to one of the routes. */
  private heard(value: HttpRequest | readonly string[]): HttpResponse | undefined {
    return Array.isArray(value) ? this.configChanged(value as readonly string[]) : this.route(value as HttpRequest);
  }

  private configChanged(keys: readonly string[]): undefined {
    if (!keys.some((k) => GITHUB_KEYS.includes(k))) return undefined;
    if (this.#github) this.#github.configChanged(keys);
    else if (this.githubWanted()) this.source(true);
    return undefined;
  }

  private route(request: HttpRequest): HttpResponse {
    switch (request.path) {
      case "/api/ota":
        return request.method === "POST" ? this.post(request) : json(200, this.status());
      case "/ota":
        return this.postForm(request);
      default:
        // POST /api/ota/check
        this.source(false).startCheck();
        return json(202, this.status());
    }
  }

  /** A repository or automatic updates are set: the GitHub source has work to do. */
  private githubWanted(): boolean {
    const config = (this.#context as FeatureContext).config;
    return String(config.get("ota_github_repo")) !== "" || String(config.get("ota_auto")) !== "off";
  }

  /** The GitHub source, made and started on first use. */
  private source(settingChanged: boolean): GithubSource {
    if (this.#github) return this.#github;
    const context = this.#context as FeatureContext;
    const github = (this.#github = new GithubSource({
      context,
      client: this.httpClient(),
      running: () => {
        const now = this.runningNow();
        return { version: now.version || this.appVersion(), project: now.project };
      },
      busy: () => this.busy(),
      start: (request) => this.startJob(request)?.error,
      idleMs: this.#options.idleMs,
      random: this.#options.random,
    }));
    github.attach(settingChanged);
    return github;
  }

  private httpClient(): HttpClient {
    if (this.#client) return this.#client;
    const context = this.#context as FeatureContext;
    const { tcp, text } = context.host;
    return (this.#client = this.#options.client ?? new TcpHttpClient({ tcp, text, clockValid: () => context.clock.valid }));
  }

  /** The update job, made on first use. */
  private jobNow(): OtaJob {
    if (this.#job) return this.#job;
    const context = this.#context as FeatureContext;
    return (this.#job = new OtaJob({
      updater: this.#updater as Updater,
      client: this.httpClient(),
      clock: context.host.clock,
      log: context.log,
      stallTimeoutMs: this.#options.stallTimeoutMs,
      sha256: context.host.sha256,
      onReady: () => {
        // A new image is in place of the rejected one: a later rollback is a new one to report.
        this.forgetRollback();
        context.restartSoon(this.#options.rebootDelayMs ?? 1000);
      },
    }));
  }

  /** Dismisses a rolled-back update's failure (it stays dismissed after the restart). */
  factoryReset(): void {
    const bad = this.#updater?.running().rolledBack;
    const storage = this.#context?.host.storage;
    if (!storage) return;
    if (bad) storage.write(REPORT_DOMAIN, REPORT_KEY, `dismissed:${bad.project} ${bad.version}`);
    else storage.remove(REPORT_DOMAIN, REPORT_KEY);
    this.#job?.dismissFailure();
  }

  detach(): void {
    if (this.#heard) this.#context?.events.off("config", this.#heard);
    this.#heard = undefined;
    this.#github?.detach();
    this.#probation?.stop();
    this.#job?.stop();
  }

  /** Why an update cannot start now, or undefined. */
  private busy(): string | undefined {
    const job = this.#job;
    const probation = this.#probation;
    if (job?.running) return `an update is already ${job.state}`;
    if (probation?.active) return `the running app is on probation for ${Math.ceil(probation.remainingMs / 1000)} s more`;
    return undefined;
  }


  status(): Record<string, unknown> {
    const running = this.runningNow();
    const probation = this.#probation;
    return {
      ...(this.#job?.status() ?? NO_JOB),
      project: running.project,
      version: running.version || this.appVersion(),
      probation: probation?.active === true,
      probationLeft: probation ? Math.ceil(probation.remainingMs / 1000) : 0,
      ...(this.#github ? this.#github.status() : this.noSourceStatus()),
    };
  }

  /** What the GitHub source says before it is made: no repository, automatic updates off. */
  private noSourceStatus(): Record<string, unknown> {
    const config = (this.#context as FeatureContext).config;
    return {
      checking: false,
      github: { repo: String(config.get("ota_github_repo")), channel: String(config.get("ota_github_channel")), auto: String(config.get("ota_auto")), decision: "automatic updates are off" },
    };
  }

  // Not a generator method: that would be one more generator prototype preloading leaves unfrozen.
  pageSection(): Iterable<string> {
    const running = this.runningNow();
    const probation = this.#probation;
    return renderOtaSection({
      project: running.project,
      version: running.version || this.appVersion(),
      url: String(this.#context?.config.get("ota_url") ?? ""),
      progress: this.#job?.status() ?? NO_JOB,
      probationLeftS: probation?.active ? Math.ceil(probation.remainingMs / 1000) : undefined,
      github: this.#github?.pageModel(),
    });
  }

  private reportRollback(context: FeatureContext, running: RunningApp, bad: { project: string; version: string }): void {
    const id = `${bad.project} ${bad.version}`;
    const said = context.host.storage.read(REPORT_DOMAIN, REPORT_KEY);
    if (said === `dismissed:${id}`) return;
    const what = describe(bad);
    this.jobNow().reportFailure(`the update to ${what} was rolled back: the device restarted before it had run healthy long enough`);
    if (said === `shown:${id}`) return;
    context.log.warn(`running ${describe({ project: running.project, version: running.version || this.appVersion() })} again: the update to ${what} was rolled back`);
    try {
      context.host.storage.write(REPORT_DOMAIN, REPORT_KEY, `shown:${id}`);
    } catch (e) {
      context.log.error(`ota: could not note the rollback as reported: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private forgetRollback(): void {
    try {
      this.#context?.host.storage.remove(REPORT_DOMAIN, REPORT_KEY);
    } catch {
      // At worst a rollback of this very version later goes unlogged; it is still reported.
    }
  }

  private runningNow(): RunningApp {
    // Asked each time, not held: on the device running() is a few native calls and a small
    // object, made for the status or page that asks and dropped with it.
    return (this.#updater as Updater).running();
  }

  private appVersion(): string {
    return this.#options.appVersion ?? this.#context?.app.version ?? "";
  }

  private healthy(): boolean {
    const context = this.#context;
    if (!context) return false;
    if (!context.serving()) return false;
    const network = context.network();
    // With a network saved, only being on it counts: an update that cannot join it (its WiFi
    // broken, its settings lost) would otherwise be kept, and the device left out of reach.
    if (network.configured) return network.mode === "station";
    return SETTLED.includes(network.mode);
  }

  private post(request: HttpRequest): HttpResponse {
    const body = readJsonObject(request);
    if (!body.ok) return body.response;
    const { url, sha256, allowOtherProject, source, allowDowngrade } = body.value;
    if (source !== undefined && source !== "github" && source !== "url") return jsonError(400, 'source must be "github" or "url"');
    if (allowDowngrade !== undefined && typeof allowDowngrade !== "boolean") return jsonError(400, "allowDowngrade must be true or false");
    if (source === "github") {
      if (url !== undefined || sha256 !== undefined) return jsonError(400, "a GitHub update takes its URL and SHA-256 from the release: send no url or sha256");
      const busy = this.busy();
      if (busy !== undefined) return jsonError(409, busy);
      // No source yet: nothing was ever checked, so nothing was found (GithubSource.install's words).
      const refused = this.#github ? this.#github.install(allowDowngrade === true) : "nothing to install: check for updates first";
      if (refused !== undefined) return jsonError(409, refused);
      return json(202, this.status());
    }
    if (url !== undefined && typeof url !== "string") return jsonError(400, "url must be a string");
    if (sha256 !== undefined && typeof sha256 !== "string") return jsonError(400, "sha256 must be a string");
    if (allowOtherProject !== undefined && typeof allowOtherProject !== "boolean")
      return jsonError(400, "allowOtherProject must be true or false");
    const refused = this.startJob({ url: url || String(this.#context?.config.get("ota_url") ?? ""), sha256, allowOtherProject });
    return refused ? jsonError(refused.status, refused.error) : json(202, this.status());
  }

  /** Starts the job; the refusal (409: busy or on probation, 400: the request) or undefined. */
  private startJob(otaRequest: OtaRequest): { status: number; error: string } | undefined {
    const probation = this.#probation;
    if (probation?.active && !this.#job?.running)
      return { status: 409, error: `the running app is on probation for ${Math.ceil(probation.remainingMs / 1000)} s more: an update can start once it has been kept` };
    const job = this.jobNow();
    try {
      job.start(otaRequest);
    } catch (e) {
      if (e instanceof OtaBusyError) return { status: 409, error: e.message };
      if (e instanceof OtaRequestError) return { status: 400, error: e.message };
      throw e;
    }
    return undefined;
  }

  /** The Update view's form: the URL saved as the setting when it changed, then the update from it. */
  private postForm(request: HttpRequest): HttpResponse {
    const context = this.#context;
    const form = readForm(request);
    if (!form.ok) return form.response;
    const answer = (ok: boolean, message: string, status: number, key?: string): HttpResponse =>
      answerForm(context, request, { ok, message, status, key, view: this.name, extra: this.status() });
    const github = form.value.github;
    if (github !== undefined) return this.githubForm(github, answer);
    const url = form.value.ota_url;
    if (url !== undefined && context && url !== String(context.config.get("ota_url") ?? "")) {
      try {
        context.config.update({ ota_url: url }, "form");
      } catch (e) {
        if (e instanceof ConfigError) return answer(false, `Not started: ${e.message}`, 400, "ota_url");
        return answer(false, `Not started: could not save the URL: ${errorText(e)}`, 500);
      }
    }
    const saved = String(context?.config.get("ota_url") ?? "");
    if (saved === "") return answer(false, "Not started: give the address of the image to install.", 400, "ota_url");
    const refused = this.startJob({ url: saved });
    if (refused) return answer(false, `Not started: ${plainOtaError(refused.error, this.runningNow().project)}`, refused.status, refused.status === 400 ? "ota_url" : undefined);
    return answer(true, `Update started from ${saved}.`, 202);
  }

  /** The GitHub buttons without script: github=check or github=install, posted to /ota. */
  private githubForm(action: string, answer: (ok: boolean, message: string, status: number) => HttpResponse): HttpResponse {
    if (action === "check") {
      this.source(false).startCheck();
      return answer(true, "Checking for updates: this view shows what the check found once it is done.", 202);
    }
    if (action !== "install") return answer(false, 'Not started: github must be "check" or "install".', 400);
    const busy = this.busy();
    if (busy !== undefined) return answer(false, `Not started: ${busy}`, 409);
    const refused = this.#github ? this.#github.install(false) : "nothing to install: check for updates first";
    if (refused !== undefined) return answer(false, `Not started: ${plainOtaError(refused, this.runningNow().project)}`, 409);
    return answer(true, "Installing the release the check found: the device restarts into it once it is written and checked.", 202);
  }
}
