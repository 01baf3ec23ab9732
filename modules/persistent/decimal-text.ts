/*
 * Numbers as text, for the numeric persistent types. parseDecimal accepts only plain decimal
 * notation ("42", "-1.5", ".5", "1e-7", surrounding whitespace ignored): not "", "0x1f", "1_000",
 * "Infinity" or "NaN", which Number() would turn into something. decimalText writes the shortest
 * text that reads back as the same double (ECMAScript's Number::toString), and "-0" for negative
 * zero, which String() would lose: a float then reads back bit for bit although the device's
 * Preference stores no floats. finiteNumber is the input rule of float, and of range before it
 * clamps.
 */

/** Made where it is used: a preloaded regex corrupts XS 8.2.3's heap when it runs (tests/node/preload-lint.ts). */
const DECIMAL = (): RegExp => /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

/** The number a decimal text denotes (possibly ±Infinity when it overflows), or undefined. */
export function parseDecimal(text: string): number | undefined {
  const t = text.trim();
  return DECIMAL().test(t) ? Number(t) : undefined;
}

export function decimalText(n: number): string {
  return Object.is(n, -0) ? "-0" : String(n);
}

/** A finite number from a number or a decimal string, or throws saying what was expected. */
export function finiteNumber(input: unknown): number {
  const n = typeof input === "number" ? input : typeof input === "string" ? parseDecimal(input) : undefined;
  if (n === undefined || !Number.isFinite(n)) throw new Error("expected a finite number or a decimal string");
  return n;
}
