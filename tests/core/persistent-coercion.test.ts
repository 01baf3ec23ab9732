/*
 * The coercion table of the ten persistent types (docs/persistent-variables.md, "Coercion table"), as explicit
 * cases: every accepted input and the canonical value it becomes, every refused input, the
 * error's message (variable, value, type), and floats that read back bit for bit. No
 * fast-check here: this is the faithful subset that runs anywhere, XS included.
 */

import { deepEqual, equal, ok, throws } from "../support/assert";
import { MemoryStorage } from "../support/memory-storage";
import { PersistentBoolean } from "../../modules/persistent/persistent-boolean";
import { PersistentFloat } from "../../modules/persistent/persistent-float";
import { PersistentHex } from "../../modules/persistent/persistent-hex";
import { PersistentInteger } from "../../modules/persistent/persistent-integer";
import { PersistentJson } from "../../modules/persistent/persistent-json";
import { PersistentList } from "../../modules/persistent/persistent-list";
import { PersistentRange } from "../../modules/persistent/persistent-range";
import { PersistentRgb } from "../../modules/persistent/persistent-rgb";
import { PersistentSet } from "../../modules/persistent/persistent-set";
import { PersistentString } from "../../modules/persistent/persistent-string";
import { PersistentValueError } from "../../modules/persistent/persistent-value-error";
import { truncateUtf8 } from "../../modules/text/truncate-utf8";
import { utf8Length } from "../../modules/text/utf8";

/** A test label for any input (String() throws on a symbol, or an array holding one). */
function label(input: unknown): string {
  try {
    return typeof input === "string" ? JSON.stringify(input) : String(input);
  } catch {
    return typeof input;
  }
}

interface Coercible {
  readonly value: unknown;
  coerce(input: unknown): unknown;
  write(input: unknown): boolean;
}

/** Each accepted input gives its canonical value, which is a fixed point; then is stored. */
function accepts(variable: Coercible, cases: readonly (readonly [unknown, unknown])[]): void {
  for (const [input, expected] of cases) {
    const got = variable.coerce(input);
    deepEqual(got, expected, `coerce(${label(input)})`);
    if (typeof expected === "number") equal(got, expected, `coerce(${label(input)}) bit for bit`);
    deepEqual(variable.coerce(got), got, `coerce is idempotent for ${label(input)}`);
    variable.write(input);
    deepEqual(variable.value, expected, `value after writing ${label(input)}`);
  }
}

/** Each refused input throws PersistentValueError and leaves the value as it was. */
function refuses(variable: Coercible, inputs: readonly unknown[]): void {
  const before = variable.value;
  for (const input of inputs) {
    const e = throws(() => variable.write(input), undefined, `writing ${label(input)} must throw`);
    ok(e instanceof PersistentValueError, `${label(input)}: a PersistentValueError, got ${e.name}: ${e.message}`);
    deepEqual(variable.value, before, `value unchanged after refusing ${label(input)}`);
  }
}

const SPARSE: unknown[] = [1, 2];
SPARSE.length = 3;
const CYCLE: Record<string, unknown> = {};
CYCLE.self = CYCLE;

describe("persistent coercion table", () => {
  let storage: MemoryStorage;
  beforeEach(() => {
    storage = new MemoryStorage();
  });

  it("boolean: true/false, 1/0 and on/off/yes/no/true/false/1/0 words in any case", () => {
    const v = new PersistentBoolean("flag", { storage });
    equal(v.value, false, "default");
    accepts(v, [
      [true, true], [false, false], [1, true], [0, false], [-0, false],
      ["true", true], ["FALSE", false], ["On", true], ["off", false], ["YES", true], ["no", false],
      [" yes ", true], ["1", true], ["0", false],
    ]);
    refuses(v, [2, -1, 0.5, NaN, "", "y", "nope", "truthy", null, undefined, [], {}, [true]]);
  });

  it("integer: finite numbers truncated toward zero, decimal strings, 32-bit range", () => {
    const v = new PersistentInteger("count", { storage });
    accepts(v, [
      [42, 42], [2.9, 2], [-2.9, -2], [-0, 0], [-0.5, 0], ["17", 17], [" -7 ", -7], ["+3", 3],
      ["1e3", 1000], ["2.5", 2], [".9", 0], [2147483647, 2147483647], [-2147483648, -2147483648],
      [2147483647.9, 2147483647], ["-2147483648.5", -2147483648],
    ]);
    refuses(v, [2147483648, -2147483649, "2147483648", 1e20, NaN, Infinity, -Infinity, "", " ", "abc",
      "0x10", "1_000", "Infinity", "NaN", "12px", true, null, undefined, [1], {}]);
  });

  it("float: finite numbers exactly, decimal strings; NaN, Infinity and overflow refused", () => {
    const v = new PersistentFloat("ratio", { storage, default: 21.5 });
    equal(v.value, 21.5, "default");
    accepts(v, [
      [0.1, 0.1], [-0, -0], [0, 0], [5e-324, 5e-324], [1.7976931348623157e308, 1.7976931348623157e308],
      ["21.25", 21.25], ["-1e-7", -1e-7], [" 3 ", 3], ["-0", -0], [".5", 0.5], [2 ** 53 + 2, 2 ** 53 + 2],
    ]);
    refuses(v, [NaN, Infinity, -Infinity, "1e400", "-1e400", "", "abc", "0x1f", "Infinity", "1,5", true, null, undefined, [1], {}]);
  });

  it("float: values read back bit for bit after a restart", () => {
    const values = [0.1, -0, 0, 5e-324, -5e-324, 1.7976931348623157e308, -1.7976931348623157e308, 1 / 3, 2.2250738585072014e-308, 123456789.12345679, 1e21, 1e-7];
    for (const x of values) {
      const v = new PersistentFloat("f", { storage, default: 7 });
      v.value = x;
      const again = new PersistentFloat("f", { storage, default: 7 });
      ok(Object.is(again.value, x), `${x} read back as ${again.value}`);
    }
  });

  it("string: strings, numbers and booleans; truncated at a UTF-8 character boundary", () => {
    const v = new PersistentString("text", { storage, maxBytes: 5 });
    accepts(v, [
      ["hello", "hello"], ["hello world", "hello"], ["", ""], [42, "42"], [-0, "0"], [true, "true"],
      ["abcé", "abcé"], ["abcdé", "abcd"], ["a😀bc", "a😀"], ["ab😀", "ab"], ["\ud800x", "\ufffdx"], ["x\udc00", "x\ufffd"],
    ]);
    refuses(v, [null, undefined, NaN, Infinity, {}, [], ["a"], { toString: () => "x" }]);
  });

  it("string: the default limit is the value limit, 3963 bytes", () => {
    const v = new PersistentString("text", { storage });
    equal(v.maxBytes, 3963);
    v.value = "é".repeat(2000); // 4000 bytes
    equal(utf8Length(v.value), 3962, "cut before the two-byte character that would cross the limit");
    equal(new PersistentString("text", { storage }).value, "é".repeat(1981), "after a restart");
    v.value = "a".repeat(4000);
    equal(utf8Length(v.value), 3963);
  });

  it("truncateUtf8 never splits a character and repairs lone surrogates", () => {
    equal(truncateUtf8("😀😀", 7), "😀");
    equal(truncateUtf8("😀😀", 8), "😀😀");
    equal(truncateUtf8("aé", 2), "a");
    equal(truncateUtf8("€", 2), "");
    equal(truncateUtf8("a\udbffb", 10), "a\ufffdb");
    equal(truncateUtf8("\udc00\ud800", 3), "\ufffd");
    equal(truncateUtf8("", 0), "");
  });

  it("json: any JSON value within the size limit, as a frozen copy; non-JSON refused", () => {
    const v = new PersistentJson("doc", { storage, maxBytes: 40 });
    equal(v.value, null, "default");
    accepts(v, [
      [null, null], [true, true], [-0, 0], [1.5, 1.5], ["s", "s"], [[1, "a", null], [1, "a", null]],
      [{ b: 1, a: [true, { c: null }] }, { b: 1, a: [true, { c: null }] }], [{ "2": 1, "1": 2 }, { "1": 2, "2": 1 }],
    ]);
    ok(Object.isFrozen(v.value) && Object.isFrozen((v.value as { a: unknown[] }).a), "the value is deep-frozen");
    refuses(v, [undefined, NaN, Infinity, [1, undefined], { a: undefined }, { f: () => 1 }, [Symbol("s")], SPARSE,
      new Date(0), new Map(), CYCLE, "x".repeat(39), { big: 1n }]);
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = [deep];
    refuses(new PersistentJson("deep", { storage }), [deep]);
  });

  it("set: primitives, first occurrences in order; list: primitives in order with duplicates", () => {
    const s = new PersistentSet("tags", { storage });
    deepEqual(s.value, []);
    accepts(s, [
      [["b", "a", "b", 1, "1", true, null, 1, -0, 0], ["b", "a", 1, "1", true, null, 0]],
      [new Set(["x", "y"]), ["x", "y"]], [[], []],
    ]);
    refuses(s, ["abc", null, undefined, 1, { 0: "a", length: 1 }, [[1]], [{}], [NaN], [undefined], [Infinity]]);
    const l = new PersistentList("items", { storage, maxBytes: 20 });
    accepts(l, [[["b", "a", "b", 1, 1], ["b", "a", "b", 1, 1]], [[-0, false], [0, false]]]);
    refuses(l, ["[1]", [1, [2]], ["0123456789abcdefghij"]]);
    ok(Object.isFrozen(l.value), "a list is frozen");
  });

  it("set: has, add and delete save through value", () => {
    const s = new PersistentSet("tags", { storage, default: ["a"] });
    ok(s.has("a") && !s.has("b"));
    equal(s.add("b"), true);
    equal(s.add("a"), false, "already there: nothing written");
    equal(s.delete("a"), true);
    deepEqual(new PersistentSet("tags", { storage }).value, ["b"]);
  });

  it("range: clamped to min..max and rounded to the step", () => {
    const v = new PersistentRange("level", { storage, min: 0, max: 1, step: 0.1 });
    equal(v.value, 0, "default is min");
    accepts(v, [
      [0.34, 0.3], [0.35, 0.4], [0.15, 0.2], [0.05, 0.1], [-5, 0], [7, 1], ["0.72", 0.7], [1, 1], [0.3, 0.3],
    ]);
    refuses(v, [NaN, Infinity, -Infinity, "", "high", true, null, undefined, [0.5]]);
    const odd = new PersistentRange("odd", { storage, min: 0, max: 1, step: 0.3 });
    accepts(odd, [[1, 0.9], [0.99, 0.9], [0.44, 0.3], [0.46, 0.6]]);
    const free = new PersistentRange("free", { storage, min: -2.5, max: 2.5, default: 1.25 });
    equal(free.value, 1.25);
    accepts(free, [[0.123, 0.123], [-3, -2.5], [-0, 0], ["1e-9", 1e-9]]);
    const offset = new PersistentRange("offset", { storage, min: 1.5, max: 10, step: 2 });
    accepts(offset, [[2, 1.5], [2.6, 3.5], [10, 9.5]]);
  });

  it("range: bad min/max/step are refused at construction", () => {
    throws(() => new PersistentRange("r", { storage, min: 2, max: 1 }), /min <= max/);
    throws(() => new PersistentRange("r", { storage, min: NaN, max: 1 }), /finite/);
    throws(() => new PersistentRange("r", { storage, min: 0, max: 1, step: 0 }), /step/);
    throws(() => new PersistentRange("r", { storage, min: 0, max: 1, step: -1 }), /step/);
  });

  it("rgb: #rgb, #rrggbb, rgb(), [r, g, b], {r, g, b} -> #rrggbb", () => {
    const v = new PersistentRgb("led", { storage });
    equal(v.value, "#000000", "default");
    accepts(v, [
      ["#F0a", "#ff00aa"], ["#12AB9f", "#12ab9f"], [" rgb(255, 0, 16) ", "#ff0010"], ["RGB(1,2,3)", "#010203"],
      [[0, 128, 255], "#0080ff"], [{ r: 1, g: 2, b: 255 }, "#0102ff"], [{ b: 3, r: 1, g: 2 }, "#010203"],
    ]);
    deepEqual(v.channels, { r: 1, g: 2, b: 3 });
    refuses(v, ["red", "#ff00", "#ff00aa00", "#gg0000", "ff00aa", "rgb(256, 0, 0)", "rgb(1.5, 0, 0)", "rgb(10%, 0, 0)",
      "rgba(1, 2, 3, 0.5)", [1, 2], [1, 2, 3, 4], [1, 2, 256], [1, 2, -1], [1.5, 2, 3], ["1", 2, 3],
      { r: 1, g: 2 }, { r: 1, g: 2, b: 3, a: 1 }, null, undefined, 0xff00aa]);
  });

  it("hex: 0x1f, 1F or a non-negative integer -> 0x + lower-case digits", () => {
    const v = new PersistentHex("mask", { storage });
    equal(v.value, "0x0", "default");
    accepts(v, [
      ["0x1F", "0x1f"], ["1f", "0x1f"], [" 001F ", "0x1f"], ["0X00", "0x0"], ["10", "0x10"], [31, "0x1f"], [0, "0x0"], [-0, "0x0"],
      [Number.MAX_SAFE_INTEGER, "0x1fffffffffffff"], ["0x1fffffffffffff", "0x1fffffffffffff"], ["000000000000000000ff", "0xff"],
    ]);
    equal(v.number, 255);
    refuses(v, ["", "0x", "-1", "-0x1", "+1f", "0x1g", "1f h", "0x20000000000000", "fffffffffffffffff", -1, 1.5, NaN,
      Infinity, 2 ** 53, true, null, undefined, [1]]);
  });

  it("a refused value's error names the variable, the value and the type", () => {
    const v = new PersistentFloat("threshold", { storage, folder: "sensor", default: 21.5 });
    const e = throws(() => (v.value = "warm"), /^sensor\/threshold: cannot store "warm" as float: /);
    ok(e instanceof PersistentValueError);
    equal(e.variable, "sensor/threshold");
    equal(e.value, "warm");
    equal(e.type, "float");
    throws(() => new PersistentInteger("n", { storage }).write(NaN), /^vars\/n: cannot store NaN as integer/);
    throws(() => new PersistentRgb("c", { storage }).write([1, 2]), /cannot store \[1,2\] as rgb/);
    throws(() => new PersistentBoolean("b", { storage }).write(undefined), /cannot store undefined as boolean/);
  });

  it("a default that cannot be coerced fails at construction; one that can is coerced", () => {
    throws(() => new PersistentInteger("n", { storage, default: "many" }), /vars\/n: cannot store "many" as integer/);
    throws(() => new PersistentRgb("c", { storage, default: "blue" }), /as rgb/);
    equal(new PersistentRgb("c", { storage, default: [255, 0, 0] }).value, "#ff0000");
    equal(new PersistentInteger("n", { storage, default: "7.9" }).value, 7);
    equal(new PersistentRange("r", { storage, min: 0, max: 10, default: 99 }).value, 10);
  });
});
