/*
 * Which engine a core test runs on, and how much work to ask of it. XS is an interpreter, about
 * a hundred times slower here than Node's JIT, and every core test shares one XS run: on XS the
 * broad searches shrink (they still run, to show the code holds on the device's engine) while
 * Node does the full search.
 */

export const onNode = typeof (globalThis as { process?: { versions?: { node?: unknown } } }).process?.versions?.node === "string";

/** n on Node; a tenth (at least `least`) elsewhere. */
export function scaled(n: number, least = 3): number {
  return onNode ? n : Math.max(least, Math.round(n / 10));
}
