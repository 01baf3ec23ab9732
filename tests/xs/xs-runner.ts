/*
 * A minimal mocha look-alike that runs inside XS (xsnap), so the core's test files run unchanged
 * on the engine the device uses. It provides the four globals a core test may use (describe, it,
 * beforeEach, afterEach; see tests/core/globals.d.ts) and mirrors mocha's order and semantics
 * where a difference could hide a bug: a suite's tests run before its child suites, beforeEach
 * runs outer to inner, afterEach inner to outer and always, hooks declared outside any describe
 * apply to every file (mocha's root hooks).
 *
 * It uses promises only: xsnap has no setTimeout, and the device's engine has no timers without
 * a host. Every event goes to the parent as JSON through xsnap's issueCommand, as it happens, so
 * the parent still knows what ran (and which test was running) if XS dies part way.
 *
 * xsnap drains the promise queue before answering an evaluate, so a run either completes within
 * one evaluate or stops at a test awaiting something that nothing will ever settle (typically a
 * timer). The parent then calls abandon() (through RUNNER_GLOBAL), which fails that test and lets
 * the run continue with the next.
 *
 * Before any test file loads, run() can hand over to the preload emulation (preload-emulation.ts)
 * and reports what it did as one "preload" event; the tests then load into the frozen world.
 */

import type { PreloadReport } from "./preload-emulation";

/** The global under which the parent finds the runner (for abandon()). */
export const RUNNER_GLOBAL = "__xsTestRunner";

export interface XsError {
  name: string;
  message: string;
  stack?: string;
}

/** What the runner reports, one event per issueCommand. */
export type XsEvent =
  | { type: "engine"; setTimeout: string; setImmediate: string; harden: string; print: string; issueCommand: string; strict: boolean }
  | ({ type: "preload" } & PreloadReport)
  | { type: "start"; path: string[] }
  | { type: "result"; path: string[]; file: string; ok: boolean; ms: number; error?: XsError }
  | { type: "abandoned"; path: string[] }
  | { type: "done"; passed: number; failed: number; ms: number }
  | { type: "fatal"; error: XsError };

type Body = () => unknown;

interface Test {
  title: string;
  file: string;
  fn: Body;
}

interface Suite {
  title: string;
  parent: Suite | undefined;
  tests: Test[];
  suites: Suite[];
  beforeEach: Body[];
  afterEach: Body[];
}

// Reached through globalThis so this file type-checks with no ambient typings at all, like the core.
const host = globalThis as unknown as {
  issueCommand(message: ArrayBufferLike): ArrayBuffer;
  TextEncoder: new () => { encode(text: string): Uint8Array };
  performance?: { now(): number };
  [name: string]: unknown;
};

const encoder = new host.TextEncoder();
const now = host.performance ? () => host.performance!.now() : () => Date.now();

function send(event: XsEvent): void {
  const bytes = encoder.encode(JSON.stringify(event));
  // Copy into an exact-length buffer: the bytes might be a view on a larger one.
  host.issueCommand(bytes.buffer.byteLength === bytes.byteLength ? bytes.buffer : bytes.slice().buffer);
}

function toXsError(e: unknown): XsError {
  if (e !== null && typeof e === "object" && "message" in e) {
    const err = e as { name?: unknown; message: unknown; stack?: unknown };
    return {
      name: typeof err.name === "string" ? err.name : "Error",
      message: String(err.message),
      stack: typeof err.stack === "string" ? err.stack : undefined,
    };
  }
  let text: string;
  try {
    text = typeof e === "string" ? e : JSON.stringify(e) ?? String(e);
  } catch {
    text = String(e);
  }
  return { name: "Thrown", message: `a non-Error was thrown: ${text}` };
}

function prefixed(where: string, e: unknown): XsError {
  const err = toXsError(e);
  return { ...err, message: `${where}: ${err.message}` };
}

const root: Suite = { title: "", parent: undefined, tests: [], suites: [], beforeEach: [], afterEach: [] };
let current = root;
let currentFile = "";

function fail(title: string, error: XsError): void {
  // A collection error becomes a test that fails, so it is reported rather than lost.
  current.tests.push({ title, file: currentFile, fn: () => Promise.reject(error) });
}

function describe(title: string, body: () => void): void {
  const suite: Suite = { title, parent: current, tests: [], suites: [], beforeEach: [], afterEach: [] };
  current.suites.push(suite);
  current = suite;
  try {
    const result = body() as unknown;
    if (result && typeof (result as { then?: unknown }).then === "function")
      fail("(describe body)", { name: "Error", message: "a describe body must be synchronous: tests registered after an await are lost (mocha loses them too)" });
  } catch (e) {
    fail("(describe body)", prefixed("describe body threw", e));
  } finally {
    current = suite.parent!;
  }
}

function it(title: string, fn: () => unknown): void {
  if (typeof fn !== "function") {
    fail(title, { name: "Error", message: "pending tests (it without a body) are not supported; skip the file with `// xs: skip — <reason>`" });
  } else if (fn.length > 0) {
    fail(title, { name: "Error", message: "done-callback tests are not supported on XS: return a promise instead" });
  } else current.tests.push({ title, file: currentFile, fn });
}

function beforeEach(fn: () => unknown): void {
  current.beforeEach.push(fn);
}

function afterEach(fn: () => unknown): void {
  current.afterEach.push(fn);
}

// The pending step's escape hatch, replaced for every step: abandon() rejects it.
let escape: ((reason: unknown) => void) | undefined;
let running: string[] = [];

function step(fn: Body): Promise<unknown> {
  const stalled = new Promise<never>((_resolve, reject) => (escape = reject));
  // new Promise turns a synchronous throw into a rejection like an async one.
  return Promise.race([new Promise((resolve) => resolve(fn())), stalled]);
}

function abandon(): void {
  const path = running;
  const reject = escape;
  escape = undefined;
  send({ type: "abandoned", path });
  // A plain object: an Error's stack would only show abandon() itself.
  reject?.({ name: "Error", message: "never settled on XS: it awaits a promise that nothing resolves (XS has no setTimeout; use promises or an injected Clock)" });
}

function pathOf(suite: Suite): Suite[] {
  const chain: Suite[] = [];
  for (let s: Suite | undefined = suite; s; s = s.parent) chain.unshift(s);
  return chain;
}

let passed = 0;
let failed = 0;

async function runTest(suite: Suite, test: Test): Promise<void> {
  const chain = pathOf(suite);
  const path = chain.filter((s) => s !== root).map((s) => s.title).concat(test.title);
  running = path;
  send({ type: "start", path });
  const started = now();
  let error: XsError | undefined;
  try {
    for (const s of chain) for (const hook of s.beforeEach) {
      try {
        await step(hook);
      } catch (e) {
        throw prefixed('"beforeEach" hook', e);
      }
    }
    await step(test.fn);
  } catch (e) {
    error = toXsError(e);
  }
  for (let i = chain.length - 1; i >= 0; i--) for (const hook of chain[i].afterEach) {
    try {
      await step(hook);
    } catch (e) {
      error ??= prefixed('"afterEach" hook', e);
    }
  }
  if (error) failed++;
  else passed++;
  send({ type: "result", path, file: test.file, ok: !error, ms: Math.round((now() - started) * 1000) / 1000, error });
}

async function runSuite(suite: Suite): Promise<void> {
  for (const test of suite.tests) await runTest(suite, test);
  for (const child of suite.suites) await runSuite(child);
}

/**
 * Runs `options.preload` first when given (a failure there is fatal: the run would not be the
 * device's), then loads each test file in turn (collecting its tests), then runs them all.
 */
export async function run(
  files: ReadonlyArray<readonly [file: string, load: () => Promise<unknown>]>,
  options: { preload?: () => Promise<PreloadReport> } = {},
): Promise<void> {
  const started = now();
  try {
    send({
      type: "engine",
      setTimeout: typeof host.setTimeout,
      setImmediate: typeof host.setImmediate,
      harden: typeof host.harden,
      print: typeof host.print,
      issueCommand: typeof host.issueCommand,
      strict: (function (this: unknown) { return this === undefined; })(),
    });
    if (options.preload) send({ type: "preload", ...(await options.preload()) });
    for (const [file, load] of files) {
      currentFile = file;
      current = root;
      try {
        await load();
      } catch (e) {
        // Most likely a module that cannot even initialise on XS: exactly what this run is for.
        const suite: Suite = { title: file, parent: root, tests: [], suites: [], beforeEach: [], afterEach: [] };
        root.suites.push(suite);
        current = suite;
        fail("(loading the file)", prefixed("the file failed to load on XS", e));
        current = root;
      }
    }
    await runSuite(root);
    send({ type: "done", passed, failed, ms: Math.round(now() - started) });
  } catch (e) {
    send({ type: "fatal", error: toXsError(e) });
  }
}

host.describe = describe;
host.it = it;
host.beforeEach = beforeEach;
host.afterEach = afterEach;
host[RUNNER_GLOBAL] = Object.freeze({ abandon });
