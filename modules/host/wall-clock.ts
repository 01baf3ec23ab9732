/*
 * WallClock: the host's calendar clock, ms since 1970 in UTC, and the way to set it. The core
 * reads the time of day only through the framework's clock (clock/device-clock.ts, iot.clock),
 * which sits on this.
 *
 * - now() is the host's idea of the time: near 1970 on an ESP32 that nobody has set since
 *   power-on. It may jump when set() is called; use Clock.now() to measure durations.
 * - set(ms) makes now() answer ms from this instant on (the device: Time.set, which keeps whole
 *   seconds, with the rest kept here; the simulator: an offset over the computer's clock).
 * - source, when present, says the time is already right at boot and why: "host" (the
 *   simulator over the computer's clock, which its OS keeps synchronised; the Moddable
 *   simulator) or "rtc" (an ESP32 whose clock was set before a software restart).
 */

export interface WallClock {
  now(): number;
  set(ms: number): void;
  readonly source?: string;
}
