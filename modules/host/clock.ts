/*
 * Clock: monotonic time and one-shot/repeating timers (Moddable's Timer on the device).
 * now() is milliseconds from an arbitrary origin and never goes backwards; wall-clock time is
 * plain Date. A cleared or fired one-shot timer id is dead: clearing it again is harmless.
 */

export type TimerId = object | number;

export interface Clock {
  now(): number;
  set(callback: () => void, ms: number, repeat?: number): TimerId;
  clear(id: TimerId | undefined): void;
}
