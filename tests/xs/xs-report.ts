/*
 * Running a bundle in xsnap from mocha and reporting what XS said, for the mocha files that
 * wrap an XS run (tests/xs/device-host-on-xs.test.ts): spawn tests/xs/run-in-xs.mjs in a child
 * process (never in mocha's realm, which SES would lock down), read its one result line, and
 * turn XS errors into mocha errors whose stack lines point at the .ts sources.
 * The same steps as tests/xs/xs-conformance.test.ts, as functions another wrapper can share.
 */

import { spawn } from "node:child_process";
import { SourceMap } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ROOT } from "./bundle.ts";
import type { XsError, XsEvent } from "./xs-runner.ts";

const RUN_IN_XS = join(dirname(fileURLToPath(import.meta.url)), "run-in-xs.mjs");

export interface XsRun {
  events: XsEvent[];
  meter: { cranks: number; compute: number; allocate: number; currentHeapCount: number };
  crash?: string;
  ms: number;
}

export function runInXs(script: string, timeoutMs: number): Promise<{ run: XsRun; printed: string[] }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [RUN_IN_XS, script, String(timeoutMs)], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
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
export function mapStack(stack: string, mapFile: string, map: SourceMap): string {
  const mapDir = dirname(mapFile);
  return stack
    .split("\n")
    .slice(1)
    .filter((line) => !/\(\)$/.test(line.trim()))
    .map((line) =>
      line.replace(/#0:(\d+)/, (raw, n: string) => {
        const entry = map.findEntry(Number(n) - 1, 1e9) as { generatedLine?: number; originalSource?: string; originalLine?: number };
        if (entry.generatedLine !== Number(n) - 1 || !entry.originalSource) return raw;
        return `${relative(ROOT, resolve(mapDir, entry.originalSource))}:${entry.originalLine! + 1}`;
      }),
    )
    .filter((line) => !line.includes("tests/xs/"))
    .map((line) => `    ${line.trim()}`)
    .join("\n");
}

export function toMochaError(e: XsError, mapFile: string, map: SourceMap): Error {
  const err = new Error(e.message);
  err.name = `${e.name} (on XS)`;
  err.stack = `${err.name}: ${e.message}\n${e.stack ? mapStack(e.stack, mapFile, map) : "    (no XS stack)"}`;
  return err;
}
