/*
 * Features are folders: each feature's folder under modules/ imports only its own files and the
 * framework's shared machinery, never another feature's folder, and the manager reaches them
 * only through the feature list (modules/features.ts). A throwaway feature from a test folder
 * (tests/fixtures/features/guestbook, exercised in tests/core/feature-seam.test.ts) plugs in
 * with no edit anywhere else: nothing outside its folder names it.
 */

import * as assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");
/** Shared machinery a feature may build on: everything in modules/ that is not a feature. */
const SHARED = ["auth", "clock", "config", "crypto", "data", "dns", "host", "http", "log", "storage", "tasks", "text", "feature.ts", "events.ts", "version.ts"];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith(".ts") ? [path] : [];
  });
}

function imports(file: string): string[] {
  return [...readFileSync(file, "utf8").matchAll(/^import[^"]*"([^"]+)";/gm)].map((m) => m[1]);
}

/** The first part of modules/ a relative import reaches ("wifi", "feature.ts", ...). */
function reaches(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  const target = relative(join(ROOT, "modules"), resolve(dirname(file), specifier));
  if (target.startsWith("..")) return `outside modules/: ${target}`;
  const first = target.split("/")[0];
  return target.includes("/") ? first : `${first}.ts`;
}

function featureFolders(): string[] {
  return readdirSync(join(ROOT, "modules")).filter((name) => {
    const path = join(ROOT, "modules", name);
    return statSync(path).isDirectory() && readdirSync(path).some((f) => f.endsWith("-feature.ts"));
  });
}

describe("features are folders", () => {
  it("each feature folder imports its own files and the shared machinery, never another feature", () => {
    const folders = featureFolders();
    assert.ok(folders.includes("wifi") && folders.includes("ota") && folders.includes("metrics"), folders.join(", "));
    for (const folder of folders) {
      for (const file of files(join(ROOT, "modules", folder))) {
        for (const specifier of imports(file)) {
          const part = reaches(file, specifier);
          if (part === undefined || part === folder) continue;
          assert.ok(SHARED.includes(part), `${relative(ROOT, file)} imports ${specifier}: ${part} is not shared machinery`);
        }
      }
    }
  });

  it("the manager reaches features only through the feature list", () => {
    const folders = featureFolders();
    for (const specifier of imports(join(ROOT, "modules/manager.ts"))) {
      const part = reaches(join(ROOT, "modules/manager.ts"), specifier);
      assert.ok(!folders.includes(part ?? ""), `manager.ts imports the feature folder ${part} (${specifier})`);
    }
    const list = imports(join(ROOT, "modules/features.ts")).map((s) => reaches(join(ROOT, "modules/features.ts"), s));
    for (const name of ["wifi", "ota", "metrics"]) assert.ok(list.includes(name), `features.ts lists ${name}`);
  });

  it("a feature from a test folder needed no edit outside it", () => {
    const folder = join(ROOT, "tests/fixtures/features/guestbook");
    for (const file of files(folder))
      for (const specifier of imports(file)) {
        const part = reaches(file, specifier);
        assert.ok(part !== undefined && SHARED.includes(part), `${relative(ROOT, file)} imports ${specifier}: only the framework's shared machinery`);
      }
    const elsewhere = [...files(join(ROOT, "modules")), ...files(join(ROOT, "hosts")), join(ROOT, "main.ts"), join(ROOT, "manifest.json")];
    for (const file of elsewhere) assert.doesNotMatch(readFileSync(file, "utf8"), /guestbook/i, relative(ROOT, file));
  });
});
