/*
 * PersistentBoolean: true or false. Accepts true/false, the numbers 1/0, and the strings
 * "true"/"false", "on"/"off", "yes"/"no", "1"/"0" in any case with surrounding whitespace
 * ignored (what forms and query strings send). Anything else is refused, so a typo never
 * reads as false. Stored as "true"/"false". Default: false.
 */

import { decodeJson, type PersistentCodec } from "./persistent-codec";
import { PersistentVariable, type PersistentOptions } from "./persistent-variable";

const TRUE_WORDS: readonly string[] = Object.freeze(["true", "on", "yes", "1"]);
const FALSE_WORDS: readonly string[] = Object.freeze(["false", "off", "no", "0"]);

export type BooleanInput = boolean | number | string;

const BOOLEAN_CODEC: PersistentCodec<boolean> = Object.freeze({
  type: "boolean",
  fallback: false,
  input: Object.freeze({ kind: "checkbox" }),
  coerce(input: unknown): boolean {
    if (typeof input === "boolean") return input;
    if (input === 1) return true;
    if (input === 0) return false;
    if (typeof input === "string") {
      const word = input.trim().toLowerCase();
      if (TRUE_WORDS.includes(word)) return true;
      if (FALSE_WORDS.includes(word)) return false;
    }
    throw new Error('expected true/false, 1/0, or "true"/"false", "on"/"off", "yes"/"no"');
  },
  encode: (value: boolean) => (value ? "true" : "false"),
  decode: decodeJson,
} satisfies PersistentCodec<boolean>);

export class PersistentBoolean extends PersistentVariable<boolean, BooleanInput> {
  constructor(name: string, options: PersistentOptions<BooleanInput> = {}) {
    super(name, options, BOOLEAN_CODEC);
  }

  /** Flips the value and saves it; returns the new value. */
  toggle(): boolean {
    this.value = !this.value;
    return this.value;
  }
}
