/*
 * Updates from GitHub releases in the simulator, end to end over real HTTPS: a local stand-in
 * for GitHub (tests/support/github-stand-in.ts: a CA made here, the API and the asset host as
 * two host names, 302 chains with 2 KB signed URLs, ETags, rate limits, prereleases, a
 * manifest.json asset). The device trusts the stand-in's CA through --ca and finds its hosts
 * through --resolve, as `npm start -- --ca ... --resolve ... --github-api ...` would.
 *
 * From "Check for updates" (POST /api/ota/check) to the new version running, and each bad
 * input of the issue: the check or the install fails with a plain reason, the running version
 * is untouched, and the next check works.
 */

import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { startSimulator, type Simulator } from "../../hosts/node/simulator";
import { buildImage } from "../support/esp32-image";
import { API_HOST, ASSET_HOST, GithubStandIn, manifestFor } from "../support/github-stand-in";

const APP = resolve(import.meta.dirname, "../support/github-test-app.ts");
const V2 = buildImage({ size: 200_000, version: "2.0.0", segments: 4 });
const V21 = buildImage({ size: 150_000, version: "2.1.0-rc.1", segments: 3, seed: 7 });
const V1 = buildImage({ size: 100_000, version: "1.0.0", segments: 3, seed: 3 });

interface Device {
  sim: Simulator;
  dir: string;
  lines: string[];
}

let github: GithubStandIn;
let caFile: string;
let caDir: string;

async function startDevice(options: { ntpServers?: string[] } = {}): Promise<Device> {
  const dir = mkdtempSync(join(tmpdir(), "gh-sim-"));
  const lines: string[] = [];
  const sim = await startSimulator({
    stateDir: dir,
    port: 0,
    app: APP,
    logSink: (_level, line) => void lines.push(line),
    caFiles: [caFile],
    aliases: github.aliases,
    githubApi: github.apiUrl,
    ...(options.ntpServers ? { ntpServers: options.ntpServers } : {}),
  });
  return { sim, dir, lines };
}

async function stopDevice(device: Device | undefined): Promise<void> {
  if (!device) return;
  await device.sim.stop();
  rmSync(device.dir, { recursive: true, force: true });
}

async function getJson(url: string): Promise<Record<string, unknown>> {
  const res = await fetch(url);
  assert.equal(res.status, 200, url);
  return (await res.json()) as Record<string, unknown>;
}

async function post(device: Device, path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${device.sim.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function configure(device: Device, changes: Record<string, unknown>): Promise<void> {
  const { status, json } = await post(device, "/api/config", changes);
  assert.equal(status, 200, JSON.stringify(json));
}

/** POST /api/ota/check, then GET /api/ota until the check is over. */
async function check(device: Device): Promise<Record<string, unknown>> {
  const started = await post(device, "/api/ota/check", {});
  assert.equal(started.status, 202, JSON.stringify(started.json));
  const deadline = Date.now() + 20_000;
  for (;;) {
    const ota = await getJson(`${device.sim.url}/api/ota`);
    if (ota.checking === false) return ota;
    if (Date.now() > deadline) throw new Error(`the check did not end: ${JSON.stringify(ota)}\n${device.lines.join("\n")}`);
    await delay(20);
  }
}

async function waitForState(device: Device, states: string[], timeoutMs = 20_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ota = await getJson(`${device.sim.url}/api/ota`);
    if (states.includes(String(ota.state))) return ota;
    if (Date.now() > deadline) throw new Error(`OTA state stayed ${JSON.stringify(ota)}; expected ${states.join(" or ")}\n${device.lines.join("\n")}`);
    await delay(25);
  }
}

async function waitForBoot(device: Device, boots: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (device.sim.boots >= boots) {
      try {
        await getJson(`${device.sim.url}/api/status`);
        return;
      } catch {
        // Still booting.
      }
    }
    if (Date.now() > deadline) throw new Error(`boot ${boots} did not happen; log:\n${device.lines.join("\n")}`);
    await delay(25);
  }
}

async function version(device: Device): Promise<string> {
  return String((await getJson(`${device.sim.url}/api/status`)).version);
}

function standardReleases(): void {
  github.faults.json = undefined;
  github.releases = [
    { tag: "v1.0.0", assets: { "firmware.bin": V1 } },
    { tag: "v2.0.0", assets: { "firmware.bin": V2, "manifest.json": manifestFor(V2, "2.0.0"), "firmware.elf": new Uint8Array(1000) } },
    { tag: "v2.1.0-rc.1", prerelease: true, assets: { "firmware.bin": V21, "manifest.json": manifestFor(V21, "2.1.0-rc.1") } },
    { tag: "v3.0.0", draft: true, assets: { "firmware.bin": V1 } },
  ];
}

describe("simulator: updates from GitHub releases over HTTPS", function () {
  this.timeout(90_000);
  let device: Device | undefined;

  before(async () => {
    github = new GithubStandIn();
    await github.start();
    caDir = mkdtempSync(join(tmpdir(), "gh-ca-"));
    caFile = join(caDir, "ca.pem");
    writeFileSync(caFile, github.ca.cert);
  });
  after(async () => {
    await github.close();
    rmSync(caDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    for (const key of Object.keys(github.faults)) delete github.faults[key as keyof typeof github.faults];
    github.repo = "acme/widget";
    standardReleases();
    github.requests.length = 0;
    device = await startDevice();
    await configure(device, { ota_github_repo: "acme/widget", ota_github_asset: "*.bin" });
  });
  afterEach(async () => {
    await stopDevice(device);
    device = undefined;
  });

  it("Check for updates finds 2.0.0 (stable), installs it over 5 redirects across two hosts, and boots it", async () => {
    const d = device as Device;
    assert.equal(await version(d), "1.0.0");
    const page = await (await fetch(`${d.sim.url}/?view=ota`)).text();
    assert.match(page, /id="ota-check">Check for updates</);

    const found = await check(d);
    assert.equal(found.checkError, undefined, String(found.checkError));
    const available = found.available as Record<string, unknown>;
    assert.deepEqual([available.version, available.tag, available.asset, available.size, available.prerelease], ["2.0.0", "v2.0.0", "firmware.bin", V2.length, false]);
    assert.match(String(available.notes), /^## What's new in v2\.0\.0\n\n- a change/);
    assert.ok(String(available.notes).length <= 304, "only the notes' first lines");

    const api = github.requests.find((r) => r.path.endsWith("/releases/latest"));
    assert.ok(api, "asked /releases/latest");
    assert.equal(api.headers.accept, "application/vnd.github+json");
    assert.equal(api.headers["x-github-api-version"], "2022-11-28");
    assert.match(String(api.headers["user-agent"]), /^iot-manager\//);
    assert.equal(api.headers.authorization, undefined, "no token set, none sent");
    assert.match(await (await fetch(`${d.sim.url}/?view=ota`)).text(), /id="ota-gh-install">Install 2\.0\.0</);

    github.requests.length = 0;
    const boots = d.sim.boots;
    const started = await post(d, "/api/ota", { source: "github" });
    assert.equal(started.status, 202, JSON.stringify(started.json));
    await waitForState(d, ["rebooting"]);
    await waitForBoot(d, boots + 1);
    assert.equal(await version(d), "2.0.0");

    const downloads = github.requests.filter((r) => !r.path.includes("manifest.json"));
    assert.ok(downloads.length >= 6, `the download took ${downloads.length} requests: ${downloads.map((r) => r.host + r.path.slice(0, 60)).join(", ")}`);
    assert.ok(downloads.some((r) => r.host === API_HOST) && downloads.some((r) => r.host === ASSET_HOST), "both hosts");
    const signed = downloads[downloads.length - 1];
    assert.equal(signed.host, ASSET_HOST);
    assert.ok(signed.path.length > 2000, `the signed URL is ${signed.path.length} characters`);
    assert.equal(signed.headers.accept, "application/octet-stream");
  });

  it("asks again with If-None-Match: a 304 keeps what was found and costs no JSON", async () => {
    const d = device as Device;
    const first = await check(d);
    assert.equal((first.available as Record<string, unknown>).version, "2.0.0");
    github.requests.length = 0;
    const second = await check(d);
    assert.equal((second.available as Record<string, unknown>).version, "2.0.0");
    const api = github.requests.find((r) => r.path.endsWith("/releases/latest"));
    assert.ok(api?.headers["if-none-match"], "sent the ETag");
    assert.ok(d.lines.some((l) => l.includes("not modified")), "the 304 was taken");
  });

  it("channels: prerelease takes 2.1.0-rc.1 over 2.0.0; tag: pins a release; drafts are never taken", async () => {
    const d = device as Device;
    await configure(d, { ota_github_channel: "prerelease" });
    const pre = await check(d);
    assert.equal((pre.available as Record<string, unknown>).version, "2.1.0-rc.1");
    assert.equal((pre.available as Record<string, unknown>).prerelease, true);
    await configure(d, { ota_github_channel: "tag:v1.0.0" });
    const pinned = await check(d);
    assert.equal(pinned.upToDate, true, "1.0.0 is not newer than 1.0.0");
    const refused = await post(d, "/api/ota", { source: "github" });
    assert.equal(refused.status, 409);
    assert.match(String(refused.json.error), /not newer.*allowDowngrade/);
    assert.equal(await version(d), "1.0.0");
  });

  it("a manifest.json whose SHA-256 does not match the image fails the install and keeps the running app", async () => {
    const d = device as Device;
    const wrong = manifestFor(V1, "2.0.0");
    const forged = JSON.parse(Buffer.from(wrong).toString()) as Record<string, unknown>;
    forged.size = V2.length;
    github.releases[1].assets["manifest.json"] = new Uint8Array(Buffer.from(JSON.stringify(forged)));
    const found = await check(d);
    assert.equal((found.available as Record<string, unknown>).version, "2.0.0");
    const started = await post(d, "/api/ota", { source: "github" });
    assert.equal(started.status, 202);
    const failed = await waitForState(d, ["failed"]);
    assert.match(String(failed.error), /SHA-256 is [0-9a-f]{64}, not the expected/);
    assert.equal(await version(d), "1.0.0");
  });

  it("rate limited: says until when, asks no more before then, and the page shows it", async () => {
    const d = device as Device;
    github.faults.rateLimitedForS = 1800;
    const limited = await check(d);
    assert.match(String(limited.checkError), /rate limit is used up .* until \d\d:\d\d UTC/);
    const asked = github.requests.length;
    const again = await check(d);
    assert.match(String(again.checkError), /rate limit/);
    assert.equal(github.requests.length, asked, "no request while the limit holds");
    assert.match(await (await fetch(`${d.sim.url}/?view=ota`)).text(), /check failed: GitHub&#39;s rate limit|check failed: GitHub's rate limit/);
  });

  const badChecks: [string, () => void, RegExp][] = [
    ["the repository does not exist (404)", () => (github.faults.noRepo = true), /no published release in acme\/widget: the repository does not exist/],
    ["no releases", () => (github.releases = []), /no published release/],
    ["no asset matches", () => (github.releases[1].assets = { "firmware.hex": V2 }), /has no asset named \*\.bin \(it has 1 asset\)/],
    ["two assets match", () => (github.releases[1].assets = { "a.bin": V2, "b.bin": V2 }), /2 assets matching \*\.bin \(a\.bin, b\.bin\)/],
    ["malformed JSON", () => (github.faults.json = "malformed"), /could not be read: unexpected character/],
    ["truncated JSON", () => (github.faults.json = "truncated"), /could not be read: the JSON ended early/],
    ["huge JSON", () => (github.faults.json = "huge"), /could not be read: the JSON is larger than 1048576 bytes/],
    ["an older release", () => github.releases.splice(1), /^$/],
    ["a manifest.json listed over 4 KB", () => (github.faults.assetSize = 5000), /manifest\.json is 5000 bytes; at most 4096 are read/],
    [
      "a manifest.json over 4 KB listed as small",
      () => ((github.faults.assetSize = 300), (github.releases[1].assets["manifest.json"] = new Uint8Array(5000).fill(0x20))),
      /manifest\.json is larger than 4096 bytes/,
    ],
    [
      "a manifest.json over 4 KB listed as small, sent without a length",
      () => ((github.faults.assetSize = 300), (github.faults.assetChunked = true), (github.releases[1].assets["manifest.json"] = new Uint8Array(5000).fill(0x20))),
      /manifest\.json is larger than 4096 bytes/,
    ],
  ];
  for (const [what, breakIt, expected] of badChecks) {
    it(`a check that meets ${what} says so, changes nothing, and the next check works`, async () => {
      const d = device as Device;
      breakIt();
      const bad = await check(d);
      if (expected.source === "^$") {
        assert.equal(bad.upToDate, true);
        assert.equal(bad.available, undefined);
      } else {
        assert.match(String(bad.checkError), expected);
        assert.equal(bad.available, undefined);
      }
      const refused = await post(d, "/api/ota", { source: "github" });
      assert.equal(refused.status, 409);
      assert.equal(await version(d), "1.0.0");
      for (const key of Object.keys(github.faults)) delete github.faults[key as keyof typeof github.faults];
      standardReleases();
      const good = await check(d);
      assert.equal((good.available as Record<string, unknown>)?.version, "2.0.0", JSON.stringify(good));
    });
  }

  it("a token GitHub refuses (401) is named; the token goes to the API host only", async () => {
    const d = device as Device;
    await configure(d, { ota_github_token: "ghp_secret_token_value" });
    github.faults.refuseToken = true;
    const refused = await check(d);
    assert.match(String(refused.checkError), /GitHub refused the token \(401\)/);
    github.faults.refuseToken = false;
    const ok = await check(d);
    assert.equal((ok.available as Record<string, unknown>).version, "2.0.0");
    github.requests.length = 0;
    const boots = d.sim.boots;
    assert.equal((await post(d, "/api/ota", { source: "github" })).status, 202);
    await waitForState(d, ["rebooting"]);
    await waitForBoot(d, boots + 1);
    assert.equal(await version(d), "2.0.0");
    const withToken = github.requests.filter((r) => r.headers.authorization !== undefined);
    assert.ok(withToken.length > 0, "the API asset URL got the token");
    assert.ok(withToken.every((r) => r.host === API_HOST), `the token reached ${withToken.map((r) => r.host).join(", ")}`);
    const config = await getJson(`${d.sim.url}/api/config`);
    assert.equal(JSON.stringify(config).includes("ghp_secret"), false, "the token is never sent back");
  });

  const badInstalls: [string, () => void, RegExp][] = [
    ["a redirect loop", () => (github.faults.redirectLoop = true), /too many redirects \(more than 8\)/],
    ["a redirect to plain http", () => (github.faults.redirectToHttp = true), /redirected to plain http.*refused/],
  ];
  for (const [what, breakIt, expected] of badInstalls) {
    it(`an install that meets ${what} fails with a plain reason; the running app stays`, async () => {
      const d = device as Device;
      const found = await check(d);
      assert.equal((found.available as Record<string, unknown>).version, "2.0.0");
      breakIt();
      assert.equal((await post(d, "/api/ota", { source: "github" })).status, 202);
      const failed = await waitForState(d, ["failed"]);
      assert.match(String(failed.error), expected);
      assert.equal(await version(d), "1.0.0");
      for (const key of Object.keys(github.faults)) delete github.faults[key as keyof typeof github.faults];
      const boots = d.sim.boots;
      assert.equal((await post(d, "/api/ota", { source: "github" })).status, 202);
      await waitForState(d, ["rebooting"]);
      await waitForBoot(d, boots + 1);
      assert.equal(await version(d), "2.0.0");
    });
  }

  const badCertificates: [string, () => void, RegExp][] = [
    ["self-signed", () => github.useApiCertificate(github.ca.issue({ names: [API_HOST], selfSigned: true })), /certificate not trusted: the server's certificate is self-signed/],
    [
      "expired",
      () => github.useApiCertificate(github.ca.issue({ names: [API_HOST], notBefore: new Date(Date.now() - 86_400_000 * 400), notAfter: new Date(Date.now() - 86_400_000) })),
      /certificate expired or not yet valid: the server's certificate has expired/,
    ],
    ["for another name", () => github.useApiCertificate(github.ca.issue({ names: ["other.example"] })), /certificate name mismatch/],
  ];
  for (const [what, breakIt, expected] of badCertificates) {
    it(`a certificate that is ${what} fails the check with its own words`, async () => {
      const d = device as Device;
      breakIt();
      try {
        const bad = await check(d);
        assert.match(String(bad.checkError), expected);
      } finally {
        github.restoreApiCertificate();
      }
      const good = await check(d);
      assert.equal((good.available as Record<string, unknown>).version, "2.0.0");
    });
  }

  it("with the clock not set yet, a check says so and asks nothing", async () => {
    await stopDevice(device);
    // An NTP server that never answers: the clock stays unset, as an ESP32's at power-on.
    device = await startDevice({ ntpServers: ["127.0.0.1:9"] });
    await configure(device, { ota_github_repo: "acme/widget" });
    github.requests.length = 0;
    const bad = await check(device);
    assert.match(String(bad.checkError), /the clock is not set yet/);
    assert.equal(github.requests.length, 0);
  });
});
