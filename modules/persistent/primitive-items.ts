/*
 * primitiveItems: the canonical form of a set's or a list's items, shared by both types. It
 * takes an array or a Set (never a string, which would be a list of its characters), accepts
 * only strings, finite numbers, booleans and null as items, keeps first occurrences only when
 * asked for a set, and returns a frozen array whose JSON text fits in maxBytes.
 */

import { jsonCopy } from "./json-copy";
import { decodeJson, type PersistentCodec, type PersistentInput } from "./persistent-codec";

export type Primitive = string | number | boolean | null;

/** The items of an array or Set as a frozen array, first occurrences only when unique. */
export function primitiveItems(input: unknown, unique: boolean, maxBytes: number): readonly Primitive[] {
  let items: readonly unknown[];
  if (Array.isArray(input)) items = input;
  else if (input instanceof Set) items = Array.from(input as Set<unknown>);
  else throw new Error("expected an array (or a Set) of strings, numbers, booleans or null");
  const out: Primitive[] = [];
  const seen = unique ? new Set<Primitive>() : undefined;
  for (let i = 0; i < items.length; i++) {
    let item = items[i];
    if (typeof item === "number") {
      if (!Number.isFinite(item)) throw new Error(`item ${i} (${item}) is not a finite number`);
      item = item + 0; // -0 -> 0: JSON has no -0, and a Set already counts them as one
    } else if (item !== null && typeof item !== "string" && typeof item !== "boolean") {
      throw new Error(`item ${i} is not a string, number, boolean or null`);
    }
    const p = item as Primitive;
    if (seen) {
      if (seen.has(p)) continue;
      seen.add(p);
    }
    out.push(p);
  }
  return jsonCopy(out, maxBytes).value as readonly Primitive[];
}

const EMPTY: readonly Primitive[] = Object.freeze([]);

const JSON_INPUT: PersistentInput = Object.freeze({ kind: "json" });

/** A list's or a set's codec: its type and limit in fields, its code the class's (no closure per variable). */
class ItemsCodec implements PersistentCodec<readonly Primitive[]> {
  readonly type: "list" | "set";
  readonly #maxBytes: number;

  constructor(type: "list" | "set", maxBytes: number) {
    this.type = type;
    this.#maxBytes = maxBytes;
  }

  get fallback(): readonly Primitive[] {
    return EMPTY;
  }

  get input(): PersistentInput {
    return JSON_INPUT;
  }

  coerce(input: unknown): readonly Primitive[] {
    return primitiveItems(input, this.type === "set", this.#maxBytes);
  }

  encode(value: readonly Primitive[]): string {
    return JSON.stringify(value);
  }

  decode(text: string): unknown {
    return decodeJson(text);
  }
}

/** The codec of a list ("list") or of a set ("set": first occurrences only), stored as JSON text. */
export function primitiveItemsCodec(type: "list" | "set", maxBytes: number): PersistentCodec<readonly Primitive[]> {
  return new ItemsCodec(type, maxBytes);
}
