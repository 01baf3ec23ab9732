/*
 * DeviceClock: the framework's clock, iot.clock. The app and every feature read the time of
 * day here, never from Date, because only this clock knows whether the time is right:
 *
 *   if (iot.clock.valid) iot.data.set("gmt_time", iot.clock.iso());   // or simply iot.clock.iso(): null until valid
 *   const t = iot.clock.local();   // {year, month, day, hour, minute, ..., dst, abbreviation} in the timezone setting
 *   await iot.clock.whenValid();
 *
 * - now() is ms since 1970 (UTC) from the host's WallClock; meaningful once valid.
 * - valid is true once something trustworthy set the clock (SNTP, after its checks) or the host
 *   says its clock is already right at boot (the simulator over the computer's clock, an ESP32
 *   restarted in software after a sync). It never goes back to false while the app runs.
 * - set(ms, source) is what a time source calls: it sets the host's clock, records when and by
 *   how much, and reports it (the manager emits the "clock" event). Non-finite times and times
 *   before the firmware was built are refused with a RangeError.
 * - date() and iso() are null until valid, so an app never records a 1970 timestamp.
 * - local() turns the time (or any instant) into local time under the timezone (posix-tz.ts),
 *   which the time feature keeps in step with the timezone setting; UTC until then.
 */

import type { ClockEvent } from "../events";
import type { WallClock } from "../host/wall-clock";
import { NOT_BEFORE_MS } from "./build-date";
import { formatLocalTime, localTime, UTC_TZ, type LocalTime, type PosixTz } from "./posix-tz";

/** The core's own WallClock where the host has none: Date plus an offset the core sets. */
export class OffsetWallClock implements WallClock {
  #offset = 0;

  now(): number {
    return Date.now() + this.#offset;
  }

  set(ms: number): void {
    this.#offset = ms - Date.now();
  }
}

/** An instant as ISO 8601 UTC, or null for none. Module-level: an arrow made per status was garbage each time. */
function iso(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}

export interface ClockStatus {
  valid: boolean;
  /** "sntp", "host", "rtc", ... or null while the time is not valid. */
  source: string | null;
  /** The server or host the time came from, when the source says. */
  server: string | null;
  /** When the time became valid and when it was last set (ISO 8601, UTC). */
  validSince: string | null;
  lastSync: string | null;
  /** The last correction: how far off the clock was, in ms (positive: it was behind). */
  offsetMs: number | null;
  /** UTC now, and local time in the timezone, while valid. */
  utc: string | null;
  local: string | null;
  timezone: string;
}

export class DeviceClock {
  readonly #wall: WallClock;
  readonly #onSet: (event: ClockEvent) => void;
  #source: string | undefined;
  #server: string | undefined;
  #validSince: number | undefined;
  #lastSync: number | undefined;
  #offsetMs: number | undefined;
  #timezone: PosixTz = UTC_TZ;
  /** Who waits for a valid time (whenValid()); none held once it is valid. */
  #waiting: (() => void)[] | undefined;

  constructor(wall: WallClock, onSet: (event: ClockEvent) => void = () => undefined) {
    this.#wall = wall;
    this.#onSet = onSet;
    if (wall.source !== undefined && wall.now() >= NOT_BEFORE_MS) {
      this.#source = wall.source;
      this.#validSince = wall.now();
    }
  }

  now(): number {
    return this.#wall.now();
  }

  get valid(): boolean {
    return this.#validSince !== undefined;
  }

  get source(): string | undefined {
    return this.#source;
  }

  /** Wall-clock ms when the time became valid, and when it was last set. */
  get validSince(): number | undefined {
    return this.#validSince;
  }

  get lastSync(): number | undefined {
    return this.#lastSync;
  }

  get offsetMs(): number | undefined {
    return this.#offsetMs;
  }

  get timezone(): PosixTz {
    return this.#timezone;
  }

  set timezone(tz: PosixTz) {
    this.#timezone = tz;
  }

  /** The time now as a Date, or null until the time is valid. */
  date(): Date | null {
    return this.valid ? new Date(this.now()) : null;
  }

  /** "2026-12-01T10:00:03.000Z", or null until the time is valid. */
  iso(): string | null {
    return this.valid ? new Date(this.now()).toISOString() : null;
  }

  /** Local time of `ms` (now by default) in the timezone. */
  local(ms: number = this.now()): LocalTime {
    return localTime(ms, this.#timezone);
  }

  /** Resolves once the time is valid (at once when it is). */
  whenValid(): Promise<void> {
    if (this.valid) return Promise.resolve();
    return new Promise((resolve) => (this.#waiting ??= []).push(resolve));
  }

  /** Sets the clock to ms (UTC) as `source` (and `server`) said. */
  set(ms: number, source: string, server?: string): void {
    if (typeof ms !== "number" || !Number.isFinite(ms) || ms < NOT_BEFORE_MS)
      throw new RangeError(`the clock cannot be set to ${String(ms)}: not a time after this firmware was built`);
    const before = this.#wall.now();
    this.#wall.set(ms);
    this.#offsetMs = Math.round(ms - before);
    this.#source = source;
    this.#server = server;
    this.#lastSync = ms;
    this.#validSince ??= ms;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    for (const resolve of waiting ?? []) resolve();
    this.#onSet({ source, at: ms });
  }

  status(): ClockStatus {
    const valid = this.valid;
    const now = this.now();
    return {
      valid,
      source: this.#source ?? null,
      server: this.#server ?? null,
      validSince: iso(this.#validSince),
      lastSync: iso(this.#lastSync),
      offsetMs: this.#offsetMs ?? null,
      utc: valid ? new Date(now).toISOString() : null,
      local: valid ? formatLocalTime(localTime(now, this.#timezone)) : null,
      timezone: this.#timezone.text,
    };
  }
}
