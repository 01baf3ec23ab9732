/*
 * NodeWallClock: the simulator's calendar clock, keeping modules/host/wall-clock.ts.
 *
 * - With `--ntp-server host` (npm start's default) it is the computer's clock, which the
 *   computer's own NTP keeps right: source "host", valid from boot, SNTP not needed.
 * - Otherwise it starts where the device starts, at the computer's clock moved back to 1970
 *   (startMs), so a simulated device shows what a device nobody has set shows, until SNTP sets
 *   it; set() keeps an offset over the computer's clock. The computer's clock is never changed.
 */

import type { WallClock } from "../../modules/host/wall-clock";

export class NodeWallClock implements WallClock {
  readonly source: string | undefined;
  #offset: number;

  constructor(options: { trustHost: boolean; startMs?: number }) {
    this.source = options.trustHost ? "host" : undefined;
    this.#offset = options.trustHost ? 0 : (options.startMs ?? 0) - Date.now();
  }

  now(): number {
    return Date.now() + this.#offset;
  }

  set(ms: number): void {
    this.#offset = ms - Date.now();
  }
}
