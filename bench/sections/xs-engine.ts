/*
 * The framework's cost on the engine the device runs: real XS (@agoric/xsnap), measured with
 * XS's own meter, which gives the same figures on every machine and every run.
 *
 * Memory: live slots after gc() (meterUsage.currentHeapCount at the end of a crank that ended
 * with gc(); see xs-bench-app.ts and README.md, "Benchmarks") and live chunk bytes (strings, array
 * and Map storage; from a heap snapshot, which XS writes after its own collection). Reported as
 * differences between measuring points of one engine, so the runner's own constant footprint
 * cancels out:
 *   core modules initialised  -> the demo app booted and idle -> one request of each kind
 *   -> 1,000 more requests (growth: must be 0) -> the data store cleared -> 10, 50, 200 entries.
 * The same life cycle runs a second time in its own engine on a host like the ESP32's (a radio
 * whose network the device joins, app partitions, an HTTP client), so that the manager also runs
 * its WiFi and OTA features.
 *
 * Compute: XS's deterministic meter (meterUsage.compute, per crank) for serving GET /data and
 * GET / with 10, 50 and 200 entries, next to its floor in the same engine: JSON.stringify of a
 * plain object holding the same entries, and concatenating the page's own fragments (the bytes,
 * already escaped). Per operation = (meter of 2k operations - meter of k) / k, which removes the
 * command's own cost exactly. Also wall-clock µs inside XS, for scale: the meter leaves most
 * native work (JSON.stringify's loop) uncounted.
 */

import { rmSync } from "node:fs";
import { bytes, num, ratio, type SectionResult } from "../report.ts";
import type { Work } from "../xs/xs-bench-app.ts";
import { bundleXsBench, XsSession, type XsSnapshotFigures } from "../xs/xs-session.ts";

/** sizeof(txSlot) on the ESP32 (32-bit): a slot is 16 bytes there, 32 on this 64-bit host. */
const ESP32_SLOT_BYTES = 16;
const ENTRY_COUNTS = [10, 50, 200] as const;

interface Point {
  slots: number;
  chunkBytes: number;
}

interface Delta {
  slots: number;
  chunkBytes: number;
  /** Estimated bytes on the ESP32: slots × 16 + chunk bytes (chunks measured on 64-bit: an upper bound). */
  esp32Bytes: number;
}

function delta(from: Point, to: Point): Delta {
  const slots = to.slots - from.slots;
  const chunkBytes = to.chunkBytes - from.chunkBytes;
  return { slots, chunkBytes, esp32Bytes: slots * ESP32_SLOT_BYTES + chunkBytes };
}

async function point(xs: XsSession): Promise<Point> {
  const slots = await xs.liveSlots();
  const snapshot: XsSnapshotFigures = await xs.snapshot();
  // The snapshot comes second: it collects garbage itself, and must not disturb the slot reading.
  return { slots, chunkBytes: snapshot.chunkBytes };
}

async function settle(xs: XsSession, op: "load" | "boot", device = false): Promise<Record<string, unknown>> {
  await xs.command({ op, device });
  const { reply } = await xs.command({ op: "result" });
  if (reply.ok !== true) throw new Error(`XS: ${op} failed: ${String(reply.error ?? JSON.stringify(reply))}`);
  return reply;
}

const REQUESTS = 1000;

/** The app's life cycle in one engine: modules loaded, booted and idle, 7 requests, 1,000 more. */
async function lifeCycle(xs: XsSession, device: boolean) {
  const started = await point(xs);
  await settle(xs, "load", device);
  const loaded = await point(xs);
  const booted = await settle(xs, "boot");
  const idle = await point(xs);
  await xs.command({ op: "requests", n: 7 });
  const warm = await point(xs);
  await xs.command({ op: "requests", n: REQUESTS });
  const after = await point(xs);
  return {
    booted,
    points: { started, loaded, idle, warm, after },
    modules: delta(started, loaded),
    manager: delta(loaded, idle),
    firstRequests: delta(idle, warm),
    growth: delta(warm, after),
  };
}

export interface XsFigures {
  memory: SectionResult;
  compute: SectionResult;
}

export async function measureXs(options: { quick: boolean }): Promise<XsFigures> {
  const script = await bundleXsBench();
  try {
    // The device's configuration first, in its own engine (main.ts runs once per engine).
    const device = await XsSession.start(script);
    let withFeatures: Awaited<ReturnType<typeof lifeCycle>>;
    try {
      withFeatures = await lifeCycle(device, true);
    } finally {
      await device.close();
    }
    const atRest = await featuresAtRest(script);
    const xs = await XsSession.start(script);
    try {
      const memoryResult = await memory(xs, withFeatures, atRest);
      return { memory: memoryResult, compute: await compute(xs, options.quick ? 1 : 10, options.quick ? 2 : 50, options.quick ? 1 : 3) };
    } finally {
      await xs.close();
    }
  } finally {
    rmSync(script, { force: true });
  }
}

/**
 * Slots the time (SNTP) and mDNS features hold at rest, synced and claimed: a manager with only
 * that feature, against the same manager without it. Each variant in an engine of its own, run
 * once unmeasured first (what a feature's first run makes for good, such as new names in XS's
 * key table, is not what it holds at rest), then measured.
 */
async function featuresAtRest(script: string) {
  const measure = async (features: { time?: boolean; mdns?: boolean }) => {
    const xs = await XsSession.start(script);
    try {
      await settle(xs, "load");
      let reply: Record<string, unknown> = {};
      let at: Point | undefined;
      for (let i = 0; i < 2; i++) {
        await xs.command({ op: "idle-features", features });
        reply = (await xs.command({ op: "result" })).reply;
        if (reply.ok !== true) throw new Error(`XS: idle-features failed: ${String(reply.error ?? JSON.stringify(reply))}`);
        at = await point(xs);
        await xs.command({ op: "idle-drop" });
      }
      return { at: at as Point, reply };
    } finally {
      await xs.close();
    }
  };
  const none = await measure({});
  const time = await measure({ time: true });
  const mdns = await measure({ mdns: true });
  return { time: delta(none.at, time.at), mdns: delta(none.at, mdns.at), timeValid: time.reply.timeValid, mdnsState: mdns.reply.mdns };
}

async function memory(xs: XsSession, device: Awaited<ReturnType<typeof lifeCycle>>, atRest: Awaited<ReturnType<typeof featuresAtRest>>): Promise<SectionResult> {
  const plain = await lifeCycle(xs, false);
  await xs.command({ op: "clear-data" });
  const empty = await point(xs);
  const entries: Record<number, Delta & { perEntry: Delta }> = {};
  for (let i = 0; i < ENTRY_COUNTS.length; i++) {
    const n = ENTRY_COUNTS[i];
    await xs.command({ op: "fill-data", from: i === 0 ? 0 : ENTRY_COUNTS[i - 1], n });
    const d = delta(empty, await point(xs));
    entries[n] = { ...d, perEntry: { slots: d.slots / n, chunkBytes: d.chunkBytes / n, esp32Bytes: d.esp32Bytes / n } };
  }
  await xs.command({ op: "clear-data" });

  const row = (label: string, d: Delta): (string | number)[] => [label, num(d.slots), num(d.chunkBytes), bytes(d.esp32Bytes)];
  const network = device.booted.network as { mode?: string; ssid?: string } | undefined;
  return {
    key: "xsMemory",
    title: "XS memory (real XS via xsnap; live after gc())",
    status: "ok",
    table: {
      columns: ["what", "slots", "chunk bytes", "≈ ESP32 bytes"],
      rows: [
        row("core modules initialised (not preloaded)", plain.modules),
        row("manager + demo app, idle", plain.manager),
        row("  the same with WiFi (joined) and OTA features", device.manager),
        row("first request of each of 7 kinds (lazy caches)", plain.firstRequests),
        row(`growth over ${num(REQUESTS)} requests (must be 0)`, plain.growth),
        row(`  the same with WiFi and OTA features`, device.growth),
        row("time feature at rest (SNTP synced, idle between syncs)", atRest.time),
        row("mDNS feature at rest (name claimed, two services)", atRest.mdns),
        ...ENTRY_COUNTS.map((n) => row(`${n} data entries`, entries[n])),
        ...ENTRY_COUNTS.slice(-1).map((n) => [
          "  per entry (at 200)",
          num(entries[n].perEntry.slots, 1),
          num(entries[n].perEntry.chunkBytes, 1),
          `${num(entries[n].perEntry.esp32Bytes, 1)} B`,
        ]),
      ],
    },
    notes: [
      "slots: live XS slots after gc() (meterUsage.currentHeapCount of a crank that ends with gc()); chunk bytes: live strings/array/Map storage from a heap snapshot",
      `≈ ESP32 bytes = slots × ${ESP32_SLOT_BYTES} (a slot is 16 bytes on the 32-bit ESP32, 32 here) + chunk bytes (as measured on this 64-bit host: an upper bound)`,
      "core modules: what the core's module top levels allocate when not preloaded (mcconfig's preload puts them in flash); net of esbuild's one-shot module initialisers, whose bytecode is freed once run (a chunk figure can be negative)",
      `idle: after a minute of virtual time (the demo's task ran 20 times); includes the in-memory stand-in for NVS holding the saved config. With features: a radio whose network the device joined (${network?.mode ?? "?"} ${network?.ssid ?? ""}), app partitions and an HTTP client, as the ESP32's host has`,
      `time and mDNS at rest: a manager with only that feature on a host with UDP, a station address and an answering time server, a minute after start (clock valid: ${String(atRest.timeValid)}, mDNS ${String(atRest.mdnsState)}), minus the same manager without it; each in an engine of its own, measured on its second run (new names in XS's key table are a one-time cost of the first)`,
      `requests: GET /, /data, /api/status, /api/config, /app.js, a 404 and a no-change POST /api/config, in turn; the app had ${String(plain.booted.entries ?? "?")} data entries; data entries: the store emptied, then filled`,
    ],
    figures: { plain, device, entries, esp32SlotBytes: ESP32_SLOT_BYTES, empty, atRest },
  };
}

/** Compute units of one operation: the difference between 2k and k operations, over k. */
async function perOperation(xs: XsSession, work: Work, k: number): Promise<number> {
  const once = await xs.command({ op: "meter", work, iterations: k });
  const twice = await xs.command({ op: "meter", work, iterations: 2 * k });
  return (twice.meter.compute - once.meter.compute) / k;
}

/** Microseconds of one operation, timed inside XS over about `ms` milliseconds. */
async function timed(xs: XsSession, work: Work, ms: number): Promise<number> {
  const { reply } = await xs.command({ op: "time", work, ms });
  return (Number(reply.ms) * 1000) / Number(reply.count);
}

/**
 * Framework and floor timed in alternation, `rounds` times each; the fastest of each is kept,
 * the usual estimate of the cost itself when other processes only ever add delay.
 */
async function timedPair(xs: XsSession, framework: Work, floor: Work, ms: number, rounds: number): Promise<Pair> {
  let a = Infinity;
  let b = Infinity;
  for (let i = 0; i < rounds; i++) {
    a = Math.min(a, await timed(xs, framework, ms));
    b = Math.min(b, await timed(xs, floor, ms));
  }
  return pair(a, b);
}

interface Pair {
  framework: number;
  floor: number;
  ratio: number;
}

function pair(framework: number, floor: number): Pair {
  return { framework, floor, ratio: framework / floor };
}

async function compute(xs: XsSession, k: number, timeMs: number, rounds: number): Promise<SectionResult> {
  await xs.command({ op: "clear-data" });
  const results: { entries: number; dataBytes: number; pageBytes: number; data: Pair; page: Pair; dataMicros: Pair; pageMicros: Pair }[] = [];
  let filled = 0;
  for (const n of ENTRY_COUNTS) {
    await xs.command({ op: "fill-data", from: filled, n });
    filled = n;
    const prepared = (await xs.command({ op: "prepare-floors" })).reply;
    if (prepared.dataSame !== true) throw new Error("GET /data and JSON.stringify of the same entries differ: the floor would not be the same work");
    results.push({
      entries: n,
      dataBytes: Number(prepared.dataBytes),
      pageBytes: Number(prepared.pageBytes),
      data: pair(await perOperation(xs, "serve-data", k), await perOperation(xs, "floor-data", k)),
      page: pair(await perOperation(xs, "serve-page", k), await perOperation(xs, "floor-page", k)),
      dataMicros: await timedPair(xs, "serve-data", "floor-data", timeMs, rounds),
      pageMicros: await timedPair(xs, "serve-page", "floor-page", timeMs, rounds),
    });
  }
  const row = (label: string, n: number, m: Pair, t: Pair): (string | number)[] => [
    label,
    n,
    num(m.framework),
    num(m.floor),
    ratio(m.ratio),
    num(t.framework, 1),
    num(t.floor, 1),
    ratio(t.ratio),
  ];
  return {
    key: "xsCompute",
    title: "XS compute (per request: the engine's deterministic meter, and time in XS)",
    status: "ok",
    table: {
      columns: ["work", "entries", "meter", "floor", "ratio", "µs in XS", "floor µs", "ratio"],
      rows: [
        ...results.map((r) => row("GET /data vs JSON.stringify", r.entries, r.data, r.dataMicros)),
        ...results.map((r) => row("GET / (page) vs joining its fragments", r.entries, r.page, r.pageMicros)),
      ],
    },
    notes: [
      "meter: XS's compute meter (meterUsage.compute), the same on every machine and run: compare these from commit to commit",
      "the meter counts bytecodes and some native steps; JSON.stringify's inner loop is not metered, so the meter ratio overstates the GET /data ratio: µs in XS is wall-clock time on this host, for scale",
      "framework = manager.handle(request) and reading the whole body, as a host does; floors run in the same engine and run on the same entries (the page floor joins the page's own, already escaped, fragments)",
      `meter per request = (meter of ${2 * k} requests - meter of ${k}) / ${k}, so the command's own cost cancels out; µs: as many as fit in ${timeMs} ms, the fastest of ${rounds} alternating round(s)`,
    ],
    figures: { iterations: k, timeMs, rounds, results },
  };
}
