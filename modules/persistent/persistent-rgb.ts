/*
 * PersistentRgb: a colour, always "#rrggbb" in lower case (what <input type="color"> reads and
 * writes). Accepts "#rgb", "#rrggbb", "rgb(r, g, b)" (any case, any spaces), an array [r, g, b]
 * and an object {r, g, b} with no other keys, each channel an integer 0..255. Refuses channels
 * out of range or not integers (refused, not clamped), colour names, "#rgba", percentages and
 * anything else. Stored as "#rrggbb". Default: "#000000".
 */

import { sameText, type PersistentCodec } from "./persistent-codec";
import { PersistentVariable, type PersistentOptions } from "./persistent-variable";

export interface RgbChannels {
  readonly r: number;
  readonly g: number;
  readonly b: number;
}

export type RgbInput = string | readonly [number, number, number] | RgbChannels;

/** Made where it is used: a preloaded regex corrupts XS 8.2.3's heap when it runs (tests/node/preload-lint.ts). */
const HEX3 = (): RegExp => /^#([0-9a-f])([0-9a-f])([0-9a-f])$/;
const HEX6 = (): RegExp => /^#[0-9a-f]{6}$/;
const RGB_FUNCTION = (): RegExp => /^rgb\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*\)$/;
const SHAPES = "expected #rgb, #rrggbb, rgb(r, g, b), [r, g, b] or {r, g, b} with channels 0..255";

function channel(value: unknown): string {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 255)
    throw new Error(`channel ${typeof value === "number" ? value : typeof value} is not an integer 0..255; ${SHAPES}`);
  return value.toString(16).padStart(2, "0");
}

function fromChannels(r: unknown, g: unknown, b: unknown): string {
  return `#${channel(r)}${channel(g)}${channel(b)}`;
}

function coerceRgb(input: unknown): string {
  if (typeof input === "string") {
    const text = input.trim().toLowerCase();
    if (HEX6().test(text)) return text;
    let m = HEX3().exec(text);
    if (m) return `#${m[1]}${m[1]}${m[2]}${m[2]}${m[3]}${m[3]}`;
    m = RGB_FUNCTION().exec(text);
    if (m) return fromChannels(Number(m[1]), Number(m[2]), Number(m[3]));
  } else if (Array.isArray(input)) {
    if (input.length === 3) return fromChannels(input[0], input[1], input[2]);
  } else if (input !== null && typeof input === "object") {
    const keys = Object.keys(input);
    const o = input as Record<string, unknown>;
    if (keys.length === 3 && "r" in o && "g" in o && "b" in o && keys.every((k) => k === "r" || k === "g" || k === "b"))
      return fromChannels(o.r, o.g, o.b);
  }
  throw new Error(SHAPES);
}

const RGB_CODEC: PersistentCodec<string> = Object.freeze({
  type: "rgb",
  fallback: "#000000",
  input: Object.freeze({ kind: "color" }),
  coerce: coerceRgb,
  encode: sameText,
  decode: sameText,
} satisfies PersistentCodec<string>);

export class PersistentRgb extends PersistentVariable<string, RgbInput> {
  constructor(name: string, options: PersistentOptions<RgbInput> = {}) {
    super(name, options, RGB_CODEC);
  }

  /** The value as channels 0..255. */
  get channels(): RgbChannels {
    const v = this.value;
    return Object.freeze({ r: parseInt(v.slice(1, 3), 16), g: parseInt(v.slice(3, 5), 16), b: parseInt(v.slice(5, 7), 16) });
  }
}
