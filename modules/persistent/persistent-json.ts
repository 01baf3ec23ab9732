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
import { decodeJson, type PersistentCodec, type PersistentInput } from "./persistent-codec";
import { maxBytesOption } from "./persistent-limits";
import { PersistentVariable, type PersistentOptions } from "./persistent-variable";

export type { JsonValue } from "./json-copy";


export interface PersistentJsonOptions extends PersistentOptions<JsonValue> {
  /** Longest JSON text in UTF-8 bytes, 1..3963 (default 3963); longer values are refused. */
  maxBytes?: number;
}

const JSON_INPUT: PersistentInput = Object.freeze({ kind: "json" });

/** A JSON variable's codec: its limit in a field, its code the class's (no closure per variable). */
class JsonCodec implements PersistentCodec<JsonValue> {
  readonly maxBytes: number;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  get type(): "json" {
    return "json";
  }

  get fallback(): JsonValue {
    return null;
  }

  get input(): PersistentInput {
    return JSON_INPUT;
  }

  coerce(input: unknown): JsonValue {
    return jsonCopy(input, this.maxBytes).value;
  }

  encode(value: JsonValue): string {
    return JSON.stringify(value);
  }

  decode(text: string): unknown {
    return decodeJson(text);
  }
}

export class PersistentJson extends PersistentVariable<JsonValue, JsonValue> {
  constructor(name: string, options: PersistentJsonOptions = {}) {
    super(name, options, new JsonCodec(maxBytesOption(name, options.maxBytes)));
  }

  /** Longest JSON text in UTF-8 bytes (kept by the codec: a getter, not a second field). */
  get maxBytes(): number {
    return (this.codec as JsonCodec).maxBytes;
  }
}
