/*
 * PersistentHex: a non-negative integer up to 2^53 - 1 (a mask, an address, an ID), always
 * written "0x" + lower-case digits without leading zeros ("0x1f"; zero is "0x0"). A string is
 * always read as hex digits, with or without "0x"/"0X" ("0x1F", "1f", " 001F " -> "0x1f"; "10"
 * is sixteen); a number is its value (31 -> "0x1f"). Refuses negative or non-integer numbers,
 * values over 2^53 - 1 (a double could not hold them exactly), "", "0x", signs, other
 * characters and anything else. Stored as its text. Default: "0x0".
 */

import { sameText, type PersistentCodec } from "./persistent-codec";
import { PersistentVariable, type PersistentOptions } from "./persistent-variable";

export type HexInput = string | number;

/** Made where it is used: a preloaded regex corrupts XS 8.2.3's heap when it runs (tests/node/preload-lint.ts). */
const HEX = (): RegExp => /^(?:0x)?([0-9a-f]+)$/;

function coerceHex(input: unknown): string {
  let n: number | undefined;
  if (typeof input === "number") {
    if (Number.isInteger(input) && input >= 0) n = input;
  } else if (typeof input === "string") {
    const m = HEX().exec(input.trim().toLowerCase());
    if (m) {
      const digits = m[1].replace(/^0+(?=.)/, "");
      // More than 14 digits is always past 2^53; up to 14, parseInt is exact below 2^53 and
      // anything it rounds is past the limit checked below.
      n = digits.length <= 14 ? parseInt(digits, 16) : Infinity;
    }
  }
  if (n === undefined) throw new Error('expected a non-negative integer, or hex digits with or without "0x"');
  if (n > Number.MAX_SAFE_INTEGER) throw new Error("larger than 0x1fffffffffffff (2^53 - 1)");
  return `0x${n.toString(16)}`;
}

const HEX_CODEC: PersistentCodec<string> = Object.freeze({
  type: "hex",
  fallback: "0x0",
  input: Object.freeze({ kind: "text", pattern: "\\s*(0[xX])?[0-9a-fA-F]+\\s*" }),
  coerce: coerceHex,
  encode: sameText,
  decode: sameText,
} satisfies PersistentCodec<string>);

export class PersistentHex extends PersistentVariable<string, HexInput> {
  constructor(name: string, options: PersistentOptions<HexInput> = {}) {
    super(name, options, HEX_CODEC);
  }

  /** The value as a number. */
  get number(): number {
    return parseInt(this.value.slice(2), 16);
  }
}
