/*
 * Property-based tests (fast-check) of the ten persistent types, each on the same properties:
 * - every input the type must accept is accepted;
 * - coercion is idempotent: the canonical form of anything accepted is its own canonical form;
 * - a stored value reads back equal (bit for bit for numbers) after a restart;
 * - an input that is refused throws PersistentValueError naming the variable and the type and
 *   leaves the old value, in memory and in storage, with nothing written;
 * - writing the value again writes nothing;
 * - a power cut at any step of a write leaves the old or the new value.
 * Runs on XS too: fast-check is plain JavaScript (imported through tests/support/fast-check.ts,
 * which covers its one load-time use of setTimeout), with a tenth of the runs (scaledRuns): the
 * XS run of all core tests shares one time limit. A failure prints the seed to replay it.
 */

import fc, { anything, jsonValue, scaledRuns } from "../support/fast-check";
import { deepEqual, equal, ok } from "../support/assert";
import { cutEverywhere } from "../support/cut-everywhere";
import { MemoryStorage } from "../support/memory-storage";
import type { Storage } from "../../modules/host/storage";
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

interface Variable {
  readonly id: string;
  readonly type: string;
  readonly value: unknown;
  coerce(input: unknown): unknown;
  write(input: unknown): boolean;
  reset(): boolean;
}

interface TypeSpec {
  readonly type: string;
  make(storage: Storage): Variable;
  /** Inputs the type must accept. */
  readonly valid: fc.Arbitrary<unknown>;
}

const RUNS = scaledRuns(60);
const CUT_RUNS = scaledRuns(15);

const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
const anyUnit = fc.oneof(
  fc.string({ unit: "binary", maxLength: 12 }),
  // Lone surrogates and other single UTF-16 units, which "binary" never produces.
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 12 }),
);
const primitive = fc.oneof(fc.string({ maxLength: 8 }), finite, fc.boolean(), fc.constant(null));
const byte = fc.integer({ min: 0, max: 255 });
const spaces = fc.constantFrom("", " ", "  ");
const hex2 = (n: number) => n.toString(16).padStart(2, "0");

const SPECS: readonly TypeSpec[] = [
  {
    type: "boolean",
    make: (storage) => new PersistentBoolean("b", { storage }),
    valid: fc.oneof(fc.boolean(), fc.constantFrom(0, 1), fc.mixedCase(fc.constantFrom("true", "false", "on", "off", "yes", "no", "1", "0"))),
  },
  {
    type: "integer",
    make: (storage) => new PersistentInteger("i", { storage, default: 5 }),
    valid: fc.oneof(
      fc.integer({ min: -0x80000000, max: 0x7fffffff }),
      fc.integer({ min: -0x80000000, max: 0x7fffffff }).map(String),
      fc.double({ min: -2147483648.5, max: 2147483647.5, noNaN: true }),
    ),
  },
  {
    type: "float",
    make: (storage) => new PersistentFloat("fifteen-chars-f", { storage, default: 1.5 }),
    valid: fc.oneof(finite, finite.map(String)),
  },
  {
    type: "string",
    make: (storage) => new PersistentString("s", { storage, maxBytes: 16 }),
    valid: fc.oneof(anyUnit, finite, fc.boolean()),
  },
  {
    type: "json",
    make: (storage) => new PersistentJson("j", { storage }),
    valid: jsonValue({ maxDepth: 4 }),
  },
  {
    type: "set",
    make: (storage) => new PersistentSet("fifteen-chars-s", { storage }),
    valid: fc.oneof(fc.array(primitive, { maxLength: 12 }), fc.array(fc.constantFrom("a", "b", 1, 0, -0, true, null)), fc.array(primitive).map((a) => new Set(a))),
  },
  {
    type: "list",
    make: (storage) => new PersistentList("l", { storage }),
    valid: fc.array(primitive, { maxLength: 12 }),
  },
  {
    type: "range",
    make: (storage) => new PersistentRange("r", { storage, min: -5, max: 5, step: 0.25 }),
    valid: fc.oneof(finite, finite.map(String)),
  },
  {
    type: "rgb",
    make: (storage) => new PersistentRgb("c", { storage }),
    valid: fc.oneof(
      fc.tuple(byte, byte, byte),
      fc.record({ r: byte, g: byte, b: byte }),
      fc.tuple(byte, byte, byte, spaces).map(([r, g, b, s]) => `rgb(${s}${r},${s}${g}${s},${b})`),
      fc.mixedCase(fc.tuple(byte, byte, byte).map(([r, g, b]) => `#${hex2(r)}${hex2(g)}${hex2(b)}`)),
      fc.mixedCase(fc.tuple(byte, byte, byte).map(([r, g, b]) => `#${(r >> 4).toString(16)}${(g >> 4).toString(16)}${(b >> 4).toString(16)}`)),
    ),
  },
  {
    type: "hex",
    make: (storage) => new PersistentHex("h", { storage }),
    valid: fc.oneof(
      fc.maxSafeNat(),
      fc.mixedCase(fc.tuple(fc.constantFrom("", "0x", "00", "0x000"), fc.maxSafeNat()).map(([p, n]) => p + n.toString(16))),
    ),
  },
];

/** Anything at all, with the type's own valid inputs mixed in so near-misses are frequent. */
function anyInput(spec: TypeSpec): fc.Arbitrary<unknown> {
  return fc.oneof(spec.valid, anything(), fc.string(), fc.double(), fc.array(anything(), { maxLength: 4 }));
}

describe("persistent variables: properties", () => {
  for (const spec of SPECS) {
    describe(spec.type, () => {
      it("accepts every input of its table", () => {
        const variable = spec.make(new MemoryStorage());
        fc.assert(fc.property(spec.valid, (x) => void variable.coerce(x)), { numRuns: RUNS });
      });

      it("coercion is idempotent", () => {
        const variable = spec.make(new MemoryStorage());
        fc.assert(
          fc.property(anyInput(spec), (x) => {
            let canonical: unknown;
            try {
              canonical = variable.coerce(x);
            } catch (e) {
              ok(e instanceof PersistentValueError, `only PersistentValueError may be thrown, got ${String(e)}`);
              return;
            }
            deepEqual(variable.coerce(canonical), canonical);
          }),
          { numRuns: RUNS },
        );
      });

      it("a stored value reads back equal after a restart, and is not written twice", () => {
        fc.assert(
          fc.property(spec.valid, (x) => {
            const storage = new MemoryStorage();
            const variable = spec.make(storage);
            variable.write(x);
            deepEqual(variable.value, variable.coerce(x));
            deepEqual(spec.make(storage).value, variable.value, "after a restart");
            const writes = storage.writes;
            variable.write(x);
            variable.write(variable.value);
            spec.make(storage).write(x);
            equal(storage.writes, writes, "writing the same value again writes nothing");
          }),
          { numRuns: RUNS },
        );
      });

      it("a refused input leaves the old value, in memory and in storage", () => {
        fc.assert(
          fc.property(spec.valid, anyInput(spec), (old, x) => {
            const storage = new MemoryStorage();
            const variable = spec.make(storage);
            variable.write(old);
            const before = variable.value;
            const writes = storage.writes;
            try {
              variable.write(x);
            } catch (e) {
              ok(e instanceof PersistentValueError, `only PersistentValueError may be thrown, got ${String(e)}`);
              ok(e.message.startsWith(`${variable.id}: cannot store `) && e.message.includes(` as ${spec.type}: `), e.message);
              deepEqual(variable.value, before);
              deepEqual(spec.make(storage).value, before, "after a restart");
              equal(storage.writes, writes, "nothing written");
            }
          }),
          { numRuns: RUNS },
        );
      });

      it("a power cut at any step of a write leaves the old or the new value", () => {
        fc.assert(
          fc.property(spec.valid, spec.valid, (a, b) => void cutEverywhere(spec.make, [a], (v) => v.write(b))),
          { numRuns: CUT_RUNS },
        );
      });
    });
  }

  it("range: any min/max/step gives values in range, on the grid, idempotently", () => {
    const config = fc
      .record({
        min: fc.integer({ min: -10000, max: 10000 }),
        span: fc.integer({ min: 0, max: 10000 }),
        step: fc.integer({ min: 1, max: 500 }),
        scale: fc.constantFrom(1, 10, 100, 1000),
        stepped: fc.boolean(),
      })
      .map(({ min, span, step, scale, stepped }) => ({
        min: min / scale,
        max: (min + span) / scale,
        step: stepped ? step / scale : undefined,
      }));
    fc.assert(
      fc.property(config, fc.oneof(finite, fc.double({ min: -200, max: 200, noNaN: true })), ({ min, max, step }, x) => {
        const storage = new MemoryStorage();
        const variable = new PersistentRange("r", { storage, min, max, step });
        const v = variable.coerce(x);
        ok(v >= min && v <= max, `${v} in ${min}..${max}`);
        equal(variable.coerce(v), v, "idempotent");
        if (step !== undefined) {
          const k = (v - min) / step;
          ok(Math.abs(k - Math.round(k)) < 1e-6, `${v} is on the grid of ${step} from ${min}`);
        }
        variable.write(x);
        equal(new PersistentRange("r", { storage, min, max, step }).value, v, "after a restart");
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it("float: every double but NaN and ±Infinity reads back bit for bit", () => {
    fc.assert(
      fc.property(finite, (x) => {
        const storage = new MemoryStorage();
        new PersistentFloat("f", { storage }).value = x;
        ok(Object.is(new PersistentFloat("f", { storage }).value, x), `${x}`);
      }),
      { numRuns: RUNS * 2 },
    );
  });
});
