/*
 * fast-check for core tests on every engine: import fc from here, not from "fast-check".
 *
 * fast-check is plain JavaScript and runs on XS, but it reads the global setTimeout once, when
 * it loads (it uses it only for its timeout options, which core tests do not use). XS has no
 * setTimeout, so reading it throws and the whole test file fails to load. This module gives
 * fast-check a stand-in that throws if it is ever called, and removes the stand-in again once
 * fast-check has loaded, so no other test sees a timer global that the device does not have.
 * The three imports run in this order because ES modules evaluate their imports in order.
 * scaledRuns() sizes run counts for the engine.
 *
 * Generated objects: use jsonValue, dictionary and anything from here, not fc's. fast-check
 * builds its objects by assignment (obj[key] = value), and where Object.prototype is frozen, as
 * preloading leaves it on the device (and in the XS run), assigning a key such as "valueOf" or
 * "constructor" to a plain object throws inside fast-check. These build objects by definition
 * (Object.fromEntries) instead, so those keys, the ones the device trips over, stay in the mix.
 */

import "./fast-check-timer-stand-in";
import fc from "fast-check";
import "./fast-check-timer-stand-in-removed";
import { scaled } from "./engine";

export default fc;

/**
 * How many runs a property gets: `runs` on Node; a tenth (at least 3) on other engines. XS is
 * an interpreter, about a hundred times slower here, and every core test shares one XS time
 * limit: there the properties still run, to show they hold on the device's engine, while Node
 * does the broad search.
 */
export function scaledRuns(runs: number): number {
  return scaled(runs);
}

/** fc.dictionary's objects, built by definition: keys named like Object.prototype members included. */
export function dictionary<T>(key: fc.Arbitrary<string>, value: fc.Arbitrary<T>, constraints: { minKeys?: number; maxKeys?: number } = {}): fc.Arbitrary<Record<string, T>> {
  return fc
    .uniqueArray(fc.tuple(key, value), { selector: ([k]) => k, minLength: constraints.minKeys, maxLength: constraints.maxKeys })
    .map((pairs) => Object.fromEntries(pairs) as Record<string, T>);
}

/** fc.jsonValue's values (null, booleans, finite numbers but -0, strings, arrays, objects), objects built by definition. */
export function jsonValue(constraints: { maxDepth?: number } = {}): fc.Arbitrary<unknown> {
  const { value } = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { maxDepth: constraints.maxDepth, depthIdentifier: "jsonValue" },
      fc.constant(null),
      fc.boolean(),
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (n === 0 ? 0 : n)), // JSON has no -0
      fc.string(),
      fc.array(tie("value")),
      dictionary(fc.string(), tie("value")),
    ),
  }));
  return value;
}

/**
 * fc.anything, with object keys that are no Object.prototype member (fc.anything assigns them:
 * see above). jsonValue() is what brings such keys.
 */
export function anything(): fc.Arbitrary<unknown> {
  return fc.anything({ key: fc.string().filter((k) => !(k in Object.prototype)) });
}
