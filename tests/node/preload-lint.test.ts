/*
 * The preloaded modules' module-level state as the XS linker judges it (preload-lint.ts): every
 * module of modules/ and of hosts/moddable/ but boot.ts is preloaded (manifest.json and
 * hosts/moddable/manifest_preload.json), so each "no const", "not frozen" or
 * "read-only" finding there fails, worded like xsl's warning with its file and line. And no
 * Error subclass anywhere that runs among frozen built-ins (the core, the hosts, the tests)
 * assigns this.name. Then the checker itself, on a module that breaks every rule and on one that
 * keeps them, so a rule that silently stopped matching fails here.
 */

import * as assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { checkErrorNames, formatFinding, lintPreloaded, type LintFinding, type SourceText } from "./preload-lint.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

function sources(dir: string): SourceText[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .map((f) => `${dir}/${f.split("\\").join("/")}`)
    .sort()
    .map((file) => ({ file, text: readFileSync(join(ROOT, file), "utf8") }));
}

function report(findings: LintFinding[]): string {
  return `\n${findings.map(formatFinding).join("\n")}\n`;
}

describe("preloaded modules, as the XS linker sees them (tests/node/preload-lint.ts)", () => {
  it("modules/ keeps no module-level state that preloading leaves writable (aliased in RAM) or makes read-only", function () {
    this.timeout(20_000);
    const findings = lintPreloaded(sources("modules"));
    assert.equal(findings.length, 0, report(findings));
  });

  it("the device host (hosts/moddable, preloaded but for boot.ts) keeps none either", function () {
    this.timeout(20_000);
    const findings = lintPreloaded(sources("hosts/moddable").filter((s) => s.file !== "hosts/moddable/boot.ts"));
    assert.equal(findings.length, 0, report(findings));
  });

  // The rules above cover what is preloaded; this is for code that is not preloaded but meets the same
  // frozen Error.prototype: the device's boot module and the app, the tests inside XS.
  it("no Error subclass outside modules/ assigns this.name either: the hosts, the tests, main.ts, the benchmarks", function () {
    this.timeout(20_000);
    const all = [...sources("hosts"), ...sources("tests"), ...sources("bench"), { file: "main.ts", text: readFileSync(join(ROOT, "main.ts"), "utf8") }];
    // The emulation's canary does it on purpose, to prove that the XS run refuses it.
    const findings = checkErrorNames(all.filter((s) => s.file !== "tests/xs/preload-emulation.ts"));
    assert.equal(findings.length, 0, report(findings));
  });

  describe("the checker", () => {
    const BAD = `
let counter = 0;                                      // @counter
const table = { a: 1 };                               // @table
const nested = Object.freeze({ inner: { b: 2 }, list: [1], ok: Object.freeze([2]) }); // @nested
const cache = new Map<string, number>();              // @cache
const WORDS = /\\w+/g;                                // @words
const hasher = new Hasher();                          // @hasher
const flags = [true];                                 // @flags
const plain = /\\w+/;                                  // @plain
const held = Object.freeze({ re: /x/ });              // @held
function* lines(): Generator<string> { yield "x"; }  // @lines
const gen = function* () { yield 1; };               // @gen
class Hasher {}
function helper(): number { return table.a; }
export class Feature {
  static defaults = { on: true };                     // @defaults
  static readonly pattern = new RegExp("x", "y");     // @pattern
  *section(): Generator<string> { yield "z"; }        // @section
  get on(): boolean { return flags[0]; }
}
export function bump(): number { return counter++ + helper() + cache.size + (hasher ? 1 : 0) + WORDS.lastIndex + (plain.test("x") ? 1 : 0) + (held.re ? 1 : 0); }
export function render(): Iterable<string> { return lines(); }
export const literal = { kinds: [gen] };              // @literal
export class BadError extends Error {
  constructor() {
    super("bad");
    this.name = "BadError";                           // @bad-name
  }
}
export class SubError extends BadError {
  constructor() {
    super();
    const set = () => { this["name"] = "SubError"; }; // @sub-name
    set();
  }
}
`;
    const GOOD = `
const table = Object.freeze({ a: 1, inner: Object.freeze({ b: 2 }), list: Object.freeze([1]) });
const later = { c: 3, d: [4] };
Object.freeze(later);
Object.freeze(later.d);
const deep = Object.freeze({ inner: { b: [2] } }, true);
const bytes = new Uint8Array(4);
const done = Promise.resolve();
const { a } = table;
function* lines(): Generator<string> { yield "x"; }
Object.freeze(lines.prototype);
export class Feature {
  static readonly defaults = Object.freeze({ on: true });
  static readonly max = 3;
  section(): Iterable<string> { return lines(); }
  #state = { n: 0 };
  bump(): number { let n = this.#state.n; n++; return n; }
}
export function use(): unknown { return [table, later, deep, bytes, /\\w+/, done, a]; }
export class FineError extends Error {}
Object.defineProperty(FineError.prototype, "name", { value: "FineError", writable: true, configurable: true });
export class OwnError extends Error {
  constructor() {
    super("own");
    Object.defineProperty(this, "name", { value: "OwnError" });
    function unrelated(this: { name: string }): void { this.name = "not an error's"; }
    unrelated.call({ name: "" });
  }
}
`;

    function lineOf(text: string, marker: string): number {
      return text.split("\n").findIndex((l) => l.includes(`// @${marker}`)) + 1;
    }

    it("finds each rule's breach, named as xsl names it, at its line", () => {
      const findings = lintPreloaded([{ file: "modules/sample/bad.ts", text: BAD }]);
      const got = findings.map((f) => `${f.line} ${f.path}: ${f.kind}`).sort();
      const expected = [
        ["counter", "bump() counter: no const"],
        ["table", "bump() helper() table: not frozen"],
        ["nested", "nested.inner: not frozen"],
        ["nested", "nested.list: not frozen"],
        ["cache", "bump() cache: read-only"],
        ["words", "bump() WORDS: regexp"],
        ["plain", "bump() plain: regexp"],
        ["held", "bump() held.re: regexp"],
        ["hasher", "bump() hasher: not frozen"],
        ["lines", "render() lines.prototype: not frozen"],
        ["gen", "literal.kinds[0].prototype: not frozen"],
        ["defaults", "Feature.defaults: not frozen"],
        ["pattern", "Feature.pattern: regexp"],
        ["section", "Feature.prototype.section.prototype: not frozen"],
        ["flags", "Feature.prototype.get on() flags: not frozen"],
        ["literal", "literal: not frozen"],
        ["literal", "literal.kinds: not frozen"],
        ["bad-name", "BadError: this.name"],
        ["sub-name", "SubError: this.name"],
      ]
        .map(([marker, line]) => `${lineOfChecked(BAD, marker)} ${line}`)
        .sort();
      assert.deepEqual(got, expected);
      assert.equal(
        formatFinding(findings.find((f) => f.path === "bump() helper() table")!).split(" (")[0],
        '### warning: "modules/sample/bad": bump() helper() table: not frozen',
      );
    });

    function lineOfChecked(text: string, marker: string): number {
      const line = lineOf(text, marker);
      assert.ok(line > 0, `no marker ${marker}`);
      return line;
    }

    it("accepts the fixes: frozen where made or later, deep freeze, immutable kinds, frozen generator prototypes, names on the prototype", () => {
      const findings = lintPreloaded([{ file: "modules/sample/good.ts", text: GOOD }]);
      assert.equal(findings.length, 0, report(findings));
    });

    it("checks Error names alone, for code that is not preloaded", () => {
      const findings = checkErrorNames([
        { file: "tests/support/bad.ts", text: BAD },
        { file: "tests/support/good.ts", text: GOOD },
      ]);
      assert.deepEqual(findings.map((f) => `${f.file}:${f.line} ${f.path}`), [
        `tests/support/bad.ts:${lineOf(BAD, "bad-name")} BadError`,
        `tests/support/bad.ts:${lineOf(BAD, "sub-name")} SubError`,
      ]);
    });
  });
});
