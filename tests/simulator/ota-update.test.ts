/*
 * OTA in the simulator, end to end over real HTTP: the device (the simulator, in this process)
 * downloads images from a local ImageServer that serves them well, slowly, chunked, redirected,
 * truncated, with a lying Content-Length, dropped, stalled, as 404/500, oversized, corrupt, for
 * another project, or with the wrong hash. For each failure: GET /api/ota says what went wrong
 * in plain words, the version in /api/status is unchanged, and a retry with a good image then
 * installs and boots it. And the probation path: a new version is kept once it has run healthy,
 * and a restart before that rolls back to the previous one.
 */

import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { startSimulator, type Simulator } from "../../hosts/node/simulator";
import { breakImage, buildImage } from "../support/esp32-image";
import { ImageServer, type ImageRoute } from "../support/image-server";

const APP = resolve(import.meta.dirname, "../support/ota-test-app.ts");
const JSON_HEADERS = { "content-type": "application/json" };
const V2 = buildImage({ size: 300_000, version: "2.0.0", segments: 4 });

interface Device {
  sim: Simulator;
  dir: string;
  lines: string[];
}

async function startDevice(): Promise<Device> {
  const dir = mkdtempSync(join(tmpdir(), "ota-sim-"));
  const lines: string[] = [];
  const sim = await startSimulator({ stateDir: dir, port: 0, app: APP, logSink: (_level, line) => void lines.push(line) });
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

async function postOta(device: Device, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${device.sim.url}/api/ota`, { method: "POST", headers: JSON_HEADERS, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** Polls GET /api/ota until the state is one of `states`. */
async function waitForState(device: Device, states: string[], timeoutMs = 15_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ota = await getJson(`${device.sim.url}/api/ota`);
    if (states.includes(String(ota.state))) return ota;
    if (Date.now() > deadline) throw new Error(`OTA state stayed ${JSON.stringify(ota)}; expected ${states.join(" or ")}`);
    await delay(25);
  }
}

/** Waits for the boots-th boot and for its web server to answer. */
async function waitForBoot(device: Device, boots: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (device.sim.boots >= boots) {
      try {
        await getJson(`${device.sim.url}/api/status`);
        return;
      } catch {
        // Still booting: the server is not listening yet.
      }
    }
    if (Date.now() > deadline) throw new Error(`boot ${boots} did not happen; log:\n${device.lines.join("\n")}`);
    await delay(25);
  }
}

async function version(device: Device): Promise<string> {
  return String((await getJson(`${device.sim.url}/api/status`)).version);
}

/** Installs V2 from the server and waits for the device to come back running it. */
async function installGood(device: Device, server: ImageServer): Promise<void> {
  const boots = device.sim.boots;
  const { status } = await postOta(device, { url: server.url("/good.bin") });
  assert.equal(status, 202);
  await waitForState(device, ["rebooting"]);
  await waitForBoot(device, boots + 1);
  assert.equal(await version(device), "2.0.0");
}

describe("simulator: OTA over HTTP", function () {
  this.timeout(60_000);
  let server: ImageServer;
  let device: Device | undefined;

  before(async () => {
    server = new ImageServer();
    await server.start();
    server.route("/good.bin", { body: V2 });
  });
  after(async () => {
    await server.close();
  });
  beforeEach(async () => {
    device = await startDevice();
  });
  afterEach(async () => {
    await stopDevice(device);
    device = undefined;
  });

  it("starts on the factory image: the app's own version, project xs_esp32, no probation", async () => {
    const d = device as Device;
    const status = await getJson(`${d.sim.url}/api/status`);
    assert.equal(status.version, "1.0.0");
    assert.deepEqual(status.ota, { state: "idle", received: 0, total: 0, error: "", project: "xs_esp32", version: "1.0.0", probation: false, probationLeft: 0 });
    const page = await (await fetch(`${d.sim.url}/?view=ota`)).text();
    assert.match(page, /<section class="card mb-3" id="ota" /);
    assert.match(page, /id="ota-start"/);
    const script = await (await fetch(`${d.sim.url}/app.js`)).text();
    assert.match(script, /\/api\/ota/);
  });

  it("updates: progress while downloading, 409 for a second start, reboot into 2.0.0 on probation, kept once healthy", async () => {
    const d = device as Device;
    server.route("/slow.bin", { body: V2, chunkBytes: 16 * 1024, delayMs: 40 });
    const started = await postOta(d, { url: server.url("/slow.bin") });
    assert.equal(started.status, 202);
    assert.equal(started.json.state, "downloading");
    await delay(250);
    const mid = await getJson(`${d.sim.url}/api/ota`);
    assert.equal(mid.state, "downloading");
    assert.equal(mid.total, V2.length);
    assert.ok(Number(mid.received) > 0 && Number(mid.received) < V2.length, `received ${String(mid.received)}`);
    const second = await postOta(d, { url: server.url("/good.bin") });
    assert.equal(second.status, 409);
    assert.match(String(second.json.error), /already downloading/);
    await waitForState(d, ["rebooting"]);
    await waitForBoot(d, 2);
    const booted = Date.now();
    const after = await getJson(`${d.sim.url}/api/status`);
    assert.equal(after.version, "2.0.0");
    const ota = after.ota as Record<string, unknown>;
    assert.deepEqual([ota.state, ota.version, ota.probation], ["idle", "2.0.0", true]);
    const refused = await postOta(d, { url: server.url("/good.bin") });
    assert.equal(refused.status, 409);
    assert.match(String(refused.json.error), /on probation/);
    // Kept once it has run healthy for 1.5 s (health is sampled every second).
    while ((await getJson(`${d.sim.url}/api/ota`)).probation === true) {
      assert.ok(Date.now() - booted < 5000, "still on probation after 5 s");
      await delay(50);
    }
    assert.ok(Date.now() - booted >= 1400, "not kept before its probation time");
    await fetch(`${d.sim.url}/api/reboot`, { method: "POST", headers: JSON_HEADERS, body: "{}" });
    await waitForBoot(d, 3);
    assert.equal(await version(d), "2.0.0", "kept after a restart");
  });

  it("rolls back when the device restarts before the new version has run healthy long enough", async () => {
    const d = device as Device;
    await installGood(d, server);
    await fetch(`${d.sim.url}/api/reboot`, { method: "POST", headers: JSON_HEADERS, body: "{}" });
    await waitForBoot(d, 3);
    assert.equal(await version(d), "1.0.0");
    const ota = await getJson(`${d.sim.url}/api/ota`);
    assert.equal(ota.state, "failed");
    assert.match(String(ota.error), /the update to xs_esp32 2\.0\.0 was rolled back/);
    await installGood(d, server);
  });

  it("follows a redirect, reads a chunked body, and checks an expected SHA-256", async () => {
    const d = device as Device;
    server.route("/redirect.bin", { status: 302, location: "/chunked.bin" });
    server.route("/chunked.bin", { body: V2, chunked: true, chunkBytes: 5000 });
    const sha256 = createHash("sha256").update(V2).digest("hex");
    assert.equal((await postOta(d, { url: server.url("/redirect.bin"), sha256 })).status, 202);
    await waitForState(d, ["rebooting"]);
    await waitForBoot(d, 2);
    assert.equal(await version(d), "2.0.0");
  });

  const FAILURES: readonly [string, ImageRoute | (() => Promise<string>), RegExp, Record<string, unknown>?][] = [
    ["a 404", { status: 404 }, /the server answered 404 Not Found for http:\/\/127\.0\.0\.1:\d+\/case\.bin/],
    ["a 500", { status: 500 }, /the server answered 500 Internal Server Error/],
    ["a redirect loop", { status: 302, location: "/case.bin" }, /too many redirects/],
    ["an unreachable server", async () => {
      const gone = new ImageServer();
      await gone.start();
      const url = gone.url("/fw.bin");
      await gone.close();
      return url;
    }, /could not download from 127\.0\.0\.1:\d+: connection refused/],
    ["a connection dropped mid-way", { body: V2, destroyAfter: 100_000, chunkBytes: 20_000 }, /the download broke off after \d+ of 300000 bytes: connection dropped/],
    ["a connection closed early (truncated)", { body: V2, endAfter: 150_000 }, /the download broke off after \d+ of 300000 bytes: connection dropped/],
    ["a Content-Length larger than the body", { body: V2, contentLength: V2.length + 5000 }, /the download broke off after 300000 of 305000 bytes/],
    ["a Content-Length smaller than the body", { body: V2, contentLength: 200_000 }, /the image is incomplete: it ends after 200000 bytes/],
    ["a server that stalls", { body: V2, stallAfter: 50_000 }, /no data from the server for 1\.\d s \(after 50000 bytes\)/],
    ["a server that never answers", { silent: true }, /127\.0\.0\.1:\d+ did not answer within 1\.5 s/],
    ["an image too large for the partition", { body: V2, contentLength: 5_000_000 }, /the file is larger than the update partition \(2031616 bytes\)/],
    ["an HTML page served as the image", { body: breakImage(V2, "html") }, /not an ESP32 app image \(it does not start with 0xE9/],
    ["a corrupt image (checksum)", { body: breakImage(V2, "checksum") }, /the image is corrupt: its checksum is/],
    ["a corrupt image (appended SHA-256)", { body: breakImage(V2, "hash") }, /appended SHA-256 does not match/],
    ["another project's image", { body: buildImage({ size: 100_000, project: "thermostat", version: "9.9.9" }) }, /the image is for project "thermostat", but this device runs "xs_esp32"/],
    ["the wrong expected SHA-256", { body: V2 }, /the file's SHA-256 is [0-9a-f]{64}, not the expected a{64}/, { sha256: "a".repeat(64) }],
  ];

  for (const [what, route, pattern, extra] of FAILURES) {
    it(`fails on ${what}: plain-words error, version unchanged, then a retry works`, async () => {
      const d = device as Device;
      let url: string;
      if (typeof route === "function") url = await route();
      else {
        server.route("/case.bin", route);
        url = server.url("/case.bin");
      }
      assert.equal((await postOta(d, { url, ...extra })).status, 202);
      const failed = await waitForState(d, ["failed", "rebooting"]);
      assert.equal(failed.state, "failed");
      assert.match(String(failed.error), pattern);
      assert.equal(await version(d), "1.0.0");
      assert.equal(d.sim.boots, 1, "no reboot");
      await installGood(d, server);
    });
  }

  it("installs another project's image when the request allows it", async () => {
    const d = device as Device;
    server.route("/other.bin", { body: buildImage({ size: 100_000, project: "thermostat", version: "9.9.9" }) });
    assert.equal((await postOta(d, { url: server.url("/other.bin"), allowOtherProject: true })).status, 202);
    await waitForState(d, ["rebooting"]);
    await waitForBoot(d, 2);
    const ota = (await getJson(`${d.sim.url}/api/status`)).ota as Record<string, unknown>;
    assert.deepEqual([ota.project, ota.version], ["thermostat", "9.9.9"]);
  });
});
