/*
 * cutEverywhere: the power-cut check of the persistent-variable tests. It cuts power at every
 * step of one change (a write, a reset) in turn, "reboots" (a new instance over the same
 * storage), and asserts the variable reads its value from before the change or from after it,
 * and the value from after once the cut comes too late to matter; then that the storage is not
 * wedged (a write after the reboot works). Engine-neutral, so it runs on XS too.
 */

import { deepEqual, ok } from "./assert";
import { PowerCut, PowerCutStorage } from "./power-cut-storage";
import type { Storage } from "../../modules/host/storage";

export interface CutVariable {
  readonly value: unknown;
  write(input: unknown): boolean;
  reset(): boolean;
}

export type MakeVariable = (storage: Storage) => CutVariable;

function show(value: unknown): string {
  const text = typeof value === "number" && Object.is(value, -0) ? "-0" : JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === "number" || typeof b === "number") return Object.is(a, b);
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * For N = 0, 1, 2, ... : restore `history` (values written one after the other), cut after N
 * steps of `change`, reboot, and check the value is `before` or `after`; stop at the first N
 * at which change completes. Returns how many N were tried.
 */
export function cutEverywhere(make: MakeVariable, history: readonly unknown[], change: (v: CutVariable) => void): number {
  // The values before and after the change, without any cut.
  const clean = new PowerCutStorage();
  const probe = make(clean);
  for (const value of history) probe.write(value);
  const before = probe.value;
  change(probe);
  const after = probe.value;

  for (let n = 0; ; n++) {
    const storage = new PowerCutStorage();
    const v = make(storage);
    for (const value of history) v.write(value);
    storage.cutAfter(n);
    let cut = false;
    try {
      change(v);
    } catch (e) {
      if (!(e instanceof PowerCut)) throw e;
      cut = true;
    }
    storage.restore();
    const rebooted = make(storage).value;
    ok(sameValue(rebooted, before) || sameValue(rebooted, after),
      `cut after ${n} steps: read ${show(rebooted)}, expected ${show(before)} or ${show(after)}`);
    if (!cut) {
      ok(sameValue(rebooted, after), `no cut at ${n}: the new value must be read`);
      // The store is not wedged: the next write after the reboot works and reads back.
      const next = make(storage);
      next.write(history.length ? history[0] : after);
      deepEqual(make(storage).value, next.value, "a write after the reboot");
      return n + 1;
    }
  }
}
