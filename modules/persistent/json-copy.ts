/*
 * jsonCopy: the canonical form of a JSON value, shared by the json, set and list types. It
 * checks that the value is JSON through and through (null, booleans, finite numbers, strings,
 * arrays, plain objects; at most 32 levels deep, which also stops cycles), refuses it rather
 * than let JSON.stringify drop or rewrite parts (undefined, functions, NaN, Date, ...), checks
 * the size of its text, and returns a deep-frozen copy made through that text (so what is held
 * in memory is exactly what a restart reads back) together with the text.
 */

import { utf8Length } from "../text/utf8";
import { PERSISTENT_LIMITS } from "./persistent-limits";

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

function checkJson(value: unknown, depth: number): void {
  if (value === null || typeof value === "boolean" || typeof value === "string") return;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`${value} is not a JSON number`);
    return;
  }
  if (typeof value !== "object") throw new Error(`${value === undefined ? "undefined" : `a ${typeof value}`} is not a JSON value`);
  if (depth >= PERSISTENT_LIMITS.maxJsonDepth) throw new Error(`nested deeper than ${PERSISTENT_LIMITS.maxJsonDepth} levels (or a cycle)`);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) checkJson(value[i], depth + 1);
    return;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw new Error("only plain objects are JSON objects");
  for (const key of Object.keys(value)) checkJson((value as Record<string, unknown>)[key], depth + 1);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object") {
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
    Object.freeze(value);
  }
  return value;
}

/** A JSON value's canonical, frozen copy and its text, or throws saying why not. */
export function jsonCopy(value: unknown, maxBytes: number): { value: JsonValue; text: string } {
  checkJson(value, 0);
  const text = JSON.stringify(value);
  const bytes = utf8Length(text);
  if (bytes > maxBytes) throw new Error(`${bytes} bytes of JSON; at most ${maxBytes}`);
  return { value: deepFreeze(JSON.parse(text) as JsonValue), text };
}
