/*
 * PersistentString: text of at most maxBytes UTF-8 bytes (default and most: the value limit,
 * 3963). Accepts strings, finite numbers and booleans (written as String() writes them).
 * Longer text is truncated to the limit at a character boundary, never inside a UTF-8 sequence
 * or a surrogate pair; lone surrogates, which UTF-8 cannot carry, become U+FFFD. Refuses null,
 * undefined, NaN, Infinity, objects and arrays (String() of them is never what was meant).
 * Stored as the text itself. Default: "".
 */

import { truncateUtf8 } from "../text/truncate-utf8";
import { sameText, type PersistentCodec, type PersistentInput } from "./persistent-codec";
import { maxBytesOption } from "./persistent-limits";
import { PersistentVariable, type PersistentOptions } from "./persistent-variable";

export type StringInput = string | number | boolean;

export interface PersistentStringOptions extends PersistentOptions<StringInput> {
  /** Longest value in UTF-8 bytes, 1..3963 (default 3963); longer values are truncated. */
  maxBytes?: number;
}

const TEXT_INPUT: PersistentInput = Object.freeze({ kind: "text" });

/** A string's codec: its limit in a field, its code the class's (no closure per variable). */
class TextCodec implements PersistentCodec<string> {
  readonly maxBytes: number;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  get type(): "string" {
    return "string";
  }

  get fallback(): string {
    return "";
  }

  get input(): PersistentInput {
    return TEXT_INPUT;
  }

  coerce(input: unknown): string {
    let text: string;
    if (typeof input === "string") text = input;
    else if (typeof input === "boolean" || (typeof input === "number" && Number.isFinite(input))) text = String(input);
    else throw new Error("expected a string, a finite number or a boolean");
    return truncateUtf8(text, this.maxBytes);
  }

  encode(value: string): string {
    return sameText(value);
  }

  decode(text: string): string {
    return sameText(text);
  }
}

export class PersistentString extends PersistentVariable<string, StringInput> {
  constructor(name: string, options: PersistentStringOptions = {}) {
    super(name, options, new TextCodec(maxBytesOption(name, options.maxBytes)));
  }

  /** Longest value in UTF-8 bytes (kept by the codec: a getter, not a second field). */
  get maxBytes(): number {
    return (this.codec as TextCodec).maxBytes;
  }
}
