/*
 * VirtualWallClock: a WallClock that moves with a VirtualClock, starting where a test says (an
 * ESP32 at power-on reads 1970), set() as the device's Time.set would. Engine-neutral.
 */

import type { WallClock } from "../../modules/host/wall-clock";
import type { VirtualClock } from "./virtual-clock";

export class VirtualWallClock implements WallClock {
  readonly #clock: VirtualClock;
  #base: number;
  readonly source: string | undefined;
  /** Every time set() was called with. */
  readonly sets: number[] = [];

  constructor(clock: VirtualClock, startMs = 0, source?: string) {
    this.#clock = clock;
    this.#base = startMs - clock.now();
    this.source = source;
  }

  now(): number {
    return this.#base + this.#clock.now();
  }

  set(ms: number): void {
    this.sets.push(ms);
    this.#base = ms - this.#clock.now();
  }
}
