/*
 * Bundles the core tests (tests/core/**\/*.test.ts) and the XS runner into one strict-mode
 * script that xsnap can evaluate: XS here takes a script, not a graph of modules, and has no
 * module loader for TypeScript. Each test file is loaded through import(), which esbuild inlines
 * as a lazy initialiser, so a file whose modules cannot even initialise on XS fails alone and by
 * name instead of taking the whole run down.
 *
 * Before the tests, the bundle preloads the modules manifest.json preloads, each modules/<name>.ts,
 * and freezes the world as the XS linker leaves it (preload-emulation.ts): the tests then run in
 * the device's world, not a bare XS's.
 *
 * A file opts out with a first line `// xs: skip — <reason>`; the reason is required and reported.
 * Node builtins are refused at build time with the importing file named: the core must not use
 * them, and XS would only fail later and less clearly.
 *
 * Output: .build/xs/core-tests.js (or <name>.js) and its source map, which maps XS stack lines
 * back to .ts lines.
 * Usable as a library (bundleCoreTests) or directly: `npx tsx tests/xs/bundle.ts`.
 * bundleForXs, the bundling itself, also serves the XS benchmark (bench/xs/xs-session.ts).
 */

import { build, type Plugin } from "esbuild";
import { builtinModules } from "node:module";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export interface SkippedFile {
  file: string;
  reason: string;
}

export interface XsBundle {
  /** Absolute path of the script to evaluate in XS. */
  script: string;
  /** Absolute path of its source map. */
  map: string;
  /** Test files in the bundle, relative to the repository root with "/" separators. */
  files: string[];
  skipped: SkippedFile[];
  /** The manifest's preloaded modules, by module name, loaded before the tests. */
  preloaded: string[];
  ms: number;
}

const SKIP = /^\/\/\s*xs:\s*skip\b\s*(?:[—–:-]+\s*)?(.*)$/;

function posix(path: string): string {
  return path.split(sep).join("/");
}

/** The test files under tests/core, sorted so the run order is the same everywhere. */
export function findCoreTests(root = ROOT): string[] {
  const dir = join(root, "tests", "core");
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".test.ts"))
    .map((name) => posix(join("tests", "core", name)))
    .sort();
}

/** The skip reason from a file's first line, undefined if it runs on XS. Throws on a bare skip. */
export function xsSkipReason(file: string, source: string): string | undefined {
  const first = source.split(/\r?\n/, 1)[0];
  const m = SKIP.exec(first);
  if (!m) {
    if (/xs:\s*skip/.test(first)) throw new Error(`${file}: malformed skip line ${JSON.stringify(first)}; write \`// xs: skip — <reason>\``);
    return undefined;
  }
  const reason = m[1].trim();
  if (!reason) throw new Error(`${file}: \`// xs: skip\` needs a reason: \`// xs: skip — <reason>\``);
  return reason;
}

/**
 * The modules manifest.json preloads, with the file each name stands for. The device's manifest
 * names them one by one (mcconfig never matches a preload wildcard against .ts), and every one is
 * a core module: modules/<path>.ts.
 */
export function preloadedModules(root = ROOT): { name: string; file: string }[] {
  const manifest = JSON.parse(readFileSync(join(root, "manifest.json"), "utf8")) as { preload?: string[] };
  return (manifest.preload ?? []).map((name) => {
    const file = join(root, `${name}.ts`);
    if (!name.startsWith("modules/") || !existsSync(file)) throw new Error(`manifest.json preloads "${name}", which is not a core module (no ${name}.ts)`);
    return { name, file };
  });
}

const builtins = new Set(builtinModules);

function refuseNodeBuiltins(root: string): Plugin {
  return {
    name: "refuse-node-builtins",
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        const name = args.path.startsWith("node:") ? args.path : args.path.split("/")[0];
        if (!name.startsWith("node:") && !builtins.has(name)) return undefined;
        const importer = args.importer ? posix(relative(root, args.importer)) : "<entry>";
        return { errors: [{ text: `${importer} imports the Node builtin "${args.path}": XS has no Node builtins (a core test file that needs one is marked \`// xs: skip — <reason>\`)` }] };
      });
    },
  };
}

/**
 * Bundles an entry (a file, or source text resolved from the root) and everything it imports into
 * one strict-mode script for XS, at `outfile`, with an external source map if asked. A Node
 * builtin anywhere fails the build with its importer named, as it would fail on XS, only later.
 * `what` names the bundle in errors.
 */
export async function bundleForXs(options: {
  entry: string | { contents: string; sourcefile: string };
  outfile: string;
  what: string;
  sourcemap?: boolean;
  root?: string;
  /** More esbuild plugins, run before the Node-builtin check (the device tests map SDK module names with one). */
  plugins?: Plugin[];
}): Promise<void> {
  const root = options.root ?? ROOT;
  const { entry } = options;
  const result = await build({
    ...(typeof entry === "string"
      ? { entryPoints: [entry] }
      : { stdin: { contents: entry.contents, resolveDir: root, sourcefile: entry.sourcefile, loader: "ts" as const } }),
    bundle: true,
    format: "iife",
    target: "es2022",
    platform: "neutral",
    mainFields: ["module", "main"],
    // ESM is strict; an IIFE is not unless told, and sloppy mode would hide e.g. writes to frozen tables.
    banner: { js: '"use strict";' },
    outfile: options.outfile,
    ...(options.sourcemap ? { sourcemap: "external" as const, sourcesContent: false } : {}),
    plugins: [...(options.plugins ?? []), refuseNodeBuiltins(root)],
    logLevel: "silent",
    write: true,
  });
  if (result.warnings.length) {
    // A warning here (e.g. a dynamic import esbuild cannot follow) would silently drop code (in the tests, whole files).
    throw new Error(`esbuild warnings while bundling ${options.what}:\n${result.warnings.map((w) => w.text).join("\n")}`);
  }
}

/**
 * `name` names the output files; give each concurrent run its own (several mocha runs may share
 * one checkout), or one run could evaluate another's half-written bundle.
 */
export async function bundleCoreTests(options: { root?: string; outDir?: string; name?: string; only?: readonly string[] } = {}): Promise<XsBundle> {
  const started = performance.now();
  const root = options.root ?? ROOT;
  const outDir = options.outDir ?? join(root, ".build", "xs");
  const files: string[] = [];
  const skipped: SkippedFile[] = [];
  for (const file of findCoreTests(root)) {
    // only: a quick run of some files (their names contain one of the words); npm test runs all.
    if (options.only && !options.only.some((word) => file.includes(word))) continue;
    const reason = xsSkipReason(file, readFileSync(join(root, file), "utf8"));
    if (reason === undefined) files.push(file);
    else skipped.push({ file, reason });
  }

  const runner = JSON.stringify(join(root, "tests", "xs", "xs-runner.ts"));
  const emulation = JSON.stringify(join(root, "tests", "xs", "preload-emulation.ts"));
  const preloaded = preloadedModules(root);
  // import(), not import: a module whose body throws is then reported by name, as xsl would stop on it.
  const entry = [
    `import { run } from ${runner};`,
    `import { preload } from ${emulation};`,
    `run([`,
    ...files.map((file) => `  [${JSON.stringify(file)}, () => import(${JSON.stringify(join(root, file))})],`),
    `], { preload: () => preload([`,
    ...preloaded.map(({ name, file }) => `  [${JSON.stringify(name)}, () => import(${JSON.stringify(file)})],`),
    `]) });`,
  ].join("\n");

  const script = join(outDir, `${options.name ?? "core-tests"}.js`);
  await bundleForXs({ entry: { contents: entry, sourcefile: "xs-entry.ts" }, outfile: script, what: "the XS tests", sourcemap: true, root });
  return { script, map: `${script}.map`, files, skipped, preloaded: preloaded.map((m) => m.name), ms: Math.round(performance.now() - started) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const bundle = await bundleCoreTests();
  for (const s of bundle.skipped) console.log(`skipped on XS: ${s.file} — ${s.reason}`);
  console.log(`${bundle.script}: ${bundle.files.length} test files in ${bundle.ms} ms`);
}
