/*
 * PersistentFloat: a double. Accepts finite numbers, kept exactly (-0 included), and decimal
 * strings ("21.5", "-1e-7"; decimal-text.ts). Refuses NaN, Infinity, a string that overflows
 * to Infinity ("1e400"), other strings and anything else. The device's Preference stores no
 * floats, so the value is stored as the shortest decimal text that reads back as the same
 * double ("-0" for negative zero): it reads back bit for bit (0.1, -0, 5e-324 and
 * 1.7976931348623157e308 included). Default: 0.
 */

import { decimalText, finiteNumber } from "./decimal-text";
import { decodeJson, type PersistentCodec } from "./persistent-codec";
import { PersistentVariable, type PersistentOptions } from "./persistent-variable";

export type FloatInput = number | string;

const FLOAT_CODEC: PersistentCodec<number> = Object.freeze({
  type: "float",
  fallback: 0,
  input: Object.freeze({ kind: "number", step: "any" }),
  coerce: finiteNumber,
  encode: decimalText,
  decode: decodeJson,
} satisfies PersistentCodec<number>);

export class PersistentFloat extends PersistentVariable<number, FloatInput> {
  constructor(name: string, options: PersistentOptions<FloatInput> = {}) {
    super(name, options, FLOAT_CODEC);
  }
}
