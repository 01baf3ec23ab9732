/*
 * PersistentRange: a number between min and max (required), on a grid of step from min when
 * step is given. Accepts what PersistentFloat accepts, then clamps it into min..max (a slider
 * value out of range is moved to the nearest end, not refused) and rounds it to the nearest
 * step (a half step rounds up), taking the step below when that would pass max. The result is
 * rounded to the decimals of min and step so 0.1 steps give 0.3, not 0.30000000000000004.
 * NaN, Infinity and non-numeric input are refused, not clamped. -0 becomes 0. Stored as
 * decimal text. Default: min.
 */

import { decimalText, finiteNumber } from "./decimal-text";
import { decodeJson, type PersistentCodec, type PersistentInput } from "./persistent-codec";
import type { FloatInput } from "./persistent-float";
import { PersistentVariable, type PersistentOptions } from "./persistent-variable";

export interface PersistentRangeOptions extends PersistentOptions<FloatInput> {
  min: number;
  max: number;
  /** Grid from min; positive. None: any number in min..max. */
  step?: number;
}

/** Digits after the point in the shortest text of n (5e-7 -> 7, 0.25 -> 2, 100 -> 0). */
function decimalsOf(n: number): number {
  const m = /^-?\d+(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(n));
  if (!m) return 0;
  return Math.max(0, (m[1] ? m[1].length : 0) - (m[2] ? Number(m[2]) : 0));
}

/** Rounding to more decimals than this would not make a double any closer to a decimal. */
const MAX_DECIMALS = 20;

/** A range's codec: its limits in fields, its code the class's (no closure per variable). */
class RangeCodec implements PersistentCodec<number> {
  readonly min: number;
  readonly max: number;
  readonly step: number | undefined;
  readonly #decimals: number;

  constructor(min: number, max: number, step: number | undefined) {
    this.min = min;
    this.max = max;
    this.step = step;
    this.#decimals = step === undefined ? 0 : Math.max(decimalsOf(step), decimalsOf(min));
  }

  /** min on the grid: computed when asked (a variable asks once, for its default), not a field. */
  get fallback(): number {
    return this.coerce(this.min);
  }

  get type(): "range" {
    return "range";
  }

  get input(): PersistentInput {
    return Object.freeze({ kind: "number", min: this.min, max: this.max, step: this.step ?? "any" });
  }

  private onGrid(k: number): number {
    const x = this.min + k * (this.step as number);
    return this.#decimals <= MAX_DECIMALS ? Number(x.toFixed(this.#decimals)) : x;
  }

  coerce(input: unknown): number {
    const min = this.min;
    const max = this.max;
    const step = this.step;
    let n = Math.min(max, Math.max(min, finiteNumber(input)));
    if (step !== undefined) {
      // Half a step rounds up, also when the division lands a hair below it (0.15 / 0.1 is
      // 1.4999999999999998): the nudge is far below any step but far above that error.
      let k = Math.floor((n - min) / step + 0.5 + 1e-9);
      n = this.onGrid(k);
      // Rounding up can pass max by one step (two with rounding error); beyond that the
      // doubles are too coarse for the step, and max itself is the nearest value in range.
      for (let tries = 0; n > max && tries < 2; tries++) n = this.onGrid(--k);
      if (n > max) n = max;
    }
    return n + 0; // -0 -> 0
  }

  encode(value: number): string {
    return decimalText(value);
  }

  decode(text: string): unknown {
    return decodeJson(text);
  }
}

// min, max and step are the codec's (getters): held once per variable, not twice.
export class PersistentRange extends PersistentVariable<number, FloatInput> {
  constructor(name: string, options: PersistentRangeOptions) {
    const { min, max, step } = options;
    if (typeof min !== "number" || typeof max !== "number" || !Number.isFinite(min) || !Number.isFinite(max) || min > max)
      throw new RangeError(`persistent variable ${name}: min and max must be finite numbers with min <= max`);
    if (step !== undefined && (typeof step !== "number" || !Number.isFinite(step) || step <= 0))
      throw new RangeError(`persistent variable ${name}: step must be a finite number > 0`);
    super(name, options, new RangeCodec(min, max, step));
  }

  get min(): number {
    return (this.codec as RangeCodec).min;
  }

  get max(): number {
    return (this.codec as RangeCodec).max;
  }

  get step(): number | undefined {
    return (this.codec as RangeCodec).step;
  }
}
