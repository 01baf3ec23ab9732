/*
 * Runs a bundle made by tests/xs/bundle.ts inside a real XS engine (@agoric/xsnap) and prints
 * one JSON line to stdout: {"xsTestResult":1, events, meter, crash?, ms}.
 *
 * A separate Node process, plain .mjs, never imported by mocha: the XS engine is started by
 * xsnap-worker.mjs, which loads "@endo/init", and that locks down this whole realm with SES
 * (frozen intrinsics), which must not happen to the process running the other tests (nor under
 * tsx's loader hooks).
 *
 * Usage: node tests/xs/run-in-xs.mjs <bundle.js> [timeoutMs]
 *
 * How a run completes: xsnap answers an evaluate only once XS's promise queue is empty, so when
 * evaluate resolves, every test that could finish has finished. If the runner has not reported
 * "done" by then, a test is waiting on a promise nothing will settle; we ask the runner to
 * abandon it and drain again, until done. A wall-clock watchdog kills the worker if XS spins
 * (meteringLimit is 0, so XS itself would never stop a busy loop).
 *
 * XS `print` output goes to this process's stdout, before the result line; the result line is
 * always the last one and always printed, also when XS crashed. Exit status 0 means a result line
 * was printed; judging it is the caller's job.
 */

import fsp from "node:fs/promises";
import { startXsWorker } from "./xsnap-worker.mjs";

const RUNNER_GLOBAL = "__xsTestRunner"; // as exported by xs-runner.ts (this file cannot import .ts)
const MAX_ABANDONS = 1000;

const [scriptPath, timeoutArg] = process.argv.slice(2);
if (!scriptPath) {
  console.error("usage: node tests/xs/run-in-xs.mjs <bundle.js> [timeoutMs]");
  process.exit(2);
}
const timeoutMs = Number(timeoutArg ?? 30_000);

const started = performance.now();
const decoder = new TextDecoder();
const events = [];
let done = false;
let crash;
let timedOut = false;
const meter = { cranks: 0, compute: 0, allocate: 0, currentHeapCount: 0 };

function result() {
  return { xsTestResult: 1, events, meter, crash, ms: Math.round(performance.now() - started) };
}

// Once XS dies, xsnap's own exit promise may reject with no one listening; the crash is already
// recorded from the failed evaluate, so this only keeps SES from printing it a second time.
process.on("unhandledRejection", (reason) => {
  crash ??= `unhandled rejection in the xsnap driver: ${reason?.message ?? reason}`;
});

const code = await fsp.readFile(scriptPath, "utf8");
const worker = await startXsWorker({
  name: "xs-core-tests",
  handleCommand: async (bytes) => {
    try {
      const event = JSON.parse(decoder.decode(bytes));
      events.push(event);
      if (event.type === "done" || event.type === "fatal") done = true;
    } catch (e) {
      events.push({ type: "fatal", error: { name: "ProtocolError", message: `unreadable event from XS: ${e.message}` } });
      done = true;
    }
    return new Uint8Array(0);
  },
});

const watchdog = setTimeout(() => {
  timedOut = true;
  void worker.terminate();
}, timeoutMs);

function count(usage) {
  meter.cranks++;
  meter.compute += usage.compute ?? 0;
  meter.allocate = usage.allocate ?? meter.allocate;
  meter.currentHeapCount = usage.currentHeapCount ?? meter.currentHeapCount;
}

try {
  count((await worker.evaluate(code)).meterUsage);
  for (let i = 0; !done && i < MAX_ABANDONS; i++) {
    const before = events.length;
    count((await worker.evaluate(`globalThis.${RUNNER_GLOBAL}?.abandon()`)).meterUsage);
    if (events.length === before) {
      crash = "the runner stalled: it neither finished nor reacted to abandon() (did the bundle run at all?)";
      break;
    }
  }
  if (!done && !crash) crash = `gave up after ${MAX_ABANDONS} abandoned tests`;
} catch (e) {
  crash = timedOut
    ? `XS did not finish within ${timeoutMs} ms (a busy loop?); the worker was killed`
    : `XS failed: ${e?.message ?? e}`;
} finally {
  clearTimeout(watchdog);
  await worker.terminate();
}

process.stdout.write(`${JSON.stringify(result())}\n`);
