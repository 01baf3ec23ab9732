/*
 * PowerCutStorage: a MemoryStorage that loses power after a given number of steps, the way the
 * device's Preference.set can: each write is three steps (erase the key, write half of the new
 * value, write all of it) and a remove is one. When the budget runs out the step is not taken,
 * the store is left as the cut left it, and PowerCut is thrown. A test then "reboots" by
 * reading the same store again and checks that every value is its old or its new state.
 */

import type { StoredValue } from "../../modules/host/storage";
import { checkStorageWrite } from "../../modules/storage/storage-rules";
import { MemoryStorage } from "./memory-storage";

export class PowerCut extends Error {
  constructor() {
    super("power cut");
  }
}
// On the prototype, as built-in errors have it: `this.name = ...` throws where preloading froze Error.prototype.
Object.defineProperty(PowerCut.prototype, "name", { value: "PowerCut", writable: true, configurable: true });

function torn(value: StoredValue): StoredValue {
  if (typeof value === "string") return value.slice(0, value.length >> 1);
  if (value instanceof ArrayBuffer) return value.slice(0, value.byteLength >> 1);
  return value;
}

export class PowerCutStorage extends MemoryStorage {
  /** Steps left before the cut; Infinity for none. */
  budget = Infinity;
  steps = 0;

  #step(): void {
    if (this.budget <= 0) throw new PowerCut();
    this.budget--;
    this.steps++;
  }

  cutAfter(steps: number): void {
    this.budget = steps;
    this.steps = 0;
  }

  restore(): void {
    this.budget = Infinity;
  }

  override write(domain: string, key: string, value: StoredValue): void {
    checkStorageWrite(domain, key, value);
    this.#step();
    super.remove(domain, key);
    this.#step();
    super.write(domain, key, torn(value));
    this.#step();
    super.write(domain, key, value);
  }

  override remove(domain: string, key: string): void {
    this.#step();
    super.remove(domain, key);
  }
}
