/*
 * PersistentInteger: a 32-bit signed integer, the device's own integer. Accepts finite numbers
 * (truncated toward zero: 2.9 -> 2, -2.9 -> -2) and decimal strings ("42", " -7 ", "1e3",
 * "2.5" -> 2). Refuses NaN, Infinity, other strings ("", "0x10", "abc"), booleans and anything
 * else, and every value outside -2147483648..2147483647 after truncation (refused, not
 * clamped: a wrapped or clamped counter is a silent bug). Negative zero becomes 0. Stored as
 * decimal text. Default: 0.
 */

import { decimalText, parseDecimal } from "./decimal-text";
import { decodeJson, type PersistentCodec } from "./persistent-codec";
import { PERSISTENT_LIMITS } from "./persistent-limits";
import { PersistentVariable, type PersistentOptions } from "./persistent-variable";

export type IntegerInput = number | string;

const { minInteger, maxInteger } = PERSISTENT_LIMITS;

const INTEGER_CODEC: PersistentCodec<number> = Object.freeze({
  type: "integer",
  fallback: 0,
  input: Object.freeze({ kind: "number", min: minInteger, max: maxInteger, step: 1 }),
  coerce(input: unknown): number {
    const n = typeof input === "number" ? input : typeof input === "string" ? parseDecimal(input) : undefined;
    if (n === undefined || !Number.isFinite(n)) throw new Error("expected a finite number or a decimal string");
    const whole = Math.trunc(n) + 0; // + 0 turns -0 into 0
    if (whole < minInteger || whole > maxInteger) throw new Error(`outside the 32-bit range ${minInteger}..${maxInteger}`);
    return whole;
  },
  encode: decimalText,
  decode: decodeJson,
} satisfies PersistentCodec<number>);

export class PersistentInteger extends PersistentVariable<number, IntegerInput> {
  constructor(name: string, options: PersistentOptions<IntegerInput> = {}) {
    super(name, options, INTEGER_CODEC);
  }

  /** Adds step (default 1) and saves; returns the new value. Throws if it leaves the range. */
  increment(step = 1): number {
    this.value = this.value + step;
    return this.value;
  }
}
