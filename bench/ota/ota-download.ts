/*
 * One process of the OTA benchmark: downloads images from the parent's image server, either
 * plainly (node:http into a file: the floor) or through the framework as the simulator runs it
 * (the core's OtaJob, which verifies every fragment, over the core's HTTP client on the simulator host's NodeTcp
 * and node:crypto SHA-256, and its file-backed Updater, whose complete() takes the check made as
 * it streamed and selects the image for the next boot with an fsync'ed record).
 *
 * Its own process so that a memory reading sees nothing but the download: with --expose-gc,
 * a run may sample live memory (gc(), then heapUsed + external) every `sampleBytes` received.
 * Timing runs never sample: a gc() per sample would be timed too.
 *
 * Usage: node --expose-gc --import tsx bench/ota/ota-download.ts <plan.json>
 * plan.json: {"dir": "...", "runs": [{"mode": "plain" | "ota", "url": "...", "project": "...", "sampleBytes": 0}]}
 * Prints one JSON line: {"results": [{"mode", "bytes", "ms", "peakLiveBytes"?, "peakRssBytes"?, "samples"?}]}
 */

import { createWriteStream, readFileSync } from "node:fs";
import { get } from "node:http";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { TcpHttpClient, type HttpClient, type HttpDownloadHandler, type HttpGetOptions } from "../../modules/http/http-client.ts";
import { OtaJob } from "../../modules/ota/ota-job.ts";
import { createNodeHost } from "../../hosts/node/host.ts";
import { createNodeUpdater } from "../../hosts/node/updater.ts";

export interface OtaRunPlan {
  mode: "plain" | "ota";
  url: string;
  project: string;
  /** Sample live memory every this many bytes received (0: never; needs --expose-gc). */
  sampleBytes?: number;
}

export interface OtaRunResult {
  mode: "plain" | "ota";
  bytes: number;
  ms: number;
  /** From the start until the last byte was handled (the streaming checks included). */
  downloadMs?: number;
  /** Highest (heapUsed + external) after gc() during the run, above the same before it. */
  peakLiveBytes?: number;
  /** Highest RSS sampled during the run, above the RSS before it. */
  peakRssBytes?: number;
  samples?: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

/** Live-memory sampling: a reading before the run, then one every `every` bytes and one at the end. */
class Sampler {
  readonly #every: number;
  #next: number;
  #received = 0;
  readonly #baseLive: number;
  readonly #baseRss: number;
  // Signed: a reading below the one before the run is reported as such, not as 0.
  peakLive = -Infinity;
  peakRss = -Infinity;
  samples = 0;

  constructor(every: number) {
    this.#every = every;
    this.#next = every;
    if (every > 0 && !gc) throw new Error("sampling memory needs node --expose-gc");
    const m = this.#read();
    this.#baseLive = m.live;
    this.#baseRss = m.rss;
  }

  #read(): { live: number; rss: number } {
    // Twice: one full collection can leave what only a finaliser released for the next.
    gc?.();
    gc?.();
    const m = process.memoryUsage();
    return { live: m.heapUsed + m.external, rss: m.rss };
  }

  sample(): void {
    if (this.#every <= 0) return;
    const m = this.#read();
    this.samples++;
    this.peakLive = Math.max(this.peakLive, m.live - this.#baseLive);
    this.peakRss = Math.max(this.peakRss, m.rss - this.#baseRss);
  }

  received(bytes: number): void {
    this.#received += bytes;
    if (this.#every > 0 && this.#received >= this.#next) {
      this.#next += this.#every;
      this.sample();
    }
  }
}

/** The floor: node:http straight into a file, as any download tool would. */
async function plain(plan: OtaRunPlan, dir: string, sampler: Sampler): Promise<number> {
  const file = join(dir, "plain.bin");
  let bytes = 0;
  await new Promise<void>((resolve, reject) => {
    // The same request the framework's client makes: no agent, Connection: close.
    get(plan.url, { agent: false, headers: { connection: "close" } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`plain download: status ${res.statusCode}`));
      res.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
        sampler.received(chunk.length);
      });
      pipeline(res, createWriteStream(file)).then(resolve, reject);
    }).on("error", reject);
  });
  return bytes;
}

/** Big enough for the 4 MiB image (a 4 MB ESP32's default split holds about 1.9 MiB). */
const PARTITION_BYTES = 8 * 1024 * 1024;

/**
 * The framework, as the simulator's OTA feature runs it: an OtaJob over the simulator host's
 * HttpClient, Clock and SHA-256 (node:crypto), and its file-backed Updater. Setting up (the
 * host, and the updater's power-on) is not timed: a device does it at boot, not per update.
 * The returned function runs one update and resolves when the image is written, verified and
 * selected.
 */
function framework(plan: OtaRunPlan, dir: string): { go(sampler: Sampler): Promise<number>; close(): void; lastByteAt: number } {
  const host = createNodeHost({ stateDir: dir, port: 0, bind: "127.0.0.1", onRestart: () => undefined, logSink: () => undefined });
  // The host's own updater, with partitions large enough for every size measured.
  const updater = createNodeUpdater({ stateDir: dir, storage: host.storage, partitionBytes: PARTITION_BYTES, sha256: host.sha256 });
  const inner = new TcpHttpClient({ tcp: host.tcp, text: host.text });
  const run = {
    lastByteAt: 0,
    close: () => host.shutdown(),
    go: (sampler: Sampler) => {
      // Sees each fragment after the job has, to sample memory; passes everything through untouched.
      const client: HttpClient = {
        get(options: HttpGetOptions, handler: HttpDownloadHandler) {
          return inner.get(options, {
            response: (head) => handler.response(head),
            data: (fragment) => {
              handler.data(fragment);
              sampler.received(fragment.length);
            },
            end: () => {
              handler.end();
              run.lastByteAt = performance.now();
            },
            error: (message) => handler.error(message),
          });
        },
      };
      return new Promise<number>((resolve, reject) => {
        // As modules/ota/ota-feature.ts builds it.
        const job = new OtaJob({ updater, client, clock: host.clock, sha256: host.sha256, onReady: (image) => resolve(image.length) });
        job.start({ url: plan.url });
        // The job reports failure only through status(): look for it now and then.
        const watch = setInterval(() => {
          if (job.state === "failed") {
            clearInterval(watch);
            reject(new Error(`the OTA job failed: ${job.status().error}`));
          }
          if (job.state === "rebooting") clearInterval(watch);
        }, 5);
      });
    },
  };
  return run;
}

async function run(plan: OtaRunPlan, dir: string): Promise<OtaRunResult> {
  const ota = plan.mode === "ota" ? framework(plan, dir) : undefined;
  try {
    const sampler = new Sampler(plan.sampleBytes ?? 0);
    const started = performance.now();
    const bytes = await (ota ? ota.go(sampler) : plain(plan, dir, sampler));
    const ms = performance.now() - started;
    sampler.sample();
    const result: OtaRunResult = { mode: plan.mode, bytes, ms, ...(ota ? { downloadMs: ota.lastByteAt - started } : {}) };
    if (plan.sampleBytes) Object.assign(result, { peakLiveBytes: sampler.peakLive, peakRssBytes: sampler.peakRss, samples: sampler.samples });
    return result;
  } finally {
    ota?.close();
  }
}

const { dir, runs } = JSON.parse(readFileSync(process.argv[2], "utf8")) as { dir: string; runs: OtaRunPlan[] };
const results: OtaRunResult[] = [];
try {
  for (const plan of runs) results.push(await run(plan, dir));
  process.stdout.write(`${JSON.stringify({ results })}\n`);
} catch (e) {
  process.stdout.write(`${JSON.stringify({ results, error: e instanceof Error ? e.message : String(e) })}\n`);
}
process.exit(0);
