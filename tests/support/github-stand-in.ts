/*
 * A local stand-in for GitHub over real HTTPS, for the simulator's end-to-end tests of the
 * GitHub update source. Two servers on loopback, each with its own host name (the simulator
 * resolves them with --resolve) and a certificate from a CA made here (node:crypto keys,
 * node-forge certificates): the API host (api.github.test) answers the releases API, and the
 * asset host (release-assets.github.test) the signed URLs its downloads redirect to.
 *
 * What it does the way GitHub does: the releases API's JSON with every field GitHub sends
 * (authors, reactions, uploaders, long notes: tens of KB), chunked; ETag and 304 for
 * If-None-Match; x-ratelimit-* headers, and 403 with remaining 0 when the test says so;
 * /releases/latest skips prereleases and drafts; downloads from browser_download_url through a
 * chain of 302s across both hosts (6 hops) ending at a signed URL of over 2 KB; the API's asset
 * URL with Accept: application/octet-stream answers a 302 too. It records every request.
 *
 * Bad behaviour on request (the test sets `faults`): a redirect loop, a redirect to plain http,
 * malformed, truncated or huge JSON, a 401 for any token, a 404 repository, a certificate that
 * is self-signed, expired or for another name.
 */

import { createHash, generateKeyPairSync, randomBytes } from "node:crypto";
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { SecureContextOptions } from "node:tls";
import forge from "node-forge";

export const API_HOST = "api.github.test";
export const ASSET_HOST = "release-assets.github.test";

export interface Pem {
  readonly cert: string;
  readonly key: string;
}

export interface CertificateSpec {
  names: readonly string[];
  /** Validity (default: yesterday to next year). */
  notBefore?: Date;
  notAfter?: Date;
  /** Self-signed instead of signed by the CA. */
  selfSigned?: boolean;
  isCa?: boolean;
}

function keyPair(): { pem: string; forgeKey: forge.pki.rsa.PrivateKey; forgePublic: forge.pki.rsa.PublicKey } {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = privateKey.export({ type: "pkcs1", format: "pem" }) as string;
  const forgeKey = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  const forgePublic = forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e);
  return { pem, forgeKey, forgePublic };
}

/** A test CA: signs server certificates; its PEM is what the device is told to trust (--ca). */
export class TestCa {
  readonly cert: string;
  readonly #key: forge.pki.rsa.PrivateKey;
  readonly #cert: forge.pki.Certificate;
  #serial = 1;
  /** Set by withIntermediate(): what signs server certificates instead of the root. */
  #intermediate: { key: forge.pki.rsa.PrivateKey; cert: forge.pki.Certificate; pem: string } | undefined;

  constructor(name = "Test GitHub Root CA") {
    const { forgeKey, forgePublic } = keyPair();
    const cert = forge.pki.createCertificate();
    cert.publicKey = forgePublic;
    cert.serialNumber = "01";
    cert.validity.notBefore = new Date(Date.now() - 86_400_000 * 30);
    cert.validity.notAfter = new Date(Date.now() + 86_400_000 * 3650);
    const subject = [{ name: "commonName", value: name }, { name: "organizationName", value: "iot-manager tests" }];
    cert.setSubject(subject);
    cert.setIssuer(subject);
    cert.setExtensions([
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
      { name: "subjectKeyIdentifier" },
    ]);
    cert.sign(forgeKey, forge.md.sha256.create());
    this.#key = forgeKey;
    this.#cert = cert;
    this.cert = forge.pki.certificateToPem(cert);
  }

  /** The CA's certificate as DER bytes. */
  get der(): Uint8Array {
    return derOf(this.cert);
  }

  /**
   * From now on server certificates are signed by an intermediate the root signs, and sent with
   * it, as a public CA's are. The Moddable SDK's TLS (8.2.3, ssl_cert.js verify()) checks the
   * server's name only while walking a chain of two or more: a leaf signed by the root itself
   * fails there, whatever its name.
   */
  withIntermediate(): this {
    const { forgeKey, forgePublic } = keyPair();
    const cert = forge.pki.createCertificate();
    cert.publicKey = forgePublic;
    cert.serialNumber = (++this.#serial).toString(16).padStart(2, "0");
    cert.validity.notBefore = new Date(Date.now() - 86_400_000 * 30);
    cert.validity.notAfter = new Date(Date.now() + 86_400_000 * 1800);
    cert.setSubject([{ name: "commonName", value: "Test GitHub Intermediate CA" }, { name: "organizationName", value: "iot-manager tests" }]);
    cert.setIssuer(this.#cert.subject.attributes);
    cert.setExtensions([
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
      { name: "subjectKeyIdentifier" },
      { name: "authorityKeyIdentifier", keyIdentifier: this.#cert.generateSubjectKeyIdentifier().getBytes() },
    ]);
    cert.sign(this.#key, forge.md.sha256.create());
    this.#intermediate = { key: forgeKey, cert, pem: forge.pki.certificateToPem(cert) };
    return this;
  }

  issue(spec: CertificateSpec): Pem {
    const { pem, forgeKey, forgePublic } = keyPair();
    const cert = forge.pki.createCertificate();
    cert.publicKey = forgePublic;
    cert.serialNumber = (++this.#serial).toString(16).padStart(2, "0");
    cert.validity.notBefore = spec.notBefore ?? new Date(Date.now() - 86_400_000);
    cert.validity.notAfter = spec.notAfter ?? new Date(Date.now() + 86_400_000 * 365);
    const signer = spec.selfSigned ? undefined : (this.#intermediate ?? { key: this.#key, cert: this.#cert, pem: "" });
    cert.setSubject([{ name: "commonName", value: spec.names[0] }]);
    cert.setIssuer(signer ? signer.cert.subject.attributes : cert.subject.attributes);
    cert.setExtensions([
      { name: "basicConstraints", cA: spec.isCa === true },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames: spec.names.map((n) => (/^[0-9.]+$/.test(n) ? { type: 7, ip: n } : { type: 2, value: n })) },
      { name: "subjectKeyIdentifier" },
      ...(signer ? [{ name: "authorityKeyIdentifier", keyIdentifier: signer.cert.generateSubjectKeyIdentifier().getBytes() }] : []),
    ]);
    cert.sign(signer ? signer.key : forgeKey, forge.md.sha256.create());
    return { cert: forge.pki.certificateToPem(cert) + (signer?.pem ?? ""), key: pem };
  }
}

export function derOf(pem: string): Uint8Array {
  const body = pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  return new Uint8Array(Buffer.from(body, "base64"));
}

export interface StandInRelease {
  tag: string;
  prerelease?: boolean;
  draft?: boolean;
  body?: string;
  /** Assets: name -> bytes. */
  assets: Record<string, Uint8Array>;
}

export interface Faults {
  /** The asset download redirects forever. */
  redirectLoop?: boolean;
  /** The asset download redirects to plain http. */
  redirectToHttp?: boolean;
  /** What the releases API sends instead of JSON. */
  json?: "malformed" | "truncated" | "huge";
  /** Any token is refused with 401. */
  refuseToken?: boolean;
  /** The repository does not exist. */
  noRepo?: boolean;
  /** Rate limit used up: 403 with x-ratelimit-remaining 0, reset in this many seconds. */
  rateLimitedForS?: number;
  /** The releases API lists every asset with this size, whatever its bytes are. */
  assetSize?: number;
  /** Assets are sent chunked, with no Content-Length. */
  assetChunked?: boolean;
}

export interface RecordedRequest {
  host: string;
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
}

/** Fields GitHub sends that an update does not need: the reader must stream past them. */
function user(login: string): Record<string, unknown> {
  const base = `https://${API_HOST}/users/${login}`;
  return {
    login, id: 583231, node_id: "MDQ6VXNlcjU4MzIzMQ==", avatar_url: "https://avatars.githubusercontent.com/u/583231?v=4", gravatar_id: "",
    url: base, html_url: `https://github.com/${login}`, followers_url: `${base}/followers`, following_url: `${base}/following{/other_user}`,
    gists_url: `${base}/gists{/gist_id}`, starred_url: `${base}/starred{/owner}{/repo}`, subscriptions_url: `${base}/subscriptions`,
    organizations_url: `${base}/orgs`, repos_url: `${base}/repos`, events_url: `${base}/events{/privacy}`,
    received_events_url: `${base}/received_events`, type: "User", user_view_type: "public", site_admin: false,
  };
}

export class GithubStandIn {
  readonly ca = new TestCa();
  readonly requests: RecordedRequest[] = [];
  readonly faults: Faults = {};
  releases: StandInRelease[] = [];
  /** The repository served, as owner/name. */
  repo = "acme/widget";
  /** Bytes each API response is written in (chunked). */
  chunkBytes = 700;
  #api: Server | undefined;
  #assets: Server | undefined;
  #apiPort = 0;
  #assetPort = 0;
  #apiCert: Pem;
  readonly #assetCert: Pem;
  #etagCounter = 1;
  /** A random part of every signed URL, so two downloads never share one. */
  readonly #signature = randomBytes(900).toString("hex");

  /** intermediate: the servers' certificates come with an intermediate (TestCa.withIntermediate). */
  constructor(options: { intermediate?: boolean } = {}) {
    if (options.intermediate) this.ca.withIntermediate();
    this.#apiCert = this.ca.issue({ names: [API_HOST] });
    this.#assetCert = this.ca.issue({ names: [ASSET_HOST] });
  }

  get apiUrl(): string {
    return `https://${API_HOST}:${this.#apiPort}`;
  }

  /** --resolve entries for the simulator. */
  get aliases(): Record<string, string> {
    return { [API_HOST]: "127.0.0.1", [ASSET_HOST]: "127.0.0.1" };
  }

  async start(): Promise<void> {
    this.#api = await this.#listen(this.#apiCert, (req, res) => this.#apiRequest(req, res));
    this.#apiPort = (this.#api.address() as AddressInfo).port;
    this.#assets = await this.#listen(this.#assetCert, (req, res) => this.#assetRequest(req, res));
    this.#assetPort = (this.#assets.address() as AddressInfo).port;
  }

  /** Serves the API with another certificate from now on (expired, self-signed, wrong name). */
  useApiCertificate(pem: Pem): void {
    this.#apiCert = pem;
    this.#api?.setSecureContext({ cert: pem.cert, key: pem.key } satisfies SecureContextOptions);
  }

  restoreApiCertificate(): void {
    this.useApiCertificate(this.ca.issue({ names: [API_HOST] }));
  }

  async close(): Promise<void> {
    for (const server of [this.#api, this.#assets]) {
      if (!server) continue;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  /** The ETag of the releases as they are now (it changes with them). */
  bump(): void {
    this.#etagCounter++;
  }

  #listen(pem: Pem, handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Server> {
    const server = createServer({ cert: pem.cert, key: pem.key }, (req, res) => {
      try {
        handler(req, res);
      } catch (e) {
        res.writeHead(500).end(String(e));
      }
    });
    return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
  }

  #record(host: string, req: IncomingMessage): void {
    this.requests.push({ host, method: req.method ?? "", path: req.url ?? "", headers: { ...req.headers } });
  }

  #releaseJson(release: StandInRelease, id: number): Record<string, unknown> {
    const [owner, name] = this.repo.split("/");
    const base = `${this.apiUrl}/repos/${owner}/${name}`;
    const assets = Object.entries(release.assets).map(([assetName, bytes], i) => ({
      url: `${base}/releases/assets/${id * 100 + i}`,
      id: id * 100 + i,
      node_id: `RA_kwDOJ${id}${i}`,
      name: assetName,
      label: "",
      uploader: user("github-actions[bot]"),
      content_type: assetName.endsWith(".json") ? "application/json" : "application/octet-stream",
      state: "uploaded",
      size: this.faults.assetSize ?? bytes.length,
      digest: `sha256:${createHash("sha256").update(bytes).digest("hex")}`,
      download_count: 12,
      created_at: "2026-11-20T10:00:00Z",
      updated_at: "2026-11-20T10:00:05Z",
      browser_download_url: `${this.apiUrl}/${owner}/${name}/releases/download/${encodeURIComponent(release.tag)}/${encodeURIComponent(assetName)}`,
    }));
    return {
      url: `${base}/releases/${id}`,
      assets_url: `${base}/releases/${id}/assets`,
      upload_url: `https://uploads.github.test/repos/${owner}/${name}/releases/${id}/assets{?name,label}`,
      html_url: `https://github.com/${owner}/${name}/releases/tag/${release.tag}`,
      id,
      author: user("octocat"),
      node_id: `RE_kwDOJ${id}`,
      tag_name: release.tag,
      target_commitish: "main",
      name: `Release ${release.tag}`,
      draft: release.draft === true,
      immutable: false,
      prerelease: release.prerelease === true,
      created_at: "2026-11-20T10:00:00Z",
      updated_at: "2026-11-20T10:00:00Z",
      published_at: "2026-11-20T10:00:00Z",
      assets,
      tarball_url: `${base}/tarball/${release.tag}`,
      zipball_url: `${base}/zipball/${release.tag}`,
      body: release.body ?? `## What's new in ${release.tag}\n\n${"- a change, described at some length so that the notes are long \\\"quoted\\\" ünïcödé\n".repeat(80)}`,
      reactions: { url: `${base}/releases/${id}/reactions`, total_count: 3, "+1": 2, "-1": 0, laugh: 0, hooray: 1, confused: 0, heart: 0, rocket: 0, eyes: 0 },
      mentions_count: 0,
    };
  }

  #sendJson(res: ServerResponse, status: number, value: unknown, extra: Record<string, string> = {}): void {
    let text = JSON.stringify(value);
    if (this.faults.json === "malformed") text = text.replace('"assets":', '"assets"::');
    if (this.faults.json === "truncated") text = text.slice(0, Math.floor(text.length / 2));
    if (this.faults.json === "huge") text = `{"padding": "${"x".repeat(1_200_000)}", ${text.slice(1)}`;
    const bytes = Buffer.from(text, "utf8");
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...this.#rateHeaders(), ...extra });
    // Written in pieces (chunked, no Content-Length), as GitHub's API answers.
    for (let at = 0; at < bytes.length; at += this.chunkBytes) res.write(bytes.subarray(at, at + this.chunkBytes));
    res.end();
  }

  #rateHeaders(): Record<string, string> {
    const limited = this.faults.rateLimitedForS !== undefined;
    return {
      "x-ratelimit-limit": "60",
      "x-ratelimit-remaining": limited ? "0" : "59",
      "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + (this.faults.rateLimitedForS ?? 3600)),
      "x-ratelimit-used": limited ? "60" : "1",
    };
  }

  #apiRequest(req: IncomingMessage, res: ServerResponse): void {
    this.#record(API_HOST, req);
    const url = new URL(req.url ?? "/", this.apiUrl);
    const [owner, name] = this.repo.split("/");
    const download = `/${owner}/${name}/releases/download/`;
    if (url.pathname.startsWith(download)) return this.#downloadHop(res, url, 1);
    if (url.pathname.startsWith("/hop/")) return this.#downloadHop(res, url, Number(url.pathname.split("/")[2]));
    const repoBase = `/repos/${owner}/${name}`;
    if (!url.pathname.startsWith(`${repoBase}/`) || this.faults.noRepo)
      return this.#sendJson(res, 404, { message: "Not Found", documentation_url: "https://docs.github.com/rest", status: "404" });
    if (this.faults.refuseToken && req.headers.authorization !== undefined)
      return this.#sendJson(res, 401, { message: "Bad credentials", documentation_url: "https://docs.github.com/rest", status: "401" });
    if (this.faults.rateLimitedForS !== undefined)
      return this.#sendJson(res, 403, { message: "API rate limit exceeded for 127.0.0.1.", documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api" });
    const rest = url.pathname.slice(repoBase.length);
    const assetMatch = /^\/releases\/assets\/(\d+)$/.exec(rest);
    if (assetMatch) {
      if (req.headers.accept !== "application/octet-stream") return this.#sendJson(res, 415, { message: "Unsupported Media Type" });
      const id = Number(assetMatch[1]);
      const release = this.releases[Math.floor(id / 100) - 1];
      const assetName = release ? Object.keys(release.assets)[id % 100] : undefined;
      if (!release || !assetName) return this.#sendJson(res, 404, { message: "Not Found" });
      res.writeHead(302, { location: this.#signedUrl(release.tag, assetName) }).end();
      return;
    }
    const numbered = this.releases.map((r, i) => ({ release: r, id: i + 1 }));
    let answer: unknown;
    if (rest === "/releases/latest") {
      const published = numbered.filter((r) => !r.release.draft && !r.release.prerelease);
      const latest = published[published.length - 1];
      if (!latest) return this.#sendJson(res, 404, { message: "Not Found", status: "404" });
      answer = this.#releaseJson(latest.release, latest.id);
    } else if (rest === "/releases") {
      const perPage = Number(url.searchParams.get("per_page") ?? "30");
      answer = numbered.reverse().slice(0, perPage).map((r) => this.#releaseJson(r.release, r.id));
    } else if (rest.startsWith("/releases/tags/")) {
      const tag = decodeURIComponent(rest.slice("/releases/tags/".length));
      const found = numbered.find((r) => r.release.tag === tag);
      if (!found) return this.#sendJson(res, 404, { message: "Not Found", status: "404" });
      answer = this.#releaseJson(found.release, found.id);
    } else return this.#sendJson(res, 404, { message: "Not Found" });
    // Like GitHub's: a hash of the answer, so any change to it changes the ETag.
    const etag = `W/"${createHash("sha1").update(`${this.#etagCounter}:${JSON.stringify(answer)}`).digest("hex")}"`;
    if (req.headers["if-none-match"] === etag) {
      res.writeHead(304, { etag, ...this.#rateHeaders() }).end();
      return;
    }
    this.#sendJson(res, 200, answer, { etag });
  }

  /** Hops 1-4 stay on the API host (github.com does two), then the asset host's signed URL. */
  #downloadHop(res: ServerResponse, url: URL, hop: number): void {
    if (this.faults.redirectLoop) {
      res.writeHead(302, { location: `/hop/${hop}${url.search || `?from=${encodeURIComponent(url.pathname)}`}` }).end();
      return;
    }
    const from = hop === 1 ? url.pathname : (url.searchParams.get("from") ?? "");
    if (hop < 4) {
      res.writeHead(302, { location: `/hop/${hop + 1}?from=${encodeURIComponent(from)}` }).end();
      return;
    }
    const parts = from.split("/");
    const tag = decodeURIComponent(parts[parts.length - 2]);
    const assetName = decodeURIComponent(parts[parts.length - 1]);
    if (this.faults.redirectToHttp) {
      res.writeHead(302, { location: `http://${ASSET_HOST}:${this.#assetPort}/plain/${assetName}` }).end();
      return;
    }
    res.writeHead(302, { location: this.#signedUrl(tag, assetName) }).end();
  }

  /** A URL like GitHub's signed asset URLs: over 2 KB of query. */
  #signedUrl(tag: string, assetName: string): string {
    const query = [
      `X-Amz-Algorithm=AWS4-HMAC-SHA256`,
      `X-Amz-Credential=${"AKIAVCODYLSA53PQK4ZA".repeat(3)}%2F20261120%2Fus-east-1%2Fs3%2Faws4_request`,
      `X-Amz-Date=20261120T100000Z`,
      `X-Amz-Expires=300`,
      `X-Amz-Signature=${this.#signature}`,
      `X-Amz-SignedHeaders=host`,
      `response-content-disposition=attachment%3B%20filename%3D${encodeURIComponent(assetName)}`,
      `response-content-type=application%2Foctet-stream`,
    ].join("&");
    return `https://${ASSET_HOST}:${this.#assetPort}/github-production-release-asset/first/${encodeURIComponent(tag)}/${encodeURIComponent(assetName)}?${query}`;
  }

  #assetRequest(req: IncomingMessage, res: ServerResponse): void {
    this.#record(ASSET_HOST, req);
    const url = new URL(req.url ?? "/", `https://${ASSET_HOST}`);
    const parts = url.pathname.split("/");
    if (parts[1] === "github-production-release-asset" && parts[2] === "first") {
      // One more hop on this host, as the signed URL's own redirect.
      res.writeHead(302, { location: `/github-production-release-asset/final/${parts[3]}/${parts[4]}${url.search}` }).end();
      return;
    }
    if (parts[1] !== "github-production-release-asset" || parts[2] !== "final" || url.searchParams.get("X-Amz-Signature") !== this.#signature) {
      res.writeHead(403, { "content-type": "application/xml" }).end("<Error><Code>AccessDenied</Code></Error>");
      return;
    }
    const tag = decodeURIComponent(parts[3]);
    const assetName = decodeURIComponent(parts[4]);
    const bytes = this.releases.find((r) => r.tag === tag)?.assets[assetName];
    if (!bytes) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/octet-stream", ...(this.faults.assetChunked ? {} : { "content-length": String(bytes.length) }) });
    for (let at = 0; at < bytes.length; at += 16384) res.write(bytes.subarray(at, at + 16384));
    res.end();
  }
}

/** manifest.json as the docs' workflow writes it. */
export function manifestFor(image: Uint8Array, version: string, project = "xs_esp32"): Uint8Array {
  const text = JSON.stringify({ version, sha256: createHash("sha256").update(image).digest("hex"), size: image.length, project });
  return new Uint8Array(Buffer.from(text, "utf8"));
}
