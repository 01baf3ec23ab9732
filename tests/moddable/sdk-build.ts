/*
 * Builds the app (manifest.json, main.ts) for the Moddable simulator on Linux with the SDK's
 * own tools, the way `mcconfig -p lin` does, and collects what xsl says about preloading.
 * Node only; needs $MODDABLE with its Linux tools built (run-on-sdk.ts checks first).
 *
 * - mcconfig only writes a makefile unless given -m, and -m also runs `pkill mcsim`/`pkill
 *   serial2xsbug` and launches xsbug and mcsim: on a shared machine that kills other people's
 *   simulators. So this runs mcconfig without -m, then the makefile's `build` target.
 * - The build goes to an output folder of its own (mcconfig -o), not into $MODDABLE/build, and
 *   the folder is kept between runs so that a rebuild only recompiles what changed.
 * - The manifest built is a small wrapper that includes the project's manifest.json and only
 *   moves `config.file.root` into the run's own folder: the lin Preference module keeps every
 *   value in `${config.file.root}modpreferences.json`, /tmp/modpreferences.json by default, a
 *   file that every lin simulator app on the machine shares. Each run thus starts with no saved
 *   settings and leaves /tmp/modpreferences.json alone.
 * - xsl prints "### warning: <module>: <path>: not frozen" (or "no const") for an object that
 *   preloading leaves writable, which then costs RAM on the device when written. xsl runs only
 *   when a module or manifest changed, so its output is removed before every build: the
 *   warnings are reported on every run, not only after an edit.
 * - The tools come from PATH, as mcconfig's makefile expects: the project's node_modules/.bin
 *   first (mcconfig compiles every .ts with the `tsc` it finds, and TypeScript 5.9 refuses its
 *   generated tsconfig), then $MODDABLE/build/bin/lin/release (xsc, xsl, mcrez).
 */

import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");

/** The build's name: the folder the wrapper manifest sits in (mcconfig names builds after it). */
const APP_NAME = "iot-app";

export type BuildGoal = "release" | "debug";

export interface XslWarning {
  line: string;
  /** The module the warning is about: the first name after "### warning: ". */
  module: string;
  ours: boolean;
}

export interface BuildResult {
  goal: BuildGoal;
  ok: boolean;
  /** What failed, when ok is false. */
  error?: string;
  mcSo: string;
  log: string;
  seconds: { mcconfig: number; make: number };
  warnings: XslWarning[];
}

export interface BuildOptions {
  moddable: string;
  goal: BuildGoal;
  /** Kept between runs: mcconfig -o. */
  outputDir: string;
  /** Where the app's Preference file goes (config.file.root); must end up empty per run. */
  preferenceDir: string;
  /** name=value pairs for mcconfig (config overrides such as http_port=8123). */
  config: Record<string, string>;
  /** Called with a short line as each step starts. */
  progress: (line: string) => void;
}

export function toolPath(moddable: string): string {
  return [join(ROOT, "node_modules/.bin"), join(moddable, "build/bin/lin/release"), process.env.PATH ?? ""].join(":");
}

/** The module names our manifest defines: exact names, and the prefixes of its "x/*" entries. */
function ourModuleNames(): { exact: Set<string>; prefixes: string[] } {
  const manifest = JSON.parse(readFileSync(join(ROOT, "manifest.json"), "utf8")) as {
    modules: Record<string, string>;
    platforms?: Record<string, { modules?: Record<string, string> }>;
  };
  const names = Object.keys(manifest.modules);
  for (const platform of Object.values(manifest.platforms ?? {})) names.push(...Object.keys(platform.modules ?? {}));
  const exact = new Set(names.filter((n) => !n.endsWith("*")));
  const prefixes = names.filter((n) => n.endsWith("*")).map((n) => n.slice(0, -1));
  return { exact, prefixes };
}

export function parseXslWarnings(log: string): XslWarning[] {
  const ours = ourModuleNames();
  const out: XslWarning[] = [];
  for (const line of log.split("\n")) {
    const m = /^### (?:warning|error): ([^:]+):/.exec(line);
    if (!m) continue;
    const module = m[1].trim();
    const mine = ours.exact.has(module) || ours.prefixes.some((p) => module.startsWith(p) && !module.slice(p.length).includes("/"));
    out.push({ line: line.trimEnd(), module, ours: mine });
  }
  return out;
}

interface StepResult {
  code: number | null;
  seconds: number;
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, log: (text: string) => void): Promise<StepResult> {
  const started = performance.now();
  return new Promise((resolvePromise) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (c: Buffer) => log(c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => log(c.toString("utf8")));
    child.on("error", (e) => {
      log(`${command}: ${e.message}\n`);
      resolvePromise({ code: -1, seconds: (performance.now() - started) / 1000 });
    });
    child.on("close", (code) => resolvePromise({ code, seconds: (performance.now() - started) / 1000 }));
  });
}

/**
 * manifest.json as the debug build needs it: every "./" path made absolute (the copy lives in the
 * build folder), the device's entry point renamed "heap-probe/boot" (not preloaded, as "main" is
 * not: it binds the host when it runs), the probe named "main" with its baseline that starts only
 * the host ("heap-probe/host-only"), its TLS and GitHub modes and peak counter ("heap-probe/tls-probe",
 * "heap-probe/github-probe", "heap-probe/heap-peak", JavaScript and C), and the SDK's debug module (Debug.gc) included.
 */
function probedManifest(preferences: object): object {
  const absolute = (value: unknown): unknown => {
    if (typeof value === "string") return value.startsWith("./") ? join(ROOT, value) : value;
    if (Array.isArray(value)) return value.map(absolute);
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, absolute(v)]));
    return value;
  };
  const manifest = absolute(JSON.parse(readFileSync(join(ROOT, "manifest.json"), "utf8"))) as {
    include: string[];
    modules: Record<string, string>;
    preload: string[];
    config?: object;
  };
  const { main, ...modules } = manifest.modules;
  return {
    ...manifest,
    include: [...manifest.include, "$(MODULES)/base/debug/manifest.json"],
    config: { ...manifest.config, ...preferences },
    modules: {
      main: join(ROOT, "tests/moddable/heap-probe/heap-probe"),
      "heap-probe/boot": main,
      "heap-probe/host-only": join(ROOT, "tests/moddable/heap-probe/host-only"),
      "heap-probe/tls-probe": join(ROOT, "tests/moddable/heap-probe/tls-probe"),
      "heap-probe/github-probe": join(ROOT, "tests/moddable/heap-probe/github-probe"),
      "heap-probe/heap-peak": join(ROOT, "tests/moddable/heap-probe/heap-peak"),
      ...modules,
    },
  };
}

export async function buildApp(options: BuildOptions): Promise<BuildResult> {
  const { moddable, goal, outputDir } = options;
  const appDir = join(outputDir, APP_NAME);
  mkdirSync(appDir, { recursive: true });
  const preferences = { file: { root: options.preferenceDir.endsWith("/") ? options.preferenceDir : `${options.preferenceDir}/` } };
  // Generated by tests/moddable/sdk-build.ts for `npm run test:moddable`: the project's app, with
  // its Preference file moved into this run's folder. The debug build starts through the heap
  // probe (tests/moddable/heap-probe/heap-probe.js), which prints the live heap after a collection
  // every two seconds: mcconfig concatenates a module name defined twice instead of letting the
  // later one win, so that build gets a copy of manifest.json with "main" renamed, not a wrapper.
  const wrapper = goal === "debug" ? probedManifest(preferences) : { include: [join(ROOT, "manifest.json")], config: preferences };
  const manifest = join(appDir, "manifest.json");
  writeFileSync(manifest, `${JSON.stringify(wrapper, null, "\t")}\n`);

  const env = { ...process.env, MODDABLE: moddable, PATH: toolPath(moddable) };
  const logPath = join(outputDir, `${goal}-build.log`);
  const logFile = createWriteStream(logPath);
  let log = "";
  const append = (text: string): void => {
    log += text;
    logFile.write(text);
  };
  const tmpDir = join(outputDir, "tmp/lin/mc", goal, APP_NAME);
  const mcSo = join(outputDir, "bin/lin/mc", goal, APP_NAME, "mc.so");
  const result = (ok: boolean, seconds: BuildResult["seconds"], error?: string): Promise<BuildResult> =>
    new Promise((r) => logFile.end(() => r({ goal, ok, error, mcSo, log, seconds, warnings: parseXslWarnings(log) })));

  const config = Object.entries(options.config).map(([k, v]) => `${k}=${v}`);
  const mcconfigArgs = [...(goal === "debug" ? ["-d"] : []), "-p", "lin", "-o", outputDir, manifest, ...config];
  options.progress(`mcconfig ${mcconfigArgs.join(" ")}`);
  append(`$ mcconfig ${mcconfigArgs.join(" ")}\n`);
  const configured = await run(join(moddable, "build/bin/lin/release/mcconfig"), mcconfigArgs, ROOT, env, append);
  if (configured.code !== 0) return result(false, { mcconfig: configured.seconds, make: 0 }, `mcconfig exited with ${configured.code} (log: ${logPath})`);

  // xsl's output: removed so that xsl runs, and reports its warnings, on every build.
  rmSync(join(tmpDir, "mc.xs.c"), { force: true });
  const makefile = join(tmpDir, "makefile");
  // The debug build's XS has the stress switch (mxStress=1) that the heap probe's peak counter
  // turns on while it measures (tests/moddable/heap-probe/heap-peak.c); off, it is one test per
  // allocation. The makefile takes no extra defines, so they ride on CC. make does not
  // rebuild an object whose flags changed: a stamp says xsMemory.c (the one file that reads
  // mxStress) was compiled with it.
  const makeArgs = ["-f", makefile, "build"];
  const stressStamp = join(outputDir, "tmp/lin/mc", goal, "lib", "mxStress.stamp");
  if (goal === "debug") {
    makeArgs.push(`CC=${process.env.CC ?? "cc"} -DmxStress=1`);
    if (!existsSync(stressStamp)) rmSync(join(outputDir, "tmp/lin/mc", goal, "lib", "xsMemory.c.o"), { force: true });
  }
  options.progress(`make ${makeArgs.join(" ")}`);
  append(`$ make ${makeArgs.join(" ")}\n`);
  const made = await run("make", makeArgs, ROOT, env, append);
  const seconds = { mcconfig: configured.seconds, make: made.seconds };
  if (made.code !== 0) return result(false, seconds, `make exited with ${made.code} (log: ${logPath})`);
  if (goal === "debug") writeFileSync(stressStamp, "xsMemory.c.o was compiled with -DmxStress=1\n");
  return result(true, seconds);
}
