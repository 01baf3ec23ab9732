/*
 * Bundles the device host's tests (tests/moddable/on-xs/*.xs.ts) for the real XS engine: the
 * files of hosts/moddable/ as they are, with every SDK module they import resolved to its
 * stand-in (tests/moddable/standins/), so the device host runs in xsnap the way it runs on an
 * ESP32, minus the chip. The run itself is tests/xs/run-in-xs.mjs; the mocha file that reports
 * it is tests/xs/device-host-on-xs.test.ts.
 *
 * How names resolve (the manifest's module names, as mcconfig and hosts/moddable/tsconfig.json
 * map them), through one esbuild plugin given to bundleForXs:
 * - an SDK module name ("socket", "preference", "timer", "time", "net", "wifi",
 *   "instrumentation", "crypt", "mc/config", "mc/ffi", "ota") -> its stand-in;
 * - "hosts/moddable/platform" -> hosts/moddable/platform/esp32.ts (the esp32 build, so the
 *   radio and the updater exist), "hosts/moddable/<name>" -> hosts/moddable/<name>.ts,
 *   "modules/<path>" -> modules/<path>.ts (hosts/moddable/boot.ts and the platform module
 *   import by module name);
 * - "app" -> main.ts, the demo app, as the manifest names it (hosts/moddable/boot.ts imports it).
 * Relative imports resolve as usual. The stand-ins are never in the firmware: the manifest
 * lists none of them and this is their only way in.
 *
 * The entry imports standins/xs-runtime.ts first (trace and the XS statics xsnap lacks, which
 * the device has before anything is frozen), then, like the core's XS run, loads the modules
 * manifest.json preloads (and the device host's, hosts/moddable/manifest_preload.json) and
 * freezes the world as the XS linker leaves it
 * (tests/xs/preload-emulation.ts), and only then each test file through import(): the device
 * host runs in the world the device boots into.
 * Output: .build/xs/<name>.js and its source map.
 */

import type { Plugin } from "esbuild";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { bundleForXs, preloadedModules, ROOT } from "../xs/bundle.ts";

export const STANDINS = join(ROOT, "tests", "moddable", "standins");
const TESTS = join(ROOT, "tests", "moddable", "on-xs");

/** SDK module name -> stand-in file (without .ts). */
export const SDK_STANDINS: Readonly<Record<string, string>> = Object.freeze({
  socket: "socket",
  securesocket: "securesocket",
  x509: "x509",
  preference: "preference",
  timer: "timer",
  time: "time",
  net: "net",
  wifi: "wifi",
  instrumentation: "instrumentation",
  crypt: "crypt",
  "mc/config": "mc-config",
  "mc/ffi": "mc-ffi",
  ota: "ota",
});

function moduleNames(root: string): Plugin {
  const file = (path: string): { path: string } | { errors: { text: string }[] } =>
    existsSync(path) ? { path } : { errors: [{ text: `no file for this module: ${path}` }] };
  return {
    name: "moddable-module-names",
    setup(b) {
      b.onResolve({ filter: /^[a-z]/ }, (args) => {
        const name = args.path;
        const standin = SDK_STANDINS[name];
        if (standin) return file(join(STANDINS, `${standin}.ts`));
        if (name === "app") return file(join(root, "main.ts"));
        if (name === "hosts/moddable/platform") return file(join(root, "hosts", "moddable", "platform", "esp32.ts"));
        if (name.startsWith("hosts/moddable/") || name.startsWith("modules/")) return file(join(root, `${name}.ts`));
        return undefined;
      });
    },
  };
}

/**
 * The device host's modules the firmware preloads (hosts/moddable/manifest_preload.json, which
 * manifest.json includes), with their files: the platform module as the esp32 build binds it.
 */
export function preloadedHostModules(root: string): { name: string; file: string }[] {
  const manifest = JSON.parse(readFileSync(join(root, "hosts", "moddable", "manifest_preload.json"), "utf8")) as { preload?: string[] };
  return (manifest.preload ?? []).map((name) => {
    const file = name === "hosts/moddable/platform" ? join(root, "hosts", "moddable", "platform", "esp32.ts") : join(root, `${name}.ts`);
    if (!name.startsWith("hosts/moddable/") || !existsSync(file)) throw new Error(`hosts/moddable/manifest_preload.json preloads "${name}", which is no device host module`);
    return { name, file };
  });
}

export interface DeviceBundle {
  script: string;
  map: string;
  files: string[];
  ms: number;
}

export function findDeviceTests(): string[] {
  return readdirSync(TESTS)
    .filter((name) => name.endsWith(".xs.ts"))
    .sort()
    .map((name) => `tests/moddable/on-xs/${name}`);
}

export async function bundleDeviceTests(options: { name?: string } = {}): Promise<DeviceBundle> {
  const started = performance.now();
  const files = findDeviceTests();
  const preloaded = [...preloadedModules(ROOT), ...preloadedHostModules(ROOT)];
  const entry = [
    `import ${JSON.stringify(join(STANDINS, "xs-runtime.ts"))};`,
    `import { run } from ${JSON.stringify(join(ROOT, "tests", "xs", "xs-runner.ts"))};`,
    `import { preload } from ${JSON.stringify(join(ROOT, "tests", "xs", "preload-emulation.ts"))};`,
    `run([`,
    ...files.map((f) => `  [${JSON.stringify(f)}, () => import(${JSON.stringify(join(ROOT, f))})],`),
    `], { preload: () => preload([`,
    ...preloaded.map(({ name, file }) => `  [${JSON.stringify(name)}, () => import(${JSON.stringify(file)})],`),
    `]) });`,
  ].join("\n");
  const script = join(ROOT, ".build", "xs", `${options.name ?? "device-tests"}.js`);
  await bundleForXs({
    entry: { contents: entry, sourcefile: "device-xs-entry.ts" },
    outfile: script,
    what: "the device host's XS tests",
    sourcemap: true,
    plugins: [moduleNames(ROOT)],
  });
  return { script, map: `${script}.map`, files, ms: Math.round(performance.now() - started) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const bundle = await bundleDeviceTests();
  console.log(`${bundle.script}: ${bundle.files.length} test files in ${bundle.ms} ms`);
}
