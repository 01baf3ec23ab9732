/*
 * TimerClock: the device's Clock over Moddable's Timer and Time.ticks.
 *
 * - now() is milliseconds since the clock was made and never goes backwards. Time.ticks is a
 *   signed 32-bit millisecond count on ESP32 that wraps after about 24.8 days, so now() adds up
 *   tick differences taken modulo 2^32: it stays right as long as it is called at least once
 *   every 49 days (the manager calls it far more often).
 * - set() is Timer.set: the first call after `ms`, then every `repeat` ms when repeat is given
 *   and non-zero (Moddable treats repeat 0 as one-shot).
 * - clear() accepts undefined, a fired one-shot and an already cleared timer: Timer.clear
 *   ignores a timer whose native part is gone.
 */

import Time from "time";
import Timer from "timer";
import type { Clock, TimerId } from "../../modules/host/clock";

export class TimerClock implements Clock {
  #lastTicks = Time.ticks;
  #elapsed = 0;

  now(): number {
    const ticks = Time.ticks;
    // The unsigned 32-bit difference is right across the wrap from 2^31 - 1 to -2^31.
    this.#elapsed += (ticks - this.#lastTicks) >>> 0;
    this.#lastTicks = ticks;
    return this.#elapsed;
  }

  set(callback: () => void, ms: number, repeat?: number): TimerId {
    // The callback ignores the Timer argument Moddable passes, so it is handed over as it is.
    return Timer.set(callback, Math.max(0, ms), repeat);
  }

  clear(id: TimerId | undefined): void {
    if (typeof id === "object" && id !== null) Timer.clear(id as Timer);
  }
}
