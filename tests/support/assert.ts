/*
 * A small assert that runs on every engine the core runs on (Node and XS), so a core test file
 * can run unchanged under mocha and inside xsnap. Failures throw AssertionError with both values.
 */

export class AssertionError extends Error {}
// On the prototype, as built-in errors have it: `this.name = ...` throws where preloading froze Error.prototype.
Object.defineProperty(AssertionError.prototype, "name", { value: "AssertionError", writable: true, configurable: true });

function show(value: unknown): string {
  try {
    const text = JSON.stringify(value, (_k, v: unknown) => (v instanceof Map ? { Map: Array.from(v) } : v));
    return text === undefined ? String(value) : text.length > 300 ? text.slice(0, 300) + "…" : text;
  } catch {
    return String(value);
  }
}

export function ok(value: unknown, message?: string): asserts value {
  if (!value) throw new AssertionError(message ?? `expected a truthy value, got ${show(value)}`);
}

export function equal<T>(actual: T, expected: T, message?: string): void {
  if (!Object.is(actual, expected)) throw new AssertionError(`${message ? message + ": " : ""}expected ${show(expected)}, got ${show(actual)}`);
}

export function notEqual<T>(actual: T, expected: T, message?: string): void {
  if (Object.is(actual, expected)) throw new AssertionError(`${message ? message + ": " : ""}expected anything but ${show(expected)}`);
}

function same(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (a instanceof Uint8Array && b instanceof Uint8Array)
    return a.length === b.length && a.every((x, i) => x === b[i]);
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    // Key order matters: the framework promises ordered data.
    if (ka[i] !== kb[i]) return false;
    if (!same((a as Record<string, unknown>)[ka[i]], (b as Record<string, unknown>)[kb[i]])) return false;
  }
  return true;
}

/** Deep equality for JSON-like values, with key ORDER significant. */
export function deepEqual(actual: unknown, expected: unknown, message?: string): void {
  if (!same(actual, expected))
    throw new AssertionError(`${message ? message + ": " : ""}expected ${show(expected)}, got ${show(actual)}`);
}

export function match(text: string, pattern: RegExp, message?: string): void {
  if (!pattern.test(text)) throw new AssertionError(`${message ? message + ": " : ""}${show(text)} does not match ${pattern}`);
}

export function notMatch(text: string, pattern: RegExp, message?: string): void {
  if (pattern.test(text)) throw new AssertionError(`${message ? message + ": " : ""}${show(text)} matches ${pattern}`);
}

/** Expects fn to throw; pattern is matched against the error's message. Returns the error. */
export function throws(fn: () => unknown, pattern?: RegExp, message?: string): Error {
  try {
    fn();
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    if (pattern && !pattern.test(err.message))
      throw new AssertionError(`${message ? message + ": " : ""}error "${err.message}" does not match ${pattern}`);
    return err;
  }
  throw new AssertionError(`${message ? message + ": " : ""}expected an error${pattern ? " matching " + pattern : ""}`);
}

export async function rejects(promise: Promise<unknown>, pattern?: RegExp): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    if (pattern && !pattern.test(err.message)) throw new AssertionError(`error "${err.message}" does not match ${pattern}`);
    return err;
  }
  throw new AssertionError(`expected a rejection${pattern ? " matching " + pattern : ""}`);
}
