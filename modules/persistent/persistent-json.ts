/*
 * PersistentJson: any JSON value (null, boolean, finite number, string, array, plain object,
 * nested up to 32 levels) whose JSON text is at most maxBytes UTF-8 bytes (default and most:
 * 3963). Refused, never silently changed: undefined, functions, symbols, bigints, NaN and
 * Infinity anywhere (JSON.stringify would drop them or write null), objects other than plain
 * ones (Date, Map, class instances), cycles, deeper nesting, and text over the limit.
 * The value is a deep copy made through JSON (so -0 becomes 0 and key order is kept), frozen:
 * assign a new value to change it. Stored as JSON text. Default: null.
 */

import { jsonCopy, type JsonValue } from "./json-copy";
import { decodeJson, type PersistentCodec } from "./persistent-codec";
import { maxBytesOption } from "./persistent-limits";
import { PersistentVariable, type PersistentOptions } from "./persistent-variable";

export type { JsonValue } from "./json-copy";


export interface PersistentJsonOptions extends PersistentOptions<JsonValue> {
  /** Longest JSON text in UTF-8 bytes, 1..3963 (default 3963); longer values are refused. */
  maxBytes?: number;
}

export class PersistentJson extends PersistentVariable<JsonValue, JsonValue> {
  readonly maxBytes: number;

  constructor(name: string, options: PersistentJsonOptions = {}) {
    const maxBytes = maxBytesOption(name, options.maxBytes);
    const codec: PersistentCodec<JsonValue> = {
      type: "json",
      fallback: null,
      input: Object.freeze({ kind: "json" }),
      coerce: (input: unknown) => jsonCopy(input, maxBytes).value,
      encode: (value: JsonValue) => JSON.stringify(value),
      decode: decodeJson,
    };
    super(name, options, codec);
    this.maxBytes = maxBytes;
  }
}
