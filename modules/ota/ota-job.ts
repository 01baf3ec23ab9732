/*
 * OtaJob: one over-the-air update at a time, from URL to "ready to reboot".
 *
 *   idle ──start()──▶ downloading ──body ends, all checks pass──▶ verifying ──▶ rebooting
 *                         │ any failure                               │ refused
 *                         ▼                                           ▼
 *                       failed ◀──────────────────────────────────────┘   (start() again works)
 *
 * The image streams from the HttpClient through the AppImageVerifier into the Updater, one
 * fragment at a time: each fragment is checked BEFORE it is written, so a file that is not an
 * app image never reaches flash. Checked as soon as the bytes allow: the HTTP status (redirects
 * followed, at most maxRedirects), the Content-Length against the partition, the image magic,
 * the segment count, segment sizes, the chip, the descriptor magic, and the project name
 * against the running app's (unless the request allows another project). Checked at the end:
 * the byte count, the checksum, the appended SHA-256, and the SHA-256 the request expects.
 * No data for stallTimeoutMs fails the job too.
 *
 * Any failure aborts the download, cancels the partition write (the running app and the boot
 * choice are untouched) and leaves a plain-words error in status(). On success the Updater has
 * selected the new image and onReady() is called; rebooting is the caller's business.
 *
 * Memory: per fragment nothing is allocated here; the verifier holds under a kilobyte.
 */

import type { Clock, TimerId } from "../host/clock";
import type { Sha256Factory } from "../host/digest";
import type { HttpClient, HttpDownload, HttpDownloadHandler, HttpGetOptions, HttpResponseHead } from "../http/http-client";
import type { Updater } from "../host/updater";
import { STATUS_TEXT } from "../http/response";
import type { Logger } from "../log/logger";
import { AppImageVerifier, chipName, ImageError, type AppImageSummary } from "./app-image-verifier";
import { checkImageTarget, formatUrl, parseHttpUrl, resolveLocation, UrlError } from "./ota-url";
import { isSha256Hex } from "../crypto/sha256";

export type OtaState = "idle" | "downloading" | "verifying" | "rebooting" | "failed";

export interface OtaRequest {
  url: string;
  /** SHA-256 (hex) the whole file must have. */
  sha256?: string;
  /** Accept an image whose project name differs from the running app's. */
  allowOtherProject?: boolean;
  /** An https download (the GitHub source): the URL and every redirect must be https. */
  https?: boolean;
  /** Request headers for every hop (Accept: application/octet-stream). */
  headers?: Readonly<Record<string, string>>;
  /** Headers for one host only (a GitHub token): not sent once a redirect leaves it. */
  privateHeaders?: { readonly host: string; readonly headers: Readonly<Record<string, string>> };
  /** Redirects to follow (the job's maxRedirects by default). */
  maxRedirects?: number;
  /** The size the source announced: a Content-Length that differs fails at once. */
  size?: number;
}

export interface OtaProgress {
  state: OtaState;
  /** Bytes of the image received so far. */
  received: number;
  /** Bytes expected (Content-Length), 0 while unknown. */
  total: number;
  /** What went wrong, in plain words; "" when nothing did. */
  error: string;
}

export interface OtaJobOptions {
  updater: Updater;
  client: HttpClient;
  clock: Clock;
  log?: Logger;
  /** Fail when no byte arrives for this long (ms). */
  stallTimeoutMs?: number;
  maxRedirects?: number;
  /** Called once the new image is written, verified and selected for the next boot. */
  onReady?: (image: AppImageSummary) => void;
  /** The host's SHA-256 (native on the device: the pure-JS one is slow there). */
  sha256?: Sha256Factory;
}

/** Thrown by start() while a job runs (the API answers 409). */
export class OtaBusyError extends Error {}
// On the prototype, as built-in errors have it: `this.name = ...` throws where preloading froze Error.prototype.
Object.defineProperty(OtaBusyError.prototype, "name", { value: "OtaBusyError", writable: true, configurable: true });

/** Thrown by start() for a request that cannot be tried (the API answers 400). */
export class OtaRequestError extends Error {}
// On the prototype, as built-in errors have it: `this.name = ...` throws where preloading froze Error.prototype.
Object.defineProperty(OtaRequestError.prototype, "name", { value: "OtaRequestError", writable: true, configurable: true });

const REDIRECTS = Object.freeze([301, 302, 303, 307, 308]);

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/** Receives one HTTP exchange's calls and hands them to the job while that exchange is current. */
class Exchange implements HttpDownloadHandler {
  readonly #job: OtaJob;
  readonly #id: number;
  constructor(job: OtaJob, id: number) {
    this.#job = job;
    this.#id = id;
  }
  response(head: HttpResponseHead): void {
    this.#job.onResponse(this.#id, head);
  }
  data(fragment: Uint8Array): void {
    this.#job.onData(this.#id, fragment);
  }
  end(): void {
    this.#job.onEnd(this.#id);
  }
  error(message: string): void {
    this.#job.onError(this.#id, message);
  }
}

export class OtaJob {
  readonly #updater: Updater;
  readonly #client: HttpClient;
  readonly #clock: Clock;
  readonly #log: Logger | undefined;
  readonly #stallMs: number;
  readonly #maxRedirects: number;
  readonly #onReady: ((image: AppImageSummary) => void) | undefined;
  readonly #sha256: Sha256Factory | undefined;

  #state: OtaState = "idle";
  #received = 0;
  #total = 0;
  #error = "";

  #request: OtaRequest | undefined;
  #target: HttpGetOptions | undefined;
  #exchange = 0;
  #download: HttpDownload | undefined;
  #responded = false;
  #redirects = 0;
  #writing = false;
  #verifier: AppImageVerifier | undefined;
  #descriptorChecked = false;
  #chipChecked = false;
  #lastActivity = 0;
  #watchdog: TimerId | undefined;
  #completeTimer: TimerId | undefined;

  constructor(options: OtaJobOptions) {
    this.#updater = options.updater;
    this.#client = options.client;
    this.#clock = options.clock;
    this.#log = options.log;
    this.#stallMs = options.stallTimeoutMs ?? 20_000;
    this.#maxRedirects = options.maxRedirects ?? 3;
    this.#onReady = options.onReady;
    this.#sha256 = options.sha256;
  }

  get state(): OtaState {
    return this.#state;
  }

  get running(): boolean {
    return this.#state === "downloading" || this.#state === "verifying" || this.#state === "rebooting";
  }

  status(): OtaProgress {
    return { state: this.#state, received: this.#received, total: this.#total, error: this.#error };
  }

  /** Shows a failure that happened before this boot (a rolled-back update) until the next start(). */
  reportFailure(message: string): void {
    if (this.running) return;
    this.#state = "failed";
    this.#error = message;
  }

  /** Forgets the failure shown (a factory reset dismissed it); nothing while a job runs. */
  dismissFailure(): void {
    if (this.#state !== "failed") return;
    this.#state = "idle";
    this.#error = "";
  }

  /** Starts an update; throws OtaBusyError while one runs, OtaRequestError for a bad request. */
  start(request: OtaRequest): void {
    if (this.running) throw new OtaBusyError(`an update is already ${this.#state}`);
    let target: HttpGetOptions;
    try {
      // A GitHub release's asset (https, from the API's answer) is an API path or a signed URL
      // with a query: the .bin rule is for addresses someone typed or saved.
      target = request.https === true ? parseHttpUrl(request.url, { https: true }) : checkImageTarget(parseHttpUrl(request.url), false);
    } catch (e) {
      throw new OtaRequestError(e instanceof UrlError ? e.message : String(e));
    }
    if (request.sha256 !== undefined && !isSha256Hex(request.sha256))
      throw new OtaRequestError("sha256 must be 64 hexadecimal digits");
    this.#request = request;
    this.#state = "downloading";
    this.#received = 0;
    this.#total = 0;
    this.#error = "";
    this.#redirects = 0;
    this.#descriptorChecked = false;
    this.#chipChecked = false;
    this.#verifier = new AppImageVerifier({
      maxBytes: this.#updater.partitionSize,
      wholeFileSha256: request.sha256 !== undefined,
      sha256: this.#sha256,
    });
    this.#lastActivity = this.#clock.now();
    // One repeating check instead of a timer re-armed per fragment (a timer is an allocation).
    const every = Math.max(50, Math.min(1000, this.#stallMs >> 2));
    this.#watchdog = this.#clock.set(() => this.checkStall(), every, every);
    this.#log?.info(`update from ${formatUrl(target)}`);
    this.fetch(target);
  }

  /** Stops a running job (the feature is detached); the partition write is cancelled. */
  stop(): void {
    if (this.#state === "downloading" || this.#state === "verifying") this.fail("the update was stopped");
    this.#clock.clear(this.#watchdog);
    this.#watchdog = undefined;
  }

  private fetch(target: HttpGetOptions): void {
    this.#target = target;
    this.#responded = false;
    const id = ++this.#exchange;
    const request = this.#request;
    let headers = request?.headers;
    const own = request?.privateHeaders;
    if (own && own.host === target.host) headers = { ...headers, ...own.headers };
    try {
      this.#download = this.#client.get(headers ? { ...target, headers } : target, new Exchange(this, id));
    } catch (e) {
      this.fail(`could not reach ${target.host}:${target.port}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** @internal called by the current Exchange */
  onResponse(id: number, head: HttpResponseHead): void {
    if (id !== this.#exchange || this.#state !== "downloading") return;
    this.#lastActivity = this.#clock.now();
    this.#responded = true;
    const target = this.#target as HttpGetOptions;
    const status = head.status;
    if (REDIRECTS.includes(status)) {
      if (head.location === undefined) return this.fail(`the server answered ${status} (a redirect) without saying where to`);
      const most = this.#request?.maxRedirects ?? this.#maxRedirects;
      if (this.#redirects >= most) return this.fail(`too many redirects (more than ${most}): the download went round in circles`);
      let next: HttpGetOptions;
      try {
        const https = this.#request?.https === true;
        next = https ? resolveLocation(target, head.location, { https }) : checkImageTarget(resolveLocation(target, head.location), true);
      } catch (e) {
        return this.fail(e instanceof Error ? e.message : String(e));
      }
      this.#redirects++;
      this.abortDownload();
      this.#log?.info(`redirected to ${formatUrl(next)}`);
      return this.fetch(next);
    }
    if (status !== 200) {
      const text = STATUS_TEXT[status];
      return this.fail(`the server answered ${status}${text ? " " + text : ""} for ${formatUrl(target)}`);
    }
    const size = this.#updater.partitionSize;
    if (head.contentLength !== undefined) {
      if (head.contentLength > size) return this.fail(`the file is larger than the update partition (${size} bytes)`);
      if (head.contentLength === 0) return this.fail("the server sent an empty file");
      const announced = this.#request?.size;
      if (announced !== undefined && head.contentLength !== announced)
        return this.fail(`the server sends ${head.contentLength} bytes, but the release says the image has ${announced}`);
      this.#total = head.contentLength;
    }
    try {
      this.#updater.begin();
      this.#writing = true;
    } catch (e) {
      this.fail(`could not open the update partition: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** @internal */
  onData(id: number, fragment: Uint8Array): void {
    if (id !== this.#exchange || this.#state !== "downloading" || !this.#writing) return;
    this.#lastActivity = this.#clock.now();
    const verifier = this.#verifier as AppImageVerifier;
    if (this.#total && this.#received + fragment.length > this.#total)
      return this.fail(`the server sent more than the ${this.#total} bytes it announced`);
    try {
      verifier.update(fragment);
    } catch (e) {
      return this.fail(e instanceof ImageError ? e.message : `checking the image failed: ${String(e)}`);
    }
    if (!this.#chipChecked && verifier.chipId !== undefined) {
      this.#chipChecked = true;
      const mine = this.#updater.running().chipId;
      if (mine !== undefined && verifier.chipId !== mine)
        return this.fail(`the image is built for ${chipName(verifier.chipId)}, but this device is ${chipName(mine)}`);
    }
    if (!this.#descriptorChecked && verifier.descriptor) {
      this.#descriptorChecked = true;
      const running = this.#updater.running();
      const image = verifier.descriptor;
      if (image.project !== running.project && !this.#request?.allowOtherProject)
        return this.fail(`the image is for project "${image.project}", but this device runs "${running.project}" (send allowOtherProject to install it anyway)`);
      this.#log?.info(`image: ${image.project} ${image.version}`);
    }
    try {
      this.#updater.write(fragment);
    } catch (e) {
      return this.fail(`writing the update to flash failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.#received += fragment.length;
  }

  /** @internal */
  onEnd(id: number): void {
    if (id !== this.#exchange || this.#state !== "downloading") return;
    this.#download = undefined;
    if (!this.#writing) return this.fail("the server closed the connection without sending the image");
    if (this.#total && this.#received < this.#total)
      return this.fail(`the download ended early: ${this.#received} of ${this.#total} bytes arrived`);
    const announced = this.#request?.size;
    if (announced !== undefined && this.#received !== announced)
      return this.fail(`${this.#received} bytes arrived, but the release says the image has ${announced}`);
    let summary: AppImageSummary;
    try {
      summary = (this.#verifier as AppImageVerifier).finish();
    } catch (e) {
      return this.fail(e instanceof ImageError ? e.message : `checking the image failed: ${String(e)}`);
    }
    const expected = this.#request?.sha256?.toLowerCase();
    if (expected !== undefined && summary.sha256 !== expected)
      return this.fail(`the file's SHA-256 is ${summary.sha256}, not the expected ${expected}`);
    this.#state = "verifying";
    this.#verifier = undefined;
    this.#clock.clear(this.#watchdog);
    this.#watchdog = undefined;
    // complete() verifies the whole partition on the device and takes a while: let a status
    // request see "verifying" first.
    this.#completeTimer = this.#clock.set(() => this.complete(summary), 0);
  }

  /** @internal */
  onError(id: number, message: string): void {
    if (id !== this.#exchange || this.#state !== "downloading") return;
    this.#download = undefined;
    const target = this.#target as HttpGetOptions;
    if (!this.#responded) return this.fail(`could not download from ${target.host}:${target.port}: ${message}`);
    const of = this.#total ? ` of ${this.#total}` : "";
    this.fail(`the download broke off after ${this.#received}${of} bytes: ${message}`);
  }

  private complete(summary: AppImageSummary): void {
    this.#completeTimer = undefined;
    if (this.#state !== "verifying") return;
    try {
      this.#writing = false;
      // What was checked as it streamed: a host that can trust its partition need not read it back.
      this.#updater.complete(summary);
    } catch (e) {
      this.#writing = true; // so that fail cancels what is left of the session
      return this.fail(`the device refused the image: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.#state = "rebooting";
    this.#log?.info(`update to ${summary.project} ${summary.version} is ready (${summary.length} bytes)`);
    this.#onReady?.(summary);
  }

  private checkStall(): void {
    if (this.#state !== "downloading") return;
    const quiet = this.#clock.now() - this.#lastActivity;
    if (quiet < this.#stallMs) return;
    const target = this.#target as HttpGetOptions;
    if (!this.#responded) this.fail(`${target.host}:${target.port} did not answer within ${seconds(this.#stallMs)}`);
    else this.fail(`no data from the server for ${seconds(quiet)} (after ${this.#received} bytes)`);
  }

  private abortDownload(): void {
    const download = this.#download;
    this.#download = undefined;
    this.#exchange++; // whatever the old exchange still says is ignored
    try {
      download?.abort();
    } catch {
      // Aborting is best effort: the connection may already be gone.
    }
  }

  private fail(message: string): void {
    if (this.#state !== "downloading" && this.#state !== "verifying") return;
    this.#state = "failed";
    this.#error = message;
    this.abortDownload();
    this.#clock.clear(this.#watchdog);
    this.#watchdog = undefined;
    this.#clock.clear(this.#completeTimer);
    this.#completeTimer = undefined;
    if (this.#writing) {
      this.#writing = false;
      try {
        this.#updater.cancel();
      } catch (e) {
        this.#log?.error(`cancelling the partition write failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    this.#verifier = undefined;
    this.#log?.warn(`update failed: ${message}`);
  }
}
