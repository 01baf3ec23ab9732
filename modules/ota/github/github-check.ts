/*
 * GithubCheck: one "is there a newer release?" against GitHub's releases API, over the core's
 * HttpClient (https), ending in exactly one report: available (a newer release, its asset and
 * what to verify it with), upToDate, or an error in plain words. Nothing here touches the
 * running app: installing is the OTA job's, on request.
 *
 * - The request: GET {api}/repos/{owner}/{name}/releases/latest (stable), /releases?per_page=10
 *   (prerelease: the highest version among them, prereleases included), /releases/tags/{tag}
 *   (tag:, and branch: as edge-<branch>), with User-Agent, Accept: application/vnd.github+json,
 *   X-GitHub-Api-Version, Authorization with the token, and If-None-Match with the ETag of the
 *   last answer to the same question: a 304 reuses that answer and costs no quota.
 * - 403 or 429 with x-ratelimit-remaining: 0 (or a Retry-After) says until when, and no request
 *   is made before then (a check asked for earlier answers the same at once).
 * - Redirects (a renamed repository, an asset) are followed across hosts, at most 8, https
 *   only; the token goes to the API's host and nowhere else.
 * - The release JSON is read as it streams (release-reader.ts), never held. The version is the
 *   tag's (a leading v ignored), or the manifest's for a branch channel; compared as semantic
 *   versions with the running one: only a newer one is available (an older or equal one is up
 *   to date; installing it anyway is asked for explicitly).
 * - A manifest.json asset ({version, sha256, size, project}, at most 4 KB) is fetched and
 *   checked against the release: its SHA-256 is what the image must have; otherwise GitHub's
 *   own asset digest (sha256:...) when it gave one.
 */

import type { Clock } from "../../host/clock";
import type { TextCodec } from "../../host/text-codec";
import type { HttpClient, HttpDownload, HttpDownloadHandler, HttpGetOptions, HttpResponseHead } from "../../http/http-client";
import type { Logger } from "../../log/logger";
import { isSha256Hex } from "../../crypto/sha256";
import { formatUrl, parseHttpUrl, resolveLocation, UrlError } from "../ota-url";
import { MANIFEST_ASSET, ReleaseError, ReleaseReader, type Release, type ReleaseAsset } from "./release-reader";
import { compareSemver, parseSemver, type Semver } from "./semver";
import { parseChannel, parseRepo, type Channel } from "./github-settings";

export interface GithubCheckSettings {
  readonly repo: string;
  readonly channel: string;
  readonly asset: string;
  readonly token: string;
  readonly api: string;
}

export interface AvailableRelease {
  readonly version: string;
  readonly tag: string;
  readonly asset: string;
  readonly size: number;
  /** The first lines of the release notes. */
  readonly notes: string;
  readonly prerelease: boolean;
  /** SHA-256 the image must have (from manifest.json, else GitHub's digest), when known. */
  readonly sha256?: string;
  /** Where the bytes are: the API's asset URL with a token, github.com's download URL without. */
  readonly url: string;
  /** True when url is the API's (the token goes with the first request). */
  readonly viaApi: boolean;
  /** Older than or equal to the running version (only installed when asked). */
  readonly older: boolean;
}

export type CheckReport =
  | { readonly kind: "available"; readonly release: AvailableRelease }
  | { readonly kind: "upToDate"; readonly release: AvailableRelease }
  | { readonly kind: "error"; readonly error: string };

export interface GithubCheckOptions {
  readonly client: HttpClient;
  readonly clock: Clock;
  /** Wall-clock ms (x-ratelimit-reset is a calendar time). */
  readonly wallNow: () => number;
  readonly text: TextCodec;
  readonly log?: Logger;
  /** Sent as User-Agent (GitHub refuses requests without one). */
  readonly userAgent: string;
}

const API_VERSION = "2022-11-28";
const MAX_HOPS = 8;
const MANIFEST_MAX_BYTES = 4096;
const NOTES_LINES = 6;
const NOTES_CHARS = 300;
const KEEP = Object.freeze(["etag", "x-ratelimit-remaining", "x-ratelimit-reset", "retry-after"]);

interface Cached {
  readonly question: string;
  readonly etag: string;
  readonly release: Release;
  readonly manifest: ManifestFacts | undefined;
}

interface ManifestFacts {
  readonly version?: string;
  readonly sha256?: string;
  readonly size?: number;
  readonly project?: string;
}

function firstLines(notes: string): string {
  const lines = notes.split("\n").map((l) => l.trimEnd());
  let out = lines.slice(0, NOTES_LINES).join("\n").trim();
  if (out.length > NOTES_CHARS) out = out.slice(0, NOTES_CHARS);
  if (out.length < notes.trim().length) out += " ...";
  return out;
}

function clockText(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}

/** One fetch over https with its redirects: head and body go to the handler of the final hop. */
class Fetch implements HttpDownloadHandler {
  readonly #client: HttpClient;
  readonly #onHead: (head: HttpResponseHead, target: HttpGetOptions) => boolean;
  readonly #onData: (bytes: Uint8Array) => void;
  readonly #onEnd: () => void;
  readonly #onError: (message: string) => void;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #privateHost: string;
  readonly #privateHeaders: Readonly<Record<string, string>>;
  #target: HttpGetOptions;
  #download: HttpDownload | undefined;
  #hops = 0;
  #body = false;
  #done = false;

  constructor(
    client: HttpClient,
    target: HttpGetOptions,
    headers: Readonly<Record<string, string>>,
    privateHeaders: Readonly<Record<string, string>>,
    on: {
      head: (head: HttpResponseHead, target: HttpGetOptions) => boolean;
      data: (bytes: Uint8Array) => void;
      end: () => void;
      error: (message: string) => void;
    },
  ) {
    this.#client = client;
    this.#target = target;
    this.#headers = headers;
    this.#privateHost = target.host;
    this.#privateHeaders = privateHeaders;
    this.#onHead = on.head;
    this.#onData = on.data;
    this.#onEnd = on.end;
    this.#onError = on.error;
    this.#go();
  }

  #go(): void {
    const target = this.#target;
    const headers = target.host === this.#privateHost ? { ...this.#headers, ...this.#privateHeaders } : this.#headers;
    this.#body = false;
    try {
      this.#download = this.#client.get({ ...target, headers, keep: KEEP }, this);
    } catch (e) {
      this.#error(`could not ask ${target.host}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  response(head: HttpResponseHead): void {
    if (this.#done) return;
    const status = head.status;
    if (status === 301 || status === 302 || status === 303 || status === 307 || status === 308) {
      if (head.location === undefined) return this.#error(`${this.#target.host} answered ${status} without saying where to`);
      if (++this.#hops > MAX_HOPS) return this.#error(`too many redirects (more than ${MAX_HOPS}): the download goes round in circles`);
      let next: HttpGetOptions;
      try {
        next = resolveLocation(this.#target, head.location, { https: true });
      } catch (e) {
        return this.#error(e instanceof UrlError ? e.message : String(e));
      }
      this.#download?.abort();
      this.#target = next;
      this.#go();
      return;
    }
    this.#body = this.#onHead(head, this.#target);
    if (!this.#body) this.abort();
  }

  data(fragment: Uint8Array): void {
    if (!this.#done && this.#body) this.#onData(fragment);
  }

  end(): void {
    if (this.#done || !this.#body) return;
    this.#done = true;
    this.#onEnd();
  }

  error(message: string): void {
    this.#error(`${this.#target.host}: ${message}`);
  }

  #error(message: string): void {
    if (this.#done) return;
    this.#done = true;
    this.#download?.abort();
    this.#onError(message);
  }

  abort(): void {
    this.#done = true;
    this.#download?.abort();
  }
}

export class GithubCheck {
  readonly #options: GithubCheckOptions;
  #cached: Cached | undefined;
  /** Monotonic ms before which GitHub said not to ask, and what it said. */
  #blockedUntil = 0;
  #blockedWhy = "";
  #fetch: Fetch | undefined;

  constructor(options: GithubCheckOptions) {
    this.#options = options;
  }

  /** Why checks wait, while GitHub's rate limit holds them; undefined when they may go. */
  get blocked(): string | undefined {
    return this.#options.clock.now() < this.#blockedUntil ? this.#blockedWhy : undefined;
  }

  /** Ms until the rate limit lets checks go again (0 when it does). */
  get blockedForMs(): number {
    return Math.max(0, this.#blockedUntil - this.#options.clock.now());
  }

  /** Forgets the cached answer (the repository or channel changed). */
  forget(): void {
    this.#cached = undefined;
  }

  /** Runs one check; report() is called once. Returns a cancel function. */
  check(settings: GithubCheckSettings, running: { version: string; project: string }, report: (r: CheckReport) => void): () => void {
    let over = false;
    const finish = (r: CheckReport): void => {
      if (over) return;
      over = true;
      this.#fetch = undefined;
      report(r);
    };
    const cancel = (): void => {
      over = true;
      this.#fetch?.abort();
      this.#fetch = undefined;
    };
    const fail = (error: string): void => finish({ kind: "error", error });

    const repo = parseRepo(settings.repo);
    if (!repo) {
      fail(settings.repo === "" ? "no repository: set ota_github_repo to owner/name" : `"${settings.repo}" is not a repository as owner/name`);
      return cancel;
    }
    const channel = parseChannel(settings.channel);
    if ("error" in channel) {
      fail(`ota_github_channel: ${channel.error}`);
      return cancel;
    }
    let api: HttpGetOptions;
    try {
      api = parseHttpUrl(settings.api, { https: true });
    } catch (e) {
      fail(`ota_github_api: ${e instanceof Error ? e.message : String(e)}`);
      return cancel;
    }
    const blocked = this.blocked;
    if (blocked !== undefined) {
      fail(blocked);
      return cancel;
    }
    const prefix = api.path === "/" ? "" : api.path.replace(/\/+$/, "");
    const base = `${prefix}/repos/${repo.owner}/${repo.name}`;
    const path = channel.kind === "stable" ? `${base}/releases/latest` : channel.kind === "prerelease" ? `${base}/releases?per_page=10` : `${base}/releases/tags/${encodeURIComponent(channel.tag)}`;
    const question = `${api.host}:${api.port}${path} ${settings.asset} ${settings.token === "" ? "" : "token"}`;
    const cached = this.#cached?.question === question ? this.#cached : undefined;
    const headers: Record<string, string> = {
      "User-Agent": this.#options.userAgent,
      Accept: "application/vnd.github+json",
      "X-GitHub-Api-Version": API_VERSION,
    };
    if (cached) headers["If-None-Match"] = cached.etag;
    const secret: Record<string, string> = settings.token === "" ? {} : { Authorization: `Bearer ${settings.token}` };
    const reader = new ReleaseReader({ list: channel.kind === "prerelease", prereleases: true, assetPattern: settings.asset, text: this.#options.text });
    let etag = "";
    let failed = false;
    const where = `${repo.owner}/${repo.name}`;
    this.#options.log?.info(`checking ${where} (${settings.channel}) for a release newer than ${running.version || "?"}`);
    this.#fetch = new Fetch(this.#options.client, { ...api, path }, headers, secret, {
      head: (head) => {
        if (head.status === 304 && cached) {
          this.#options.log?.info("GitHub: not modified since the last check (304): the release found then stands");
          this.#decide(cached.release, cached.manifest, channel, settings, running, finish);
          over = true;
          return false;
        }
        if (head.status !== 200) {
          fail(this.#statusError(head, where, channel, settings.token !== ""));
          return false;
        }
        etag = head.headers?.etag ?? "";
        return true;
      },
      data: (bytes) => {
        if (failed) return;
        try {
          reader.push(bytes);
        } catch (e) {
          failed = true;
          cancel();
          over = false;
          fail(e instanceof ReleaseError ? e.message : String(e));
        }
      },
      end: () => {
        if (failed) return;
        let release: Release;
        try {
          release = reader.finish();
        } catch (e) {
          return fail(e instanceof ReleaseError ? e.message : String(e));
        }
        this.#withManifest(release, secret, (manifest) => {
          if (typeof manifest === "string") return fail(manifest);
          if (etag !== "") this.#cached = Object.freeze({ question, etag, release, manifest });
          this.#decide(release, manifest, channel, settings, running, finish);
        });
      },
      error: (message) => fail(`could not reach GitHub: ${message}`),
    });
    return cancel;
  }

  #statusError(head: HttpResponseHead, where: string, channel: Channel, withToken: boolean): string {
    const status = head.status;
    const h = head.headers ?? {};
    if ((status === 403 || status === 429) && (h["x-ratelimit-remaining"] === "0" || h["retry-after"] !== undefined)) {
      let waitMs = 60_000;
      const reset = Number(h["x-ratelimit-reset"]);
      const retry = Number(h["retry-after"]);
      if (h["retry-after"] !== undefined && Number.isFinite(retry) && retry >= 0) waitMs = retry * 1000;
      else if (Number.isFinite(reset) && reset > 0) waitMs = reset * 1000 - this.#options.wallNow();
      waitMs = Math.min(Math.max(waitMs, 1000), 24 * 3600_000);
      const until = this.#options.wallNow() + waitMs;
      this.#blockedUntil = this.#options.clock.now() + waitMs;
      this.#blockedWhy = `GitHub's rate limit is used up (${withToken ? "5,000" : "60"} requests an hour${withToken ? "" : " without a token, shared by everything behind your router"}): checks wait until ${clockText(until)} UTC`;
      this.#options.log?.warn(this.#blockedWhy);
      return this.#blockedWhy;
    }
    if (status === 401) return "GitHub refused the token (401): check ota_github_token (it may have expired)";
    if (status === 403) return "GitHub refused access (403): the token may lack read access to this repository's contents";
    if (status === 404) {
      if (channel.kind === "stable") return `no published release in ${where}: the repository does not exist, is private (set ota_github_token), or has only prereleases or drafts`;
      if (channel.kind === "prerelease") return `the repository ${where} does not exist, or is private (set ota_github_token)`;
      return `${where} has no release tagged ${channel.tag}`;
    }
    return `GitHub answered ${status} for ${where}`;
  }

  /** Fetches and reads manifest.json when the release has one; a string is the error. */
  #withManifest(release: Release, secret: Record<string, string>, then: (m: ManifestFacts | undefined | string) => void): void {
    const asset = release.manifest;
    if (!asset) return then(undefined);
    if (asset.size > MANIFEST_MAX_BYTES) return then(`the release's ${MANIFEST_ASSET} is ${asset.size} bytes; at most ${MANIFEST_MAX_BYTES} are read`);
    const source = this.#assetSource(asset, secret);
    let target: HttpGetOptions;
    try {
      target = parseHttpUrl(source.url, { https: true });
    } catch (e) {
      return then(`the release's ${MANIFEST_ASSET} has no usable URL: ${e instanceof Error ? e.message : String(e)}`);
    }
    // Made at the answer's head, its size when the head gives one: not before the redirects (an
    // asset's go across hosts, five in the stand-in's), which it would outlive in the check's peak.
    let bytes: Uint8Array | undefined;
    let length = 0;
    let over = false;
    this.#fetch = new Fetch(this.#options.client, target, { "User-Agent": this.#options.userAgent, Accept: "application/octet-stream" }, source.secret, {
      head: (head) => {
        if (head.status === 200) {
          const size = head.contentLength ?? MANIFEST_MAX_BYTES;
          // Refused at the head: a file of megabytes named manifest.json is not read first.
          if (size > MANIFEST_MAX_BYTES) {
            then(`the release's ${MANIFEST_ASSET} is larger than ${MANIFEST_MAX_BYTES} bytes`);
            return false;
          }
          bytes = new Uint8Array(size);
          return true;
        }
        then(`could not fetch the release's ${MANIFEST_ASSET}: GitHub answered ${head.status}`);
        return false;
      },
      data: (fragment) => {
        if (over || !bytes) return;
        if (length + fragment.length > bytes.length) {
          over = true;
          return;
        }
        bytes.set(fragment, length);
        length += fragment.length;
      },
      end: () => {
        if (over || !bytes) return then(`the release's ${MANIFEST_ASSET} is larger than ${MANIFEST_MAX_BYTES} bytes`);
        then(this.#readManifest(bytes.subarray(0, length)));
      },
      error: (message) => then(`could not fetch the release's ${MANIFEST_ASSET}: ${message}`),
    });
  }

  #readManifest(bytes: Uint8Array): ManifestFacts | string {
    let value: unknown;
    try {
      value = JSON.parse(this.#options.text.decode(bytes));
    } catch {
      return `the release's ${MANIFEST_ASSET} is not JSON`;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) return `the release's ${MANIFEST_ASSET} is not a JSON object`;
    const m = value as Record<string, unknown>;
    const out: { version?: string; sha256?: string; size?: number; project?: string } = {};
    if (m.version !== undefined) {
      if (typeof m.version !== "string") return `${MANIFEST_ASSET}: version must be a string`;
      out.version = m.version;
    }
    if (m.sha256 !== undefined) {
      if (typeof m.sha256 !== "string" || !isSha256Hex(m.sha256)) return `${MANIFEST_ASSET}: sha256 must be 64 hexadecimal digits`;
      out.sha256 = m.sha256.toLowerCase();
    }
    if (m.size !== undefined) {
      if (typeof m.size !== "number" || !Number.isInteger(m.size) || m.size <= 0) return `${MANIFEST_ASSET}: size must be a whole number of bytes`;
      out.size = m.size;
    }
    if (m.project !== undefined) {
      if (typeof m.project !== "string") return `${MANIFEST_ASSET}: project must be a string`;
      out.project = m.project;
    }
    return out;
  }

  #assetSource(asset: ReleaseAsset, secret: Record<string, string>): { url: string; secret: Record<string, string>; viaApi: boolean } {
    // With a token (a private repository) the API's asset URL, which takes it; without, the
    // download URL, which costs no API quota.
    if (secret.Authorization !== undefined && asset.url !== "") return { url: asset.url, secret, viaApi: true };
    return { url: asset.downloadUrl || asset.url, secret: {}, viaApi: asset.downloadUrl === "" };
  }

  #decide(
    release: Release,
    manifest: ManifestFacts | undefined,
    channel: Channel,
    settings: GithubCheckSettings,
    running: { version: string; project: string },
    finish: (r: CheckReport) => void,
  ): void {
    const fail = (error: string): void => finish({ kind: "error", error });
    const label = `release ${release.tag}`;
    if (release.assets.length === 0)
      return fail(`${label} has no asset named ${settings.asset} (it has ${release.assetCount} asset${release.assetCount === 1 ? "" : "s"}): set ota_github_asset to the image's file name`);
    if (release.assets.length > 1)
      return fail(`${label} has ${release.assets.length}${release.assets.length >= 4 ? " or more" : ""} assets matching ${settings.asset} (${release.assets.map((a) => a.name).join(", ")}): set ota_github_asset to one of them`);
    const asset = release.assets[0];
    let version: Semver | undefined = release.version;
    if (manifest?.version !== undefined) {
      const stated = parseSemver(manifest.version);
      if (!stated) return fail(`${MANIFEST_ASSET} of ${label}: "${manifest.version.slice(0, 40)}" is not a semantic version`);
      if (version && compareSemver(version, stated) !== 0 && channel.kind !== "branch")
        return fail(`${label}: its tag says ${version.text} but its ${MANIFEST_ASSET} says ${stated.text}`);
      version = stated;
    }
    if (!version)
      return fail(
        channel.kind === "branch"
          ? `${label} has no version to compare: its CI should attach a ${MANIFEST_ASSET} with {"version": ...}`
          : `${label}: the tag "${release.tag.slice(0, 40)}" is not a semantic version (such as v1.2.3)`,
      );
    if (manifest?.size !== undefined && manifest.size !== asset.size)
      return fail(`${label}: ${asset.name} is ${asset.size} bytes but its ${MANIFEST_ASSET} says ${manifest.size}`);
    if (manifest?.project !== undefined && running.project !== "" && manifest.project !== running.project)
      return fail(`${label} is for project "${manifest.project}", but this device runs "${running.project}"`);
    if (asset.size <= 0) return fail(`${label}: ${asset.name} is empty`);
    let sha256 = manifest?.sha256;
    if (sha256 === undefined && asset.digest.startsWith("sha256:") && isSha256Hex(asset.digest.slice(7))) sha256 = asset.digest.slice(7).toLowerCase();
    const secret: Record<string, string> = settings.token === "" ? {} : { Authorization: `Bearer ${settings.token}` };
    const source = this.#assetSource(asset, secret);
    const current = parseSemver(running.version);
    const older = current !== undefined && compareSemver(version, current) <= 0;
    const found: AvailableRelease = Object.freeze({
      version: version.text,
      tag: release.tag,
      asset: asset.name,
      size: asset.size,
      notes: firstLines(release.notes),
      prerelease: release.prerelease,
      ...(sha256 !== undefined ? { sha256 } : {}),
      url: source.url,
      viaApi: source.viaApi,
      older,
    });
    const log = this.#options.log;
    if (older) log?.info(`up to date: ${release.tag} (${version.text}) is not newer than ${running.version}`);
    else log?.info(`available: ${release.tag} (${version.text}), ${asset.name}, ${asset.size} bytes${sha256 ? ", SHA-256 known" : ""}`);
    finish(older ? { kind: "upToDate", release: found } : { kind: "available", release: found });
  }
}

/** The URL of a found release's image, for the log. */
export function describeSource(release: AvailableRelease): string {
  try {
    return formatUrl(parseHttpUrl(release.url, { https: true }));
  } catch {
    return release.url.slice(0, 120);
  }
}
