/*
 * The OTA job (modules/ota/ota-job.ts) end to end inside the core: a scripted HTTP client on a
 * virtual clock, the SlotUpdater over memory partitions. For every way an update can fail it
 * checks the plain-words error, that the download was aborted and the partition write cancelled,
 * that the running app and the next boot are untouched, and that a new attempt then works.
 * Runs on XS too.
 */

import * as assert from "../support/assert";
import { OtaBusyError, OtaJob, OtaRequestError, type OtaRequest } from "../../modules/ota/ota-job";
import { SlotUpdater } from "../../hosts/simulated/slot-updater";
import type { Updater } from "../../modules/host/updater";
import { Sha256, sha256, toHex } from "../../modules/crypto/sha256";
import { breakImage, buildImage } from "../support/esp32-image";
import { MemoryStorage } from "../support/memory-storage";
import { MemoryPartitions, ScriptedHttpClient, type ScriptedAnswer } from "../support/ota-fakes";
import { VirtualClock } from "../support/virtual-clock";

const FACTORY = Object.freeze({ project: "xs_esp32", version: "1.0.0", chipId: 0 });
const URL = "http://updates.local:8080/fw.bin";
const WHERE = "updates.local:8080/fw.bin";

interface Rig {
  clock: VirtualClock;
  client: ScriptedHttpClient;
  store: MemoryPartitions;
  updater: Updater;
  job: OtaJob;
  ready: number;
  boot(): Updater;
}

function makeRig(partition = 32 * 1024, wrap?: (u: Updater) => Updater): Rig {
  const clock = new VirtualClock();
  const client = new ScriptedHttpClient(clock);
  const store = new MemoryPartitions(partition);
  const storage = new MemoryStorage();
  const boot = (): Updater => new SlotUpdater({ store, storage, factory: FACTORY });
  const updater = wrap ? wrap(boot()) : boot();
  const rig: Rig = {
    clock,
    client,
    store,
    updater,
    ready: 0,
    boot,
    job: new OtaJob({ updater, client, clock, stallTimeoutMs: 20_000, onReady: () => void rig.ready++ }),
  };
  return rig;
}

function run(rig: Rig, request: OtaRequest = { url: URL }, limitMs = 120_000): void {
  rig.job.start(request);
  rig.clock.runUntil(() => !rig.job.running || rig.job.state === "rebooting", limitMs, "the job to end");
}

/** The failure left nothing behind, and a new attempt with a good image works. */
function assertCleanFailure(rig: Rig, pattern: RegExp): void {
  const status = rig.job.status();
  assert.equal(status.state, "failed");
  assert.match(status.error, pattern);
  assert.equal(rig.client.open, 0, "the download was ended");
  assert.equal(rig.ready, 0);
  assert.equal(rig.updater.running().version, "1.0.0", "the running app is untouched");
  assert.equal(rig.boot().running().version, "1.0.0", "the next boot is unchanged");
  const good = buildImage({ size: 2000, version: "2.0.0" });
  rig.client.serve(WHERE, { body: good });
  rig.job.start({ url: URL });
  rig.clock.runUntil(() => rig.job.state !== "downloading" && rig.job.state !== "verifying", 120_000, "the retry");
  assert.equal(rig.job.state, "rebooting", `the retry: ${rig.job.status().error}`);
  assert.equal(rig.boot().running().version, "2.0.0", "the retry installed");
}

describe("ota: job", () => {
  it("downloads, verifies and selects a good image, reporting progress on the way", () => {
    let stateAtComplete = "";
    const rig: Rig = makeRig(32 * 1024, (u) => ({
      get partitionSize() { return u.partitionSize; },
      running: () => u.running(),
      begin: () => u.begin(),
      write: (b) => u.write(b),
      complete: () => {
        stateAtComplete = rig.job.state;
        u.complete();
      },
      cancel: () => u.cancel(),
      markValid: () => u.markValid(),
    }));
    const image = buildImage({ size: 12_000, version: "2.0.0" });
    rig.client.serve(WHERE, { body: image, delayMs: 5, fragment: 1000 });
    rig.job.start({ url: URL });
    assert.deepEqual(rig.job.status(), { state: "downloading", received: 0, total: 0, error: "" });
    rig.clock.run(30);
    const mid = rig.job.status();
    assert.equal(mid.state, "downloading");
    assert.equal(mid.total, image.length);
    assert.ok(mid.received > 0 && mid.received < image.length, `received ${mid.received}`);
    rig.clock.runUntil(() => rig.job.state !== "downloading", 10_000, "the end of the download");
    assert.equal(stateAtComplete, "verifying", "the device's verification runs in state verifying");
    assert.equal(rig.job.status().received, image.length);
    assert.equal(rig.job.state, "rebooting");
    assert.equal(rig.ready, 1);
    assert.equal(rig.updater.running().version, "1.0.0", "nothing changes before the restart");
    assert.equal(rig.boot().running().version, "2.0.0");
  });

  it("accepts a body without Content-Length (chunked): the image says where it ends", () => {
    const rig = makeRig();
    rig.client.serve(WHERE, { body: buildImage({ size: 4000, version: "2.1.0" }), contentLength: null });
    run(rig);
    assert.equal(rig.job.state, "rebooting");
    assert.equal(rig.job.status().total, 0);
  });

  it("checks the whole file's SHA-256 when the request gives one", () => {
    const image = buildImage({ size: 4000, version: "2.0.0" });
    const good = makeRig();
    good.client.serve(WHERE, { body: image });
    run(good, { url: URL, sha256: toHex(sha256(image)).toUpperCase() });
    assert.equal(good.job.state, "rebooting");
    const bad = makeRig();
    bad.client.serve(WHERE, { body: image });
    run(bad, { url: URL, sha256: "0".repeat(64) });
    assertCleanFailure(bad, /the file's SHA-256 is [0-9a-f]{64}, not the expected 0{64}/);
  });

  it("hashes with the host's SHA-256 when it has one (the device's is native)", () => {
    const image = buildImage({ size: 4000, version: "2.0.0" });
    const rig = makeRig();
    let hashers = 0;
    const job = new OtaJob({
      updater: rig.updater,
      client: rig.client,
      clock: rig.clock,
      sha256: () => {
        hashers++;
        return new Sha256();
      },
    });
    rig.client.serve(WHERE, { body: image });
    job.start({ url: URL, sha256: toHex(sha256(image)) });
    rig.clock.runUntil(() => !job.running || job.state === "rebooting", 10_000, "the job to end");
    assert.equal(job.state, "rebooting", job.status().error);
    assert.equal(hashers, 2, "one for the appended hash, one for the whole file");
  });

  it("follows redirects, relative ones too", () => {
    const rig = makeRig();
    rig.client.serve(WHERE, { status: 302, location: "/moved/fw.bin" });
    rig.client.serve("updates.local:8080/moved/fw.bin", { status: 301, location: "http://mirror:81/fw.bin" });
    rig.client.serve("mirror:81/fw.bin", { body: buildImage({ size: 3000, version: "2.0.0" }) });
    run(rig);
    assert.equal(rig.job.state, "rebooting");
    assert.deepEqual(rig.client.requests, [WHERE, "updates.local:8080/moved/fw.bin", "mirror:81/fw.bin"]);
  });

  const FAILURES: readonly [string, (image: Uint8Array) => ScriptedAnswer, RegExp][] = [
    ["a 404", () => ({ status: 404 }), /the server answered 404 Not Found for http:\/\/updates\.local:8080\/fw\.bin/],
    ["a 500", () => ({ status: 500 }), /the server answered 500 Internal Server Error/],
    ["a redirect loop", () => ({ status: 302, location: "/fw.bin" }), /too many redirects \(more than 3\)/],
    ["a redirect without Location", () => ({ status: 307 }), /redirect\) without saying where to/],
    ["a redirect to https", () => ({ status: 301, location: "https://secure/fw.bin" }), /cannot use https/],
    ["a refused connection", () => ({ fault: "refuse" }), /could not download from updates\.local:8080: connection refused/],
    ["a server that never answers", () => ({ fault: "silent" }), /updates\.local:8080 did not answer within 20 s/],
    ["a connection dropped mid-way", (image) => ({ body: image, fault: "drop", at: 2000 }), /the download broke off after 2\d{3} of \d+ bytes: connection dropped/],
    ["a stalled download", (image) => ({ body: image, fault: "stall", at: 2000 }), /no data from the server for 2\d(\.\d)? s \(after 2\d{3} bytes\)/],
    ["a body shorter than its Content-Length", (image) => ({ body: image.slice(0, 2500), contentLength: image.length }), /the download ended early: 2500 of \d+ bytes arrived/],
    ["a body longer than its Content-Length", (image) => ({ body: image, contentLength: 2500 }), /sent more than the 2500 bytes it announced/],
    ["an image larger than the partition", () => ({ body: buildImage({ size: 40_000, hashAppended: false }) }), /the file is larger than the update partition \(32768 bytes\)/],
    ["an oversized image without Content-Length", () => ({ body: buildImage({ size: 40_000, hashAppended: false }), contentLength: null }), /does not fit: segment 3 of 3 would end at byte \d+, past the end of the update partition \(32768 bytes\)/],
    ["an empty file", () => ({ body: new Uint8Array(0) }), /the server sent an empty file/],
    ["an HTML page", (image) => ({ body: breakImage(image, "html") }), /not an ESP32 app image \(it does not start with 0xE9/],
    ["a wrong magic byte", (image) => ({ body: breakImage(image, "magic") }), /not an ESP32 app image/],
    ["too many segments", (image) => ({ body: breakImage(image, "many-segments") }), /40 segments/],
    ["a bad descriptor", (image) => ({ body: breakImage(image, "descriptor-magic") }), /no valid app descriptor/],
    ["a bad checksum", (image) => ({ body: breakImage(image, "checksum") }), /checksum is 0x[0-9A-F]{2} but its data gives/],
    ["a bad appended hash", (image) => ({ body: breakImage(image, "hash") }), /appended SHA-256 does not match/],
    ["a truncated image served whole", (image) => ({ body: breakImage(image, "truncated") }), /the image is incomplete: it ends after \d+ bytes, inside segment 3 of 3/],
    ["another project's image", () => ({ body: buildImage({ size: 4000, project: "other-app" }) }), /the image is for project "other-app", but this device runs "xs_esp32" \(send allowOtherProject/],
    ["another chip's image", () => ({ body: buildImage({ size: 4000, chipId: 9 }) }), /built for ESP32-S3, but this device is ESP32/],
  ];

  for (const [what, answer, pattern] of FAILURES) {
    it(`fails cleanly on ${what}, and a new attempt works`, () => {
      const rig = makeRig();
      rig.client.serve(WHERE, answer(buildImage({ size: 4000, version: "2.0.0" })));
      run(rig);
      assertCleanFailure(rig, pattern);
    });
  }

  it("refuses a bad image before writing a byte of it", () => {
    for (const breakage of ["html", "magic", "many-segments", "descriptor-magic"] as const) {
      const rig = makeRig();
      rig.client.serve(WHERE, { body: breakImage(buildImage({ size: 4000 }), breakage) });
      run(rig);
      assert.equal(rig.store.appends, 0, breakage);
    }
  });

  it("installs another project's image when the request allows it", () => {
    const rig = makeRig();
    rig.client.serve(WHERE, { body: buildImage({ size: 4000, project: "other-app", version: "9.0.0" }) });
    run(rig, { url: URL, allowOtherProject: true });
    assert.equal(rig.job.state, "rebooting");
    const app = rig.boot().running();
    assert.deepEqual([app.project, app.version], ["other-app", "9.0.0"]);
  });

  it("reports the device refusing the image at complete()", () => {
    const rig = makeRig(32 * 1024, (u) => {
      let refuse = true;
      return {
        get partitionSize() { return u.partitionSize; },
        running: () => u.running(),
        begin: () => u.begin(),
        write: (b) => u.write(b),
        complete: () => {
          if (refuse) {
            refuse = false;
            throw new Error("end failed");
          }
          u.complete();
        },
        cancel: () => u.cancel(),
        markValid: () => u.markValid(),
      };
    });
    rig.client.serve(WHERE, { body: buildImage({ size: 4000, version: "2.0.0" }) });
    run(rig);
    assertCleanFailure(rig, /the device refused the image: end failed/);
  });

  it("answers a second start while one runs with OtaBusyError, and a bad request with OtaRequestError", () => {
    const rig = makeRig();
    rig.client.serve(WHERE, { body: buildImage({ size: 8000 }), delayMs: 100 });
    rig.job.start({ url: URL });
    assert.throws(() => rig.job.start({ url: URL }), /already downloading/);
    try {
      rig.job.start({ url: URL });
    } catch (e) {
      assert.ok(e instanceof OtaBusyError);
    }
    const idle = makeRig();
    for (const request of [{ url: "" }, { url: "https://x/fw.bin" }, { url: URL, sha256: "abc" }]) {
      let error: unknown;
      try {
        idle.job.start(request);
      } catch (e) {
        error = e;
      }
      assert.ok(error instanceof OtaRequestError, JSON.stringify(request));
      assert.equal(idle.job.state, "idle");
    }
  });

  it("stop() ends a running download and cancels the write", () => {
    const rig = makeRig();
    rig.client.serve(WHERE, { body: buildImage({ size: 12_000 }), delayMs: 10, fragment: 1000 });
    rig.job.start({ url: URL });
    rig.clock.run(50);
    assert.ok(rig.store.appends > 0);
    rig.job.stop();
    assert.equal(rig.job.state, "failed");
    assert.equal(rig.client.open, 0);
    assert.equal(rig.clock.pending, 0, "no timer left behind");
    assert.equal(rig.boot().running().version, "1.0.0");
  });

  it("leaves no timer behind after success or failure", () => {
    const ok = makeRig();
    ok.client.serve(WHERE, { body: buildImage({ size: 3000 }) });
    run(ok);
    ok.clock.run(10);
    assert.equal(ok.clock.pending, 0);
    const bad = makeRig();
    bad.client.serve(WHERE, { status: 404 });
    run(bad);
    assert.equal(bad.clock.pending, 0);
  });

  it("shows an earlier failure (a rollback) until the next start", () => {
    const rig = makeRig();
    rig.job.reportFailure("the update to x 2 was rolled back");
    assert.deepEqual(rig.job.status(), { state: "failed", received: 0, total: 0, error: "the update to x 2 was rolled back" });
    rig.client.serve(WHERE, { body: buildImage({ size: 3000 }) });
    run(rig);
    assert.equal(rig.job.status().error, "");
  });
});
