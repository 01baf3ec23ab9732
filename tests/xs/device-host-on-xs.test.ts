/*
 * The device host (hosts/moddable/) executed on the real XS engine, as part of `npm test`:
 * its files as they are, the SDK modules they import replaced by stand-ins that keep the SDK's
 * documented behaviour (tests/moddable/standins/), and the contracts every host keeps run
 * against it (tests/moddable/on-xs/*.xs.ts). Bundled by tests/moddable/xs-bundle.ts, run in
 * xsnap by run-in-xs.mjs in a child process.
 *
 * before() bundles and runs, then adds one mocha test per XS test (its error, with XS stack
 * lines mapped back to .ts lines). A fixed test proves the run happened, in the preloaded and
 * frozen world, and finished: no crash, the runner reported done, every file loaded and ran.
 */

import { readFileSync, rmSync } from "node:fs";
import { SourceMap } from "node:module";
import { Test } from "mocha";
import { bundleDeviceTests, type DeviceBundle } from "../moddable/xs-bundle.ts";
import { runInXs, toMochaError, type XsRun } from "./xs-report.ts";

// Every device test on XS in one run: generous for a busy machine; a hang is still caught.
const XS_TIMEOUT_MS = 120_000;

describe("device host on XS (xsnap, SDK stand-ins)", function () {
  let bundle: DeviceBundle;
  let run: XsRun;

  before(async function () {
    this.timeout(XS_TIMEOUT_MS + 30_000);
    bundle = await bundleDeviceTests({ name: `device-tests-${process.pid}` });
    const { run: r, printed } = await runInXs(bundle.script, XS_TIMEOUT_MS);
    run = r;
    for (const line of printed) console.log(`      [xs print] ${line}`);
    const map = new SourceMap(JSON.parse(readFileSync(bundle.map, "utf8")));
    const suite = this.test!.parent!;
    for (const event of run.events) {
      if (event.type !== "result") continue;
      const { file, path, error, ms } = event;
      suite.addTest(
        new Test(`${file.replace("tests/moddable/on-xs/", "")} › ${path.join(" › ")}${ms >= 100 ? ` (${Math.round(ms)} ms on XS)` : ""}`, function () {
          if (error) throw toMochaError(error, bundle.map, map);
        }),
      );
    }
  });

  after(function () {
    // To inspect a bundle: `npx tsx tests/moddable/xs-bundle.ts` writes .build/xs/device-tests.js.
    if (bundle) for (const file of [bundle.script, bundle.map]) rmSync(file, { force: true });
  });

  it("finishes in the preloaded, frozen world: no crash, done, every file loaded and ran", function () {
    const results = run.events.filter((e) => e.type === "result");
    const started = run.events.filter((e) => e.type === "start");
    const fatal = run.events.find((e) => e.type === "fatal");
    const done = run.events.find((e) => e.type === "done");
    console.log(
      `      XS device host: ${bundle.files.length} files, ${results.length} tests, bundle ${bundle.ms} ms, ` +
        `run ${run.ms} ms (in XS ${done?.ms ?? "?"} ms), heap ${run.meter.currentHeapCount} slots`,
    );
    if (fatal) throw new Error(`the XS runner failed: ${fatal.error.message}\n${fatal.error.stack ?? ""}`);
    if (run.crash) {
      const last = started.at(-1);
      throw new Error(`XS crashed${last ? ` during "${last.path.join(" › ")}"` : ""}: ${run.crash}`);
    }
    if (!done) throw new Error("the XS runner never reported done");
    // The same preload-faithful world as the core's XS run (which names each finding itself).
    const preload = run.events.find((e) => e.type === "preload");
    if (!preload || preload.type !== "preload") throw new Error("the device run did not preload the manifest's modules first");
    if (preload.findings.length) throw new Error(`preloading left ${preload.findings.length} objects writable (the core XS run names them)`);
    if (!preload.canary.length || preload.canary.some((c) => !c.ok)) throw new Error("the preload emulation's canary failed: the run is not preload-faithful");
    const unloaded = results.filter((e) => e.type === "result" && e.path.at(-1) === "(loading the file)");
    if (unloaded.length) throw new Error(`files that failed to load on XS: ${unloaded.map((e) => (e.type === "result" ? e.file : "")).join(", ")}`);
    for (const file of bundle.files)
      if (!results.some((e) => e.type === "result" && e.file === file)) throw new Error(`${file} ran no test on XS`);
  });
});
