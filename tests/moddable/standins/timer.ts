/*
 * Stand-in of the SDK module "timer" (modules/base/timer/timer.js, modTimer.c and the mc timer
 * list in modules/base/timer/mc/timer.c, SDK 8.2.3), on the stand-in machine's virtual clock.
 *
 * Kept from the SDK:
 * - Timer.set(callback, delay, repeat): first call after `delay` ms, then every `repeat` ms;
 *   repeat absent or 0 is a one-shot. Timer.repeat(callback, interval) is set(callback,
 *   interval, interval). Delays are ToInt32'd (xsmcToInteger): 1.5 is 1, NaN is 0, a negative
 *   delay is due at once (on the next pass, never inside the call).
 * - The callback gets the timer as its argument and no `this`.
 * - A fired one-shot is dead: clearing it again, or clearing anything that is not a live timer
 *   (undefined included), is ignored. Timer.schedule(id) unschedules; schedule(id, delay,
 *   repeat) reschedules; both need a live timer ("invalid" otherwise, like
 *   xsmcGetHostDataValidate).
 * - Due timers fire in the order they were set; one set during a pass waits for the next.
 * - Timer.delay(ms) blocks: the clock moves on and nothing fires meanwhile.
 * Not kept: timers of other tasks (MOD_TASKS), and the debugger's pauses.
 */

import { machine, type MachineTimer } from "./machine";

export type TimerCallback = (timer: Timer) => void;

const live = new WeakMap<object, MachineTimer>();

function toInt32(value: unknown): number {
  return Number(value) | 0;
}

function create(callback: TimerCallback, delay: number, repeat: number): Timer {
  machine.native("Timer.set");
  if (typeof callback !== "function") throw new TypeError("timer callback is not a function");
  const handle = Object.create(Timer.prototype) as Timer;
  const timer: MachineTimer = {
    handle,
    trigger: machine.now + delay,
    repeat,
    callback: (self) => {
      // A one-shot dies before its callback runs (the host data goes once it has fired).
      if (!repeat) live.delete(self);
      callback(self as Timer);
    },
    eligible: false,
    unscheduled: false,
  };
  live.set(handle, timer);
  machine.addTimer(timer);
  return handle;
}

function validate(id: unknown): MachineTimer {
  const timer = typeof id === "object" && id !== null ? live.get(id) : undefined;
  if (!timer) throw new Error("invalid");
  return timer;
}

export default class Timer {
  private constructor() {
    throw new TypeError("Timer is not a constructor");
  }

  static set(callback: TimerCallback, delay?: number, repeat?: number): Timer {
    return create(callback, delay === undefined ? 0 : toInt32(delay), repeat === undefined ? 0 : toInt32(repeat));
  }

  static repeat(callback: TimerCallback, interval: number): Timer {
    const ms = toInt32(interval);
    return create(callback, ms, ms);
  }

  static schedule(id: Timer, delay?: number, repeat?: number): void {
    const timer = validate(id);
    if (delay === undefined) {
      timer.unscheduled = true;
      timer.repeat = -1;
      return;
    }
    timer.trigger = machine.now + toInt32(delay);
    timer.repeat = repeat === undefined ? 0 : toInt32(repeat);
    timer.unscheduled = false;
    if (!machine.timers.includes(timer)) machine.addTimer(timer);
  }

  static clear(id: Timer | undefined): void {
    if (typeof id !== "object" || id === null) return;
    const timer = live.get(id);
    if (!timer) return;
    live.delete(id);
    timer.callback = undefined;
    machine.removeTimer(id);
  }

  static delay(ms: number): void {
    // Busy-waits on the device: time passes, nothing runs.
    machine.skip(Math.max(0, toInt32(ms)));
  }
}
