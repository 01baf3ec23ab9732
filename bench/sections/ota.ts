/*
 * OTA: what downloading and verifying an update costs.
 *
 * Simulator (Node): an image of 1 MiB and of 4 MiB downloaded through the framework as the
 * simulator's OTA feature runs it (the core's OtaJob checking every fragment, over the Node
 * host's NodeTcp (the core's HTTP client on it) and node:crypto SHA-256, and its file-backed
 * Updater, whose complete() takes the check made as it streamed instead of reading the partition
 * back, then selects it with an fsync'ed record) next to a plain node:http download
 * of the same bytes into a file, from the same loopback server (tests/support/image-server.ts,
 * in this process), in alternating rounds of one child process. Peak live memory (heapUsed +
 * external after gc(), sampled every 256 KiB received) in the same child after the timed rounds:
 * it must not grow with the image, which is never held whole.
 *
 * XS: the same OtaJob and SlotUpdater in the real engine, fed the image in 1,460-byte fragments
 * (one TCP segment) from one reused buffer; live slots and chunk bytes after gc() at every tenth
 * of the download, over the live heap before start(), and XS's compute meter per MiB. The
 * partition is flash, not heap: a stand-in reads the written slot back from the source image.
 * XS hashes in plain JavaScript here (xsnap has no native digest; about 9 s per MiB on this host
 * for the two SHA-256 passes), so the XS sizes are 256 KiB and 1 MiB: enough to show whether
 * memory follows the size.
 */

import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { ROOT } from "../../tests/xs/bundle.ts";
import { buildImage } from "../../tests/support/esp32-image.ts";
import { ImageServer } from "../../tests/support/image-server.ts";
import { bytes, notAvailable, num, ratio, type SectionResult } from "../report.ts";
import type { OtaRunPlan, OtaRunResult } from "../ota/ota-download.ts";
import { bundleXsBench, XsSession } from "../xs/xs-session.ts";

const MiB = 1024 * 1024;
const KiB = 1024;
/** The project name every Moddable app has (the simulator's factory app too). */
const PROJECT = "xs_esp32";
const ESP32_SLOT_BYTES = 16;

/** The pieces the measurement needs from the OTA work; missing ones make the section say so. */
async function missingApi(): Promise<string | undefined> {
  const needs: [file: string, exports: string[]][] = [
    ["modules/ota/ota-job.ts", ["OtaJob"]],
    ["hosts/simulated/slot-updater.ts", ["SlotUpdater"]],
    ["modules/http/http-client.ts", ["TcpHttpClient"]],
    ["hosts/node/host.ts", ["createNodeHost"]],
    ["hosts/node/updater.ts", ["createNodeUpdater"]],
    ["tests/support/esp32-image.ts", ["buildImage"]],
    ["tests/support/image-server.ts", ["ImageServer"]],
  ];
  for (const [file, names] of needs) {
    if (!existsSync(join(ROOT, file))) return `${file} does not exist yet`;
    const module = (await import(join(ROOT, file))) as Record<string, unknown>;
    for (const name of names) if (typeof module[name] !== "function") return `${file} does not export ${name}`;
  }
  return undefined;
}

function runChild(plan: { dir: string; runs: OtaRunPlan[] }, work: string, name: string): Promise<OtaRunResult[]> {
  const planFile = join(work, `${name}.json`);
  writeFileSync(planFile, JSON.stringify(plan));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", join(ROOT, "bench", "ota", "ota-download.ts"), planFile], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let last = "";
    createInterface({ input: child.stdout! }).on("line", (line) => (last = line));
    child.on("error", reject);
    child.on("close", (code) => {
      try {
        const out = JSON.parse(last) as { results: OtaRunResult[]; error?: string };
        if (out.error) reject(new Error(out.error));
        else resolve(out.results);
      } catch {
        reject(new Error(`the OTA download process exited (${code}) without a result`));
      }
    });
  });
}

function label(size: number): string {
  return size >= MiB ? `${size / MiB} MiB` : `${size / KiB} KiB`;
}

/** Issue #18: the OTA path at least this fast as a plain download of the same image. */
const OTA_GOAL = 0.8;

export async function measureOta(options: { quick: boolean }): Promise<SectionResult> {
  const missing = await missingApi();
  if (missing) {
    return notAvailable(
      "ota",
      "OTA download and verify (simulator)",
      `not available yet: ${missing}. Expected: OtaJob({ updater, client, clock, onReady }).start({ url }) in modules/ota/ota-job.ts, ` +
        "SlotUpdater({ store, storage, factory }) in hosts/simulated/slot-updater.ts, TcpHttpClient in modules/http/http-client.ts",
    );
  }
  const sizes = options.quick ? [64 * KiB, 256 * KiB] : [1 * MiB, 4 * MiB];
  const rounds = options.quick ? 1 : 3;
  const sampleBytes = options.quick ? 16 * KiB : 256 * KiB;
  const work = mkdtempSync(join(tmpdir(), "iot-bench-ota-"));
  const server = new ImageServer();
  try {
    const base = await server.start();
    for (const size of sizes) server.route(`/${size}.bin`, { body: buildImage({ size, project: PROJECT, seed: 7 }), chunkBytes: 64 * KiB });
    const url = (size: number): string => `${base}/${size}.bin`;
    const dir = (name: string): string => {
      const d = join(work, name);
      mkdirSync(d, { recursive: true });
      return d;
    };

    // Timing, in one process: a warm-up pair of the largest image (V8 compiles the verifier's
    // hot loops on the way), then per size alternating rounds, so both modes see the same machine.
    const plan = (mode: "plain" | "ota", size: number, sample = false): OtaRunPlan => ({ mode, url: url(size), project: PROJECT, ...(sample ? { sampleBytes } : {}) });
    const largest = sizes[sizes.length - 1];
    const runs: OtaRunPlan[] = [plan("plain", largest), plan("ota", largest)];
    for (const size of sizes)
      for (let r = 0; r < rounds; r++) runs.push(...(r % 2 ? [plan("ota", size), plan("plain", size)] : [plan("plain", size), plan("ota", size)]));
    // Memory: per size and mode, an unsampled run (code compiled on first use is not the
    // download's memory), then a sampled one; in a fresh process each, except in quick mode.
    const memoryPlans = sizes.flatMap((size) => (["plain", "ota"] as const).map((mode) => ({ size, mode, runs: [plan(mode, size), plan(mode, size, true)] })));
    const memory: Record<string, OtaRunResult> = {};
    let timed: OtaRunResult[];
    if (options.quick) {
      const all = await runChild({ dir: dir("runs"), runs: [...runs, ...memoryPlans.flatMap((m) => m.runs)] }, work, "runs");
      timed = all.slice(2, runs.length);
      memoryPlans.forEach((m, i) => (memory[`${m.mode}:${m.size}`] = all[runs.length + 2 * i + 1]));
    } else {
      timed = (await runChild({ dir: dir("timing"), runs }, work, "timing")).slice(2);
      for (const m of memoryPlans) memory[`${m.mode}:${m.size}`] = (await runChild({ dir: dir(`${m.mode}-${m.size}`), runs: m.runs }, work, `memory-${m.mode}-${m.size}`))[1];
    }

    const perSize = sizes.map((size, i) => {
      const mine = timed.slice(i * 2 * rounds, (i + 1) * 2 * rounds);
      // The fastest round: other processes on the machine only ever add time.
      const plainMs = Math.min(...mine.filter((r) => r.mode === "plain").map((r) => r.ms));
      const otaRuns = mine.filter((r) => r.mode === "ota");
      const otaMs = Math.min(...otaRuns.map((r) => r.ms));
      const fastest = otaRuns.find((r) => r.ms === otaMs)!;
      // Download and check: from the request to the last byte hashed and the image's checks passed.
      const checkedMs = Math.min(...otaRuns.map((r) => r.downloadMs ?? r.ms));
      const imageBytes = mine[0].bytes;
      return {
        size,
        imageBytes,
        plain: { ms: plainMs, mibPerSecond: imageBytes / MiB / (plainMs / 1000), peakLiveBytes: memory[`plain:${size}`].peakLiveBytes!, peakRssBytes: memory[`plain:${size}`].peakRssBytes! },
        ota: { ms: otaMs, checkedMs, completeMs: otaMs - (fastest.downloadMs ?? otaMs), mibPerSecond: imageBytes / MiB / (otaMs / 1000), peakLiveBytes: memory[`ota:${size}`].peakLiveBytes!, peakRssBytes: memory[`ota:${size}`].peakRssBytes! },
        ratio: plainMs / otaMs,
        checkedRatio: plainMs / checkedMs,
      };
    });
    return {
      key: "ota",
      title: "OTA download and verify (simulator, loopback)",
      status: "ok",
      table: {
        columns: ["image", "plain MiB/s", "OTA MiB/s (whole update)", "download and check vs plain", "goal", "whole update vs plain", "OTA after last byte", "peak live, plain", "peak live, OTA"],
        rows: perSize.map((s) => [
          label(s.size),
          num(s.plain.mibPerSecond, 1),
          num(s.ota.mibPerSecond, 1),
          ratio(s.checkedRatio),
          `≥ ${ratio(OTA_GOAL)}`,
          ratio(s.ratio),
          `${num(s.ota.completeMs)} ms`,
          bytes(s.plain.peakLiveBytes),
          bytes(s.ota.peakLiveBytes),
        ]),
      },
      notes: [
        "OTA = as the simulator runs it: the core's OtaJob (checks and hashes each fragment as it streams) over the core's HTTP client on the Node host's NodeTcp, SHA-256 (node:crypto) and its file-backed Updater (one open file per image; complete() takes the streamed check instead of reading the partition back); plain = node:http into a file",
        `fastest of ${rounds} alternating round(s) per size, in one process after a warm-up pair of the largest image; a ratio is OTA speed over plain speed, each from the fastest round of its kind`,
        "download and check (the goal's figure, issue #18's \"download and verify\"): from the request until the last byte is written and hashed and the image's checks (size, header, SHA-256) have passed; whole update: also complete() closing the partition file and selecting it for the next boot, the fsync'ed record that a power cut must not undo, which a plain download into a file does not do",
        "OTA after last byte: the 0 ms timer the job hands complete() to (Node makes it 1 ms) and that complete(), a per-update cost that weighs most on small images and varies with the disk",
        `peak live = highest heapUsed + external after gc(), sampled every ${bytes(sampleBytes)} received, over the same before the download (negative: less than before), after one unsampled download of the same kind${options.quick ? "" : ", in a fresh process per size and mode"}; V8's heap also holds compiled code and its collector's timing varies, so expect a few hundred KiB of noise: an image held whole would add its size (peak RSS growth, noisier still, is in the JSON)`,
        "the partitions are 8 MiB here so that the 4 MiB image fits (the simulator's default is a 4 MB ESP32's 1.94 MiB)",
      ],
      figures: { sizes: perSize, rounds, sampleBytes, timed },
    };
  } finally {
    await server.close();
    rmSync(work, { recursive: true, force: true });
  }
}

/** OTA on XS: live memory during the download, and the compute meter per MiB. */
export async function measureOtaXs(options: { quick: boolean }): Promise<SectionResult> {
  const missing = await missingApi();
  if (missing) return notAvailable("otaXs", "OTA on XS", `not available yet: ${missing}`);
  const sizes = options.quick ? [8 * KiB, 32 * KiB] : [256 * KiB, 1 * MiB];
  const steps = 10;
  const work = mkdtempSync(join(tmpdir(), "iot-bench-ota-xs-"));
  const script = await bundleXsBench({ name: `xs-bench-ota-${process.pid}` });
  const xs = await XsSession.start(script);
  try {
    // One unmeasured update first: XS interns property names and builds some objects on first
    // use, once per engine; that is not what a download costs.
    const warmup = join(work, "warmup.bin");
    writeFileSync(warmup, buildImage({ size: 8 * KiB, project: PROJECT, seed: 3 }));
    await xs.sendImage(warmup);
    await xs.command({ op: "ota-prepare", project: PROJECT });
    await xs.command({ op: "ota-start" });
    if ((await xs.command({ op: "ota-feed" })).reply.state !== "rebooting") throw new Error("the warm-up update on XS did not complete");
    await xs.command({ op: "ota-drop" });

    const results = [];
    for (const size of sizes) {
      const file = join(work, `${size}.bin`);
      writeFileSync(file, buildImage({ size, project: PROJECT, seed: 7 }));
      await xs.sendImage(file);
      await xs.command({ op: "ota-prepare", project: PROJECT });
      const before = { slots: await xs.liveSlots(), chunkBytes: (await xs.snapshot()).chunkBytes };
      let compute = (await xs.command({ op: "ota-start" })).meter.compute;
      let peak = { slots: 0, chunkBytes: 0, esp32Bytes: 0 };
      let last = { slots: 0, chunkBytes: 0, esp32Bytes: 0 };
      let state = "";
      for (let i = 1; i <= steps; i++) {
        // Steps 1..9 stop mid-download; step 10 delivers the rest, the end, and complete().
        const fed = await xs.command({ op: "ota-feed", upTo: i === steps ? undefined : Math.floor((size * i) / steps) });
        compute += fed.meter.compute;
        state = String(fed.reply.state);
        const slots = (await xs.liveSlots()) - before.slots;
        const chunkBytes = (await xs.snapshot()).chunkBytes - before.chunkBytes;
        last = { slots, chunkBytes, esp32Bytes: slots * ESP32_SLOT_BYTES + chunkBytes };
        if (i < steps && last.esp32Bytes > peak.esp32Bytes) peak = last;
      }
      if (state !== "rebooting") throw new Error(`the OTA job on XS ended "${state}", not ready to reboot`);
      await xs.command({ op: "ota-drop" });
      results.push({ size, peak, after: last, computePerMiB: compute / (size / MiB) });
    }
    return {
      key: "otaXs",
      title: "OTA on XS (the core's OtaJob + SlotUpdater; live after gc())",
      status: "ok",
      table: {
        columns: ["image", "peak slots", "peak chunk bytes", "peak ≈ ESP32 bytes", "after complete()", "meter per MiB"],
        rows: results.map((r) => [label(r.size), num(r.peak.slots), num(r.peak.chunkBytes), bytes(r.peak.esp32Bytes), bytes(r.after.esp32Bytes), num(r.computePerMiB)]),
      },
      notes: [
        "live memory over the heap before start(), read after gc() at each tenth of the download, after one unmeasured 8 KiB update; must be the same for every size (the image is never held)",
        "fed in 1,460-byte fragments from one reused buffer; the partition is a flash stand-in that costs no heap",
        "meter per MiB: XS compute for the whole download, verification and complete(); SHA-256 runs in plain JS here (a device host may hash natively)",
      ],
      figures: { sizes: results, steps, fragmentBytes: 1460 },
    };
  } finally {
    await xs.close();
    rmSync(script, { force: true });
    rmSync(work, { recursive: true, force: true });
  }
}
