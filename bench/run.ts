/*
 * `npm run bench`: what the framework costs, each figure measured next to its floor in the same
 * run, so that figures compare from one commit to the next:
 *   - XS memory and XS compute: the real XS engine (xsnap) and its own meter (deterministic);
 *   - simulator throughput: GET /data under load against a bare node:http server, same bytes;
 *   - OTA: download-and-verify against a plain loopback download of the same image;
 *   - size: the bundled, minified core (esbuild), per module;
 *   - MQTT: a fleet of 1, 50 and 200 devices on a local Mosquitto, beside mosquitto_pub.
 * Prints one table per section and writes every figure to bench/results/latest.json (git-ignored).
 * Benchmarks never fail: a section that cannot measure says why, and the run goes on.
 *
 *   npm run bench                     # the full run (about 40 s on 2 cores)
 *   npm run bench -- --quick          # tiny counts and 1 s loads: for the smoke test
 *   npm run bench -- --out FILE       # write the JSON elsewhere
 *   npm run bench -- --only xs,size   # some sections (xs, throughput, ota, size, mqtt)
 */

import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ROOT } from "../tests/xs/bundle.ts";
import { formatSection, guarded, notAvailable, type SectionResult } from "./report.ts";
import { measureMqtt } from "./sections/mqtt.ts";
import { measureOta, measureOtaXs } from "./sections/ota.ts";
import { measureSize } from "./sections/size.ts";
import { measureThroughput } from "./sections/throughput.ts";
import { measureXs, type XsFigures } from "./sections/xs-engine.ts";

const SECTIONS = ["xs", "throughput", "ota", "size", "mqtt"] as const;

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    out: { type: "string", default: join(ROOT, "bench", "results", "latest.json") },
    only: { type: "string", default: SECTIONS.join(",") },
  },
  strict: true,
});
const quick = values.quick;
const only = new Set(values.only.split(",").map((s) => s.trim()));

function git(...args: string[]): string {
  try {
    return execFileSync("git", args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "";
  }
}

const started = performance.now();
const commit = git("rev-parse", "--short", "HEAD");
const dirty = git("status", "--porcelain", "--untracked-files=no", "--", "modules", "hosts", "main.ts") !== "";
const header = {
  commit: commit ? `${commit}${dirty ? " (+ uncommitted changes)" : ""}` : "unknown",
  date: new Date().toISOString(),
  quick,
  node: process.version,
  cpu: `${availableParallelism()} × ${cpus()[0]?.model ?? "?"}`,
  loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
};
process.stdout.write(`# IoT Manager benchmarks${quick ? " (quick)" : ""}: ${header.commit}, ${header.date}, node ${header.node}, ${header.cpu}, load ${header.loadAverage.join(" ")}\n\n`);

const sections: SectionResult[] = [];
function report(section: SectionResult): void {
  sections.push(section);
  process.stdout.write(`${formatSection(section)}\n`);
}

// Sections run one after another, never side by side: each one's floor must see the machine the
// framework saw. The deterministic ones first.
if (only.has("xs")) {
  let xs: XsFigures | undefined;
  let failure = "";
  const memory = await guarded("xsMemory", "XS memory", async () => {
    xs = await measureXs({ quick });
    return xs.memory;
  });
  if (!xs) failure = memory.reason ?? "the XS run failed";
  report(memory);
  report(xs ? xs.budget : notAvailable("xsBudget", "Memory budget per feature", failure, "error"));
  report(xs ? xs.connections : notAvailable("xsConnections", "XS heap per open connection", failure, "error"));
  report(xs ? xs.compute : notAvailable("xsCompute", "XS compute", failure, "error"));
}
if (only.has("size")) report(await guarded("size", "Size", () => measureSize()));
if (only.has("throughput")) report(await guarded("throughput", "Simulator throughput", () => measureThroughput({ quick })));
if (only.has("ota")) {
  report(await guarded("ota", "OTA download and verify (simulator)", () => measureOta({ quick })));
  report(await guarded("otaXs", "OTA on XS", () => measureOtaXs({ quick })));
}

if (only.has("mqtt")) report(await guarded("mqtt", "MQTT fleet on Mosquitto", () => measureMqtt({ quick })));

const totalMs = Math.round(performance.now() - started);
const out = resolve(values.out);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ ...header, totalMs, sections: Object.fromEntries(sections.map((s) => [s.key, s])) }, null, 2)}\n`);
process.stdout.write(`${sections.length} sections in ${(totalMs / 1000).toFixed(1)} s; figures written to ${out}\n`);
// Children (servers, the XS engine) are stopped by now; exit even if a library left a handle open.
process.exit(0);
