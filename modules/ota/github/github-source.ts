/*
 * GithubSource: updates from a GitHub repository's releases, as the OTA feature offers them
 * (modules/ota/ota-feature.ts): checks in the background (POST /api/ota/check, and the
 * automatic schedule), what they found (GET /api/ota: available, upToDate, checkError), and
 * the install of the found release through the feature's OtaJob (POST /api/ota
 * {"source": "github"}), over https with the release's SHA-256.
 *
 * - A check is a BackgroundJob (at most one at a time, 90 s at most); its outcome stays until
 *   the next one. A change to a GitHub setting forgets what was found.
 * - The token never leaves this module but as the Authorization header to the API's host.
 * - status() is merged into GET /api/ota: {checking, available?, upToDate?, checkError?,
 *   checkedAgoS?, github: {repo, channel, auto, nextCheckInS?, decision}}.
 */

import type { FeatureContext } from "../../feature";
import type { HttpClient } from "../../http/http-client";
import { BackgroundJob } from "../../http/background-job";
import { parseTimeWindows, type TimeWindow } from "../../clock/time-window";
import { FRAMEWORK_VERSION } from "../../version";
import { JS_TEXT_CODEC } from "../../text/js-text-codec";
import type { OtaRequest } from "../ota-job";
import { parseHttpUrl } from "../ota-url";
import { AutoUpdate } from "./auto-update";
import { GithubCheck, type AvailableRelease, type CheckReport, type GithubCheckSettings } from "./github-check";
import { GITHUB_API, type AutoMode } from "./github-settings";

export interface GithubSourceOptions {
  readonly context: FeatureContext;
  readonly client: HttpClient;
  /** The running app: what a release is compared with. */
  readonly running: () => { version: string; project: string };
  /** Why an update cannot start now (one runs, probation), or undefined. */
  readonly busy: () => string | undefined;
  /** Starts the OTA job; a string is why it did not start. */
  readonly start: (request: OtaRequest) => string | undefined;
  /** Quiet needed before an automatic install (ms). */
  readonly idleMs?: number;
  readonly random?: () => number;
}

const CHECK_TIMEOUT_MS = 90_000;

export class GithubSource {
  readonly #options: GithubSourceOptions;
  readonly #context: FeatureContext;
  readonly #check: GithubCheck;
  readonly #job: BackgroundJob<CheckReport>;
  readonly #auto: AutoUpdate;
  #unsubscribe: (() => void)[] | undefined;
  /**
   * When the last request was answered. Heard from when the source is made: at boot when GitHub
   * updates are set up, else when they are (a request that sets them is answered after it, so
   * it counts; only answers before an app's own config.set() at run time go unseen).
   */
  #lastAnswerAt: number | undefined;
  #windows: readonly TimeWindow[] = [];

  constructor(options: GithubSourceOptions) {
    this.#options = options;
    const context = (this.#context = options.context);
    const clock = context.host.clock;
    this.#check = new GithubCheck({
      client: options.client,
      clock,
      wallNow: () => context.clock.now(),
      text: context.host.text ?? JS_TEXT_CODEC,
      log: context.log,
      userAgent: `iot-manager/${FRAMEWORK_VERSION} (${context.app.title.slice(0, 40)})`,
    });
    this.#job = new BackgroundJob<CheckReport>(clock, { timeoutMs: CHECK_TIMEOUT_MS });
    this.readWindows();
    const random = options.random ?? Math.random;
    this.#auto = new AutoUpdate({
      clock,
      log: context.log,
      idleMs: options.idleMs,
      hooks: {
        mode: () => String(context.config.get("ota_auto")) as AutoMode,
        checkHours: () => Number(context.config.get("ota_check_hours")),
        windows: () => this.#windows,
        windowText: () => String(context.config.get("ota_window")),
        clockValid: () => context.clock.valid,
        localNow: () => context.clock.local(),
        idleForMs: () => (this.#lastAnswerAt === undefined ? Infinity : clock.now() - this.#lastAnswerAt),
        busy: options.busy,
        cannotCheck: () => this.cannotCheck(),
        check: (done) => this.startCheck(done),
        available: () => this.available,
        install: () => this.install(false),
        random,
      },
    });
  }

  /**
   * Starts the schedule. `considerInstall`: made because a setting just changed (the feature
   * builds the source only once a repository or automatic updates are set), so the decision is
   * taken at once, as a change of a running source's settings takes it.
   */
  attach(considerInstall = false): void {
    const context = this.#context;
    const clock = context.host.clock;
    this.#unsubscribe = [
      context.events.on("answer", () => {
        this.#lastAnswerAt = clock.now();
      }),
      context.events.on("clock", () => this.#auto.reconsider()),
    ];
    this.#auto.start(considerInstall);
  }

  detach(): void {
    for (const off of this.#unsubscribe ?? []) off();
    this.#unsubscribe = undefined;
    this.#auto.stop();
    this.#job.cancel();
  }

  /** GitHub settings changed (the feature filters the keys): forget what was found, plan again. */
  configChanged(keys: readonly string[]): void {
    if (keys.some((k) => k.startsWith("ota_github_"))) {
      this.#check.forget();
      this.#job.cancel();
    }
    this.readWindows();
    this.#auto.reconsider();
  }

  private readWindows(): void {
    const parsed = parseTimeWindows(String(this.#context.config.get("ota_window")));
    this.#windows = "error" in parsed ? [] : parsed;
  }

  private checkSettings(): GithubCheckSettings {
    const config = this.#context.config;
    let api = String(config.get("ota_github_api"));
    const hostApi = this.#context.host.githubApi;
    if (api === GITHUB_API && hostApi) api = hostApi;
    return {
      repo: String(config.get("ota_github_repo")),
      channel: String(config.get("ota_github_channel")),
      asset: String(config.get("ota_github_asset")),
      token: String(config.get("ota_github_token")),
      api,
    };
  }

  private cannotCheck(): string | undefined {
    if (String(this.#context.config.get("ota_github_repo")) === "") return "no repository set (ota_github_repo)";
    const network = this.#context.network();
    if (!(network.mode === "station" || network.mode === "ap+station")) return "the device is not on a network with internet access";
    return this.#check.blocked;
  }

  get checking(): boolean {
    return this.#job.running;
  }

  /** The newer release the last check found. */
  get available(): AvailableRelease | undefined {
    const result = this.#job.result;
    return result?.kind === "available" ? result.release : undefined;
  }

  /** Starts a check unless one runs (false then); done() hears its report. */
  startCheck(done?: (report: CheckReport) => void): boolean {
    const settings = this.checkSettings();
    const running = this.#options.running();
    return this.#job.start((report) => {
      const cancel = this.#check.check(settings, running, (r) => {
        // An error is a failed job (checkError); what was found before it is kept.
        if (r.kind === "error") report.fail(r.error);
        else report.done(r);
        done?.(r);
        this.#auto.checked(r);
      });
      return cancel;
    });
  }

  /** Installs what the last check found; a string is why not. */
  install(allowDowngrade: boolean): string | undefined {
    const result = this.#job.result;
    if (this.#job.running) return "a check for updates is still running";
    if (!result || result.kind === "error") return "nothing to install: check for updates first";
    const release = result.release;
    if (result.kind === "upToDate" && !allowDowngrade)
      return `${release.tag} (${release.version}) is not newer than the running ${this.#options.running().version}: send "allowDowngrade": true to install it anyway`;
    const settings = this.checkSettings();
    let privateHeaders: OtaRequest["privateHeaders"];
    if (release.viaApi && settings.token !== "") {
      try {
        privateHeaders = { host: parseHttpUrl(release.url, { https: true }).host, headers: { Authorization: `Bearer ${settings.token}` } };
      } catch {
        privateHeaders = undefined;
      }
    }
    this.#context.log.info(`installing ${release.tag} (${release.version}) from GitHub: ${release.asset}, ${release.size} bytes`);
    return this.#options.start({
      url: release.url,
      https: true,
      headers: { Accept: "application/octet-stream", "User-Agent": `iot-manager/${FRAMEWORK_VERSION}` },
      privateHeaders,
      maxRedirects: 8,
      size: release.size,
      ...(release.sha256 !== undefined ? { sha256: release.sha256 } : {}),
    });
  }

  /** The page's lines, when a repository is set. */
  pageModel(): { repo: string; line: string; availableVersion?: string; notes?: string } | undefined {
    const repo = String(this.#context.config.get("ota_github_repo"));
    if (repo === "") return undefined;
    const job = this.#job;
    const result = job.result;
    if (job.running) return { repo, line: "checking..." };
    if (job.state === "failed") return { repo, line: `check failed: ${job.error ?? ""}` };
    if (result?.kind === "available") return { repo, line: `${result.release.version} (${result.release.tag}) is available`, availableVersion: result.release.version, notes: result.release.notes };
    if (result?.kind === "upToDate") return { repo, line: "up to date" };
    return { repo, line: "not checked yet" };
  }

  status(): Record<string, unknown> {
    const job = this.#job;
    const result = job.result;
    const out: Record<string, unknown> = { checking: job.running };
    if (result && result.kind !== "error" && job.state === "done") {
      const r = result.release;
      const shown = { version: r.version, tag: r.tag, asset: r.asset, size: r.size, notes: r.notes, prerelease: r.prerelease };
      if (result.kind === "available") out.available = shown;
      else {
        out.upToDate = true;
        out.latest = shown;
      }
    }
    if (job.state === "failed" && job.error !== undefined) out.checkError = job.error;
    if (job.state !== "idle" && !job.running) out.checkedAgoS = Math.round(job.ageMs / 1000);
    const next = this.#auto.nextCheckInMs;
    const config = this.#context.config;
    out.github = {
      repo: String(config.get("ota_github_repo")),
      channel: String(config.get("ota_github_channel")),
      auto: String(config.get("ota_auto")),
      ...(next !== undefined ? { nextCheckInS: Math.round(next / 1000) } : {}),
      decision: this.#auto.lastDecision,
    };
    return out;
  }
}
