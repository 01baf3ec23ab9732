/*
 * The device build's manifest against the files it must name. mcconfig compiles only the modules
 * the manifest lists: a .ts file that is imported but not listed still type-checks, then the app
 * aborts on the device when it is imported. These checks catch that here, along with the other
 * manifest rules the device host depends on (see hosts/moddable/*.ts and manifest.json). What
 * preloading does to the modules' module-level state is checked in preload-lint.test.ts.
 */

import * as assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

interface Platform {
  include?: string[];
  modules?: Record<string, string>;
  ffi?: { functions: Record<string, unknown> };
  error?: string;
}

interface Manifest {
  include: string[];
  preload?: string[];
  modules: Record<string, string>;
  platforms: Record<string, Platform>;
  typescript?: { tsconfig?: { compilerOptions?: { types?: string[] } } };
}

const manifest = JSON.parse(readFileSync(join(ROOT, "manifest.json"), "utf8")) as Manifest;

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push(relative(ROOT, path).split("\\").join("/"));
  }
  return out;
}

/** The module name a manifest entry gives a repository file, or undefined when none does. */
function moduleNameOf(file: string, modules: Record<string, string>): string | undefined {
  const stem = file.replace(/\.ts$/, "");
  for (const [name, source] of Object.entries(modules)) {
    const target = source.replace(/^\.\//, "");
    if (name.endsWith("/*") && target.endsWith("/*")) {
      // A "*" matches the files of one folder, not of its subfolders.
      const folder = target.slice(0, -1);
      if (stem.startsWith(folder) && !stem.slice(folder.length).includes("/")) return name.slice(0, -1) + stem.slice(folder.length);
    } else if (target === stem) return name;
  }
  return undefined;
}

describe("manifest.json (the device build)", () => {
  it("lists every module of modules/ under the name of its path", () => {
    for (const file of filesUnder(join(ROOT, "modules"))) {
      assert.ok(file.endsWith(".ts") && !file.endsWith(".d.ts"), `${file}: mcconfig would compile it as a module (only .ts belongs in modules/)`);
      assert.equal(moduleNameOf(file, manifest.modules), file.replace(/\.ts$/, ""), `${file} is not listed in manifest.json "modules"`);
    }
  });

  it("lists every device host module under the name of its path, and main.ts as app", () => {
    const hostFiles = filesUnder(join(ROOT, "hosts/moddable")).filter(
      (f) => f.endsWith(".ts") && !f.endsWith(".d.ts") && !f.includes("/platform/") && !f.endsWith("/boot.ts"),
    );
    assert.ok(hostFiles.length > 0);
    for (const file of hostFiles) assert.equal(moduleNameOf(file, manifest.modules), file.replace(/\.ts$/, ""), `${file} is not listed`);
    assert.equal(manifest.modules.main, "./hosts/moddable/boot");
    assert.equal(manifest.modules.app, "./main");
  });

  it("builds nothing from tests/: the SDK stand-ins of the XS device tests stay out of the firmware", () => {
    const manifests = [readFileSync(join(ROOT, "manifest.json"), "utf8"), readFileSync(join(ROOT, "hosts/moddable/manifest_ota.json"), "utf8")];
    for (const text of manifests) assert.doesNotMatch(text, /tests\//);
    // And no device module imports a stand-in: the SDK names reach them only through the XS bundle.
    for (const file of filesUnder(join(ROOT, "hosts/moddable")).filter((f) => f.endsWith(".ts")))
      assert.doesNotMatch(readFileSync(join(ROOT, file), "utf8"), /standins/, file);
  });

  it("binds hosts/moddable/platform per platform and refuses the others", () => {
    assert.deepEqual(Object.keys(manifest.platforms).sort(), ["...", "esp32", "lin", "mac"]);
    assert.equal(manifest.platforms.esp32.modules?.["hosts/moddable/platform"], "./hosts/moddable/platform/esp32");
    assert.equal(manifest.platforms.mac.modules?.["hosts/moddable/platform"], "./hosts/moddable/platform/simulator");
    assert.equal(manifest.platforms.lin.modules?.["hosts/moddable/platform"], "./hosts/moddable/platform/simulator");
    assert.ok(manifest.platforms["..."].error);
  });

  it("includes the ota module on esp32 only (it does not exist in the simulator)", () => {
    const ota = "$(BUILD)/devices/esp32/modules/ota/manifest.json";
    assert.ok(manifest.platforms.esp32.include?.includes(ota));
    assert.ok(!manifest.include.includes(ota));
    for (const name of ["mac", "lin"]) assert.ok(!manifest.platforms[name].include?.includes(ota));
  });

  it("declares in types/tsc-only/mc-ffi.d.ts exactly the esp32 ffi functions", () => {
    const declared = readFileSync(join(ROOT, "hosts/moddable/types/tsc-only/mc-ffi.d.ts"), "utf8");
    const names = [...declared.matchAll(/^\s+(\w+)\(.*\): \w+;$/gm)].map((m) => m[1]).sort();
    assert.deepEqual(names, Object.keys(manifest.platforms.esp32.ffi?.functions ?? {}).sort());
  });

  it("hands mcconfig only ambient declarations, and never the tsc-only ones", () => {
    for (const path of manifest.typescript?.tsconfig?.compilerOptions?.types ?? []) {
      assert.ok(!path.includes("tsc-only"), path);
      const text = readFileSync(join(ROOT, `${path}.d.ts`), "utf8");
      assert.match(text, /^declare module "/m, `${path}.d.ts must declare its module ambiently`);
    }
  });

  // hosts/simulated/ (the simulator's radio air, app slots and boot record) and hosts/node/ are the
  // simulator's: the firmware must not carry them, neither through the manifest nor through an import.
  it("keeps the simulator's files out of the firmware: never in the manifest, never imported by modules/", () => {
    const named = [...Object.values(manifest.modules), ...Object.values(manifest.platforms).flatMap((p) => Object.values(p.modules ?? {}))];
    for (const source of named) assert.ok(!/^\.\/hosts\/(?:simulated|node)\//.test(source), `manifest.json names ${source}`);
    for (const file of filesUnder(join(ROOT, "modules"))) {
      const text = readFileSync(join(ROOT, file), "utf8");
      for (const m of text.matchAll(/^\s*(?:import|export)\b[^"']*["']([^"']+)["']/gm))
        assert.ok(!resolve(ROOT, dirname(file), m[1]).startsWith(join(ROOT, "hosts")), `${file} imports ${m[1]}: modules/ never reaches into hosts/`);
    }
  });

  // mcconfig matches preload wildcards against .js files only, so each core module is named:
  // a new file left off the list would silently build its tables in RAM at every boot.
  it("preloads every module of modules/ by name, and neither the app nor the boot module", () => {
    const preload = new Set(manifest.preload ?? []);
    for (const file of filesUnder(join(ROOT, "modules")).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")))
      assert.ok(preload.has(file.replace(/\.ts$/, "")), `${file} is not in the manifest's preload list`);
    assert.ok(!preload.has("main") && !preload.has("app"), "the app and the boot module run at boot, never at build time");
    for (const name of preload) assert.ok(!name.includes("*"), `${name}: mcconfig never matches a wildcard against .ts files`);
  });

  // The device host is preloaded too (hosts/moddable/manifest_preload.json, which manifest.json
  // includes): a host file left off would build its classes in the heap at every boot.
  it("preloads every device host module but boot through hosts/moddable/manifest_preload.json", () => {
    assert.ok(manifest.include.includes("./hosts/moddable/manifest_preload.json"), "manifest.json includes the host's preload list");
    const hostPreload = JSON.parse(readFileSync(join(ROOT, "hosts/moddable/manifest_preload.json"), "utf8")) as { preload: string[] };
    const wanted = readdirSync(join(ROOT, "hosts/moddable"))
      .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts") && f !== "boot.ts")
      .map((f) => `hosts/moddable/${f.replace(/\.ts$/, "")}`);
    // The platform module is one name, bound per platform (platform/esp32.ts or platform/simulator.ts).
    wanted.push("hosts/moddable/platform");
    assert.deepEqual([...hostPreload.preload].sort(), wanted.sort());
    assert.ok(!hostPreload.preload.includes("hosts/moddable/boot"), "boot imports the simulator's Preference, which reads its file when it loads: it runs at boot");
  });
});
