/*
 * The core's tests (tests/core) on the real XS engine, as part of `npm test`: what passes under
 * mocha on Node but fails here is a bug in the core, because XS is what the device runs.
 *
 * The run is preload-faithful: before any test, the bundle loads the modules manifest.json
 * preloads and freezes the world as the XS linker leaves it (preload-emulation.ts). Each object
 * the linker would warn about ("### warning: <module>: <path>: not frozen") is a failing test
 * named like that warning, and canary tests prove the emulation holds (an Error subclass that
 * sets this.name throws, as it does on the device).
 *
 * before(): bundle the core tests (bundle.ts), run the bundle in xsnap in a child process
 * (run-in-xs.mjs; never in this process, whose realm SES would lock down), then add one mocha
 * test per XS test so a failure shows its name and the XS error, with XS stack lines mapped back
 * to .ts lines. Files marked `// xs: skip — <reason>` show as pending with their reason. Two fixed
 * tests prove the code ran in XS and that the run finished: no crash, at least one test. (A test that
 * never settles fails on its own, as "never settled on XS".)
 */

import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { SourceMap } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Test } from "mocha";
import { bundleCoreTests, ROOT, type XsBundle } from "./bundle.ts";
import type { PreloadFinding } from "./preload-emulation.ts";
import type { XsError, XsEvent } from "./xs-runner.ts";

const RUN_IN_XS = join(dirname(fileURLToPath(import.meta.url)), "run-in-xs.mjs");
// The whole XS run, every core test: generous, since the machine may be busy (about 90 s on two
// idle cores, 210 s with other test runs beside it); a hang is still caught. XS_TIMEOUT_MS changes it.
const XS_TIMEOUT_MS = Number(process.env.XS_TIMEOUT_MS ?? 360_000);

interface XsRun {
  events: XsEvent[];
  meter: { cranks: number; compute: number; allocate: number; currentHeapCount: number };
  crash?: string;
  ms: number;
}

function runInXs(script: string): Promise<{ run: XsRun; printed: string[] }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [RUN_IN_XS, script, String(XS_TIMEOUT_MS)], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      const lines = out.split("\n").filter((l) => l !== "");
      const last = lines.at(-1);
      if (code !== 0 || !last?.startsWith('{"xsTestResult":'))
        return reject(new Error(`run-in-xs.mjs exited with ${signal ?? code} and no result line; its output:\n${out}`));
      resolvePromise({ run: JSON.parse(last) as XsRun, printed: lines.slice(0, -1) });
    });
  });
}

/** Rewrites XS stack lines ("at f (#0:123)": the evaluated bundle, line only) to .ts lines. */
function mapStack(stack: string, bundle: XsBundle, map: SourceMap): string {
  const mapDir = dirname(bundle.map);
  return stack
    .split("\n")
    .slice(1) // the first line repeats name and message
    .filter((line) => !/\(\)$/.test(line.trim())) // native and anonymous-eval frames say nothing
    .map((line) =>
      line.replace(/#0:(\d+)/, (raw, n: string) => {
        // XS gives no column, so take the last mapping on the line: it is that line's code.
        const entry = map.findEntry(Number(n) - 1, 1e9) as { generatedLine?: number; originalSource?: string; originalLine?: number };
        if (entry.generatedLine !== Number(n) - 1 || !entry.originalSource) return raw;
        return `${relative(ROOT, resolve(mapDir, entry.originalSource))}:${entry.originalLine! + 1}`;
      }),
    )
    .filter((line) => !line.includes("tests/xs/")) // the runner's own frames
    .map((line) => `    ${line.trim()}`)
    .join("\n");
}

type PreloadEvent = Extract<XsEvent, { type: "preload" }>;

/** The finding as xsl prints it. */
function xslLine(f: PreloadFinding): string {
  return f.kind === "threw" ? `### error: "${f.module}": its body threw: ${f.message}` : `### warning: "${f.module}": ${f.path}: not frozen`;
}

function explain(f: PreloadFinding): Error {
  return new Error(
    f.kind === "threw"
      ? `preloading runs the module's body at build time; this one threw (${f.message}), which stops the device build`
      : `${f.path} stays writable after preloading: XS keeps it in flash and copies it to RAM when written (one alias each). ` +
          "Freeze it where it is made (Object.freeze), or make it at run time inside a function or an instance",
  );
}

function toError(e: XsError, bundle: XsBundle, map: SourceMap): Error {
  const err = new Error(e.message);
  err.name = `${e.name} (on XS)`;
  err.stack = `${err.name}: ${e.message}\n${e.stack ? mapStack(e.stack, bundle, map) : "    (no XS stack)"}`;
  return err;
}

describe("core tests on XS (xsnap)", function () {
  let bundle: XsBundle;
  let run: XsRun;
  let preload: PreloadEvent | undefined;

  before(async function () {
    this.timeout(XS_TIMEOUT_MS + 30_000);
    // XS_CORE_TESTS=word,word runs only the files whose names contain one (a quick check while working).
    const only = process.env.XS_CORE_TESTS?.split(",").filter((w) => w !== "");
    bundle = await bundleCoreTests({ name: `core-tests-${process.pid}`, only });
    const { run: r, printed } = await runInXs(bundle.script);
    run = r;
    for (const line of printed) console.log(`      [xs print] ${line}`);
    const map = new SourceMap(JSON.parse(readFileSync(bundle.map, "utf8")));

    const suite = this.test!.parent!;
    for (const { file, reason } of bundle.skipped) suite.addTest(new Test(`${file} (xs: skip — ${reason})`));
    for (const event of run.events) {
      if (event.type !== "result") continue;
      const { file, path, error, ms } = event;
      suite.addTest(
        new Test(`${file} › ${path.join(" › ")}${ms >= 50 ? ` (${Math.round(ms)} ms on XS)` : ""}`, function () {
          if (error) throw toError(error, bundle, map);
        }),
      );
    }
    preload = run.events.find((e): e is PreloadEvent => e.type === "preload");
    for (const finding of preload?.findings ?? []) suite.addTest(new Test(xslLine(finding), () => { throw explain(finding); }));
    for (const { what, ok, saw } of preload?.canary ?? [])
      suite.addTest(new Test(`preload canary: ${what}`, () => { if (!ok) throw new Error(`the run is not preload-faithful: ${saw}`); }));
  });

  after(function () {
    // For a bundle to inspect, run `npx tsx tests/xs/bundle.ts` (writes .build/xs/core-tests.js).
    if (bundle) for (const file of [bundle.script, bundle.map]) rmSync(file, { force: true });
  });

  it("runs in XS: strict mode, no setTimeout, and xsnap's own globals (harden, print, issueCommand)", function () {
    const engine = run.events.find((e) => e.type === "engine");
    if (!engine) throw new Error(`the runner never reported its engine${run.crash ? `; XS crashed: ${run.crash}` : ""}`);
    const { type: _, ...seen } = engine;
    const expected = { setTimeout: "undefined", setImmediate: "function", harden: "function", print: "function", issueCommand: "function", strict: true };
    for (const [key, value] of Object.entries(expected))
      if (seen[key as keyof typeof seen] !== value) throw new Error(`not the XS we expect: ${JSON.stringify(seen)}`);
  });

  it("preloads the manifest's modules, then freezes the world as the XS linker does, before any test", function () {
    if (!preload) throw new Error(`the runner never reported the preload${run.crash ? `; XS crashed: ${run.crash}` : ""}`);
    console.log(
      `      preload: ${preload.modules.length} modules in ${preload.ms} ms; frozen: ${preload.builtIns} built-in objects, ` +
        `${preload.functions} functions, ${preload.prototypes} prototypes; read-only instances: ${preload.readOnly}; findings: ${preload.findings.length}`,
    );
    if (preload.modules.join() !== bundle.preloaded.join()) throw new Error(`preloaded ${preload.modules.join(", ")}, the manifest says ${bundle.preloaded.join(", ")}`);
    if (preload.canary.length === 0) throw new Error("no canary ran: nothing proves the emulation froze anything");
    const first = run.events.findIndex((e) => e.type === "start");
    if (first !== -1 && first < run.events.indexOf(preload)) throw new Error("a test started before the preload was done");
  });

  it("finishes: no crash, the runner reported done, at least one test ran", function () {
    const results = run.events.filter((e) => e.type === "result").length;
    const started = run.events.filter((e) => e.type === "start");
    const fatal = run.events.find((e) => e.type === "fatal");
    const done = run.events.find((e) => e.type === "done");
    const abandoned = run.events.filter((e) => e.type === "abandoned").map((e) => e.path.join(" › "));
    console.log(
      `      XS: ${bundle.files.length} files, ${results} tests, ${abandoned.length} abandoned, ` +
        `bundle ${bundle.ms} ms, run ${run.ms} ms (in XS ${done?.ms ?? "?"} ms), ` +
        `meter: compute ${run.meter.compute}, heap ${run.meter.currentHeapCount} slots`,
    );
    if (fatal) throw new Error(`the XS runner failed: ${fatal.error.message}\n${fatal.error.stack ?? ""}`);
    if (run.crash) {
      const last = started.at(-1);
      throw new Error(`XS crashed${last ? ` during "${last.path.join(" › ")}"` : ""}: ${run.crash}`);
    }
    if (!done) throw new Error("the XS runner never reported done");
    if (results === 0) throw new Error(`no test ran on XS (files: ${bundle.files.join(", ") || "none"})`);
  });
});
