/*
 * Stand-in of the SDK module "time" (modules/base/time/time.js and esp/modTime.c, SDK 8.2.3).
 *
 * Kept: Time.ticks is the millisecond tick count as a signed 32-bit integer (ESP32's
 * modMilliseconds() is a uint32 set into an XS integer), so it wraps from 2^31 - 1 to -2^31
 * after about 24.8 days. It reads the stand-in machine's clock plus `clock.ticksAtBoot`
 * (control.ts), so a test can boot the device just before the wrap. Time.delta(start, end)
 * is the unsigned 32-bit difference. Time.set(seconds) sets the wall clock; Time.timezone and
 * Time.dst are plain settable numbers.
 * Not kept: Time.set does not move Date here (XS's Date reads the host's clock in xsnap).
 */

import { machine } from "./machine";

export const clock = { ticksAtBoot: 0, wallSeconds: undefined as number | undefined };

export default class Time {
  static timezone = 0;
  static dst = 0;

  static get ticks(): number {
    machine.native("Time.ticks");
    return (clock.ticksAtBoot + machine.now) | 0;
  }

  static delta(start: number, end?: number): number {
    return ((end ?? Time.ticks) - start) >>> 0;
  }

  static set(seconds: number): void {
    clock.wallSeconds = seconds;
  }
}
