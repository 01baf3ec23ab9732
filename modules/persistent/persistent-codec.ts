/*
 * PersistentCodec: what makes a persistent variable one of the ten types. The variable
 * (persistent-variable.ts) does naming, storage, atomic writes and errors; the codec only says
 * what a value of the type is:
 *   coerce   any input -> the type's one canonical form, or throws an Error whose message says
 *            why not (the variable wraps it in a PersistentValueError naming itself). It must be
 *            idempotent: coerce(coerce(x)) equals coerce(x).
 *   encode   canonical value -> the text that is stored; decode then coerce reads it back.
 *   input    how the settings page edits it, with the same limits as coerce.
 * The codecs of types without options are frozen constants (in flash on the device).
 */

export type PersistentType = "boolean" | "integer" | "float" | "string" | "json" | "set" | "list" | "range" | "rgb" | "hex";

/** How the settings page edits a variable: "json" is a textarea holding JSON text. */
export interface PersistentInput {
  readonly kind: "checkbox" | "number" | "text" | "color" | "json";
  readonly min?: number;
  readonly max?: number;
  /** A number, or "any" for a float. */
  readonly step?: number | "any";
  /** An HTML pattern for a text input. */
  readonly pattern?: string;
}

export interface PersistentCodec<T> {
  readonly type: PersistentType;
  /** The default of a variable created without one. */
  readonly fallback: T;
  readonly input: PersistentInput;
  coerce(input: unknown): T;
  encode(value: T): string;
  decode(text: string): unknown;
}

/** The decode of types stored as JSON text. */
export function decodeJson(text: string): unknown {
  return JSON.parse(text);
}

/** The decode (and encode) of types stored as the text itself. */
export function sameText(text: string): string {
  return text;
}
