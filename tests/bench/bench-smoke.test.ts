/*
 * A smoke run of `npm run bench` in its quick mode (tiny iteration counts, 1 s loads): the
 * benchmark still runs end to end, prints a table for every section and writes JSON with every
 * section. It asserts no figure and no timing: benchmarks report, they never fail a build. A
 * section that ended in "error" does fail it, because that is the benchmark itself broken
 * (OTA may say "not available" while its code is missing: that is reported, not failed).
 */

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { strict as assert } from "node:assert";

const ROOT = resolve(import.meta.dirname, "../..");
const SECTIONS = {
  xsMemory: "## XS memory",
  xsBudget: "## Memory budget per feature",
  xsConnections: "## XS heap held per open connection",
  xsCompute: "## XS compute",
  throughput: "## Simulator throughput",
  ota: "## OTA download and verify",
  otaXs: "## OTA on XS",
  size: "## Size",
  mqtt: "## MQTT fleet on Mosquitto",
} as const;

interface BenchJson {
  commit: string;
  sections: Record<string, { key: string; status: string; reason?: string; table?: { columns: string[]; rows: unknown[][] } }>;
}

function runQuickBench(out: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "bench", "run.ts"), "--quick", "--out", out], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code, stdout, stderr }));
  });
}

describe("benchmarks (npm run bench -- --quick)", function () {
  // About 25 s alone; several times that on a machine that is building the SDK beside it.
  this.timeout(240_000);
  let dir: string;
  let result: { code: number | null; stdout: string; stderr: string };
  let json: BenchJson;

  before(async function () {
    dir = mkdtempSync(join(tmpdir(), "iot-bench-smoke-"));
    const out = join(dir, "bench.json");
    result = await runQuickBench(out);
    if (result.code !== 0) throw new Error(`the bench exited with ${result.code}:\n${result.stdout}\n${result.stderr}`);
    json = JSON.parse(readFileSync(out, "utf8")) as BenchJson;
  });

  after(function () {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("prints a table for every section", function () {
    for (const [key, heading] of Object.entries(SECTIONS)) {
      assert.ok(result.stdout.includes(heading), `no "${heading}" (${key}) in the output:\n${result.stdout}`);
    }
    assert.match(result.stdout, /^\| what +\| slots/m, "the XS memory table is missing");
    assert.match(result.stdout, /figures written to /);
  });

  it("writes JSON with every section, each measured or saying why not", function () {
    assert.ok(json.commit, "the JSON names no commit");
    for (const key of Object.keys(SECTIONS)) {
      const section = json.sections[key];
      assert.ok(section, `section ${key} is missing from the JSON`);
      assert.notEqual(section.status, "error", `section ${key} failed: ${section.reason}`);
      if (section.status === "ok") assert.ok(section.table && section.table.rows.length > 0, `section ${key} has no table`);
      else assert.ok(key.startsWith("ota") && section.reason, `section ${key} is "${section.status}" without a reason`);
    }
  });
});
