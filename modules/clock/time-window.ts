/*
 * Time windows of local time, "02:00-05:00", for work that should happen only at certain hours
 * (automatic updates at night). Several windows separated by commas; a window whose end is
 * before its start runs over midnight ("22:00-06:00"); "00:00-24:00" is the whole day.
 *
 * parseTimeWindows returns the windows or a sentence saying what is wrong (for a setting's
 * check); inTimeWindows(local, windows) tells whether a local time (posix-tz.ts) falls in one:
 * the start is inside, the end is not.
 */

import type { LocalTime } from "./posix-tz";

export interface TimeWindow {
  /** Minutes after local midnight, 0-1439. */
  readonly start: number;
  /** Minutes after local midnight, 1-1440; before start when the window runs over midnight. */
  readonly end: number;
}

function readClock(text: string, allow24: boolean): number | undefined {
  const parts = text.trim().split(":");
  if (parts.length !== 2 || parts[0].length < 1 || parts[0].length > 2 || parts[1].length !== 2) return undefined;
  for (const part of parts) for (const ch of part) if (ch < "0" || ch > "9") return undefined;
  const h = Number(parts[0]);
  const m = Number(parts[1]);
  if (m > 59 || h > 24 || (h === 24 && (m !== 0 || !allow24))) return undefined;
  return h * 60 + m;
}

/** The windows, or a sentence naming the one that cannot be read. */
export function parseTimeWindows(text: string): readonly TimeWindow[] | { error: string } {
  const out: TimeWindow[] = [];
  for (const item of text.split(",")) {
    const trimmed = item.trim();
    if (trimmed === "") continue;
    const dash = trimmed.indexOf("-");
    const start = dash < 0 ? undefined : readClock(trimmed.slice(0, dash), false);
    const end = dash < 0 ? undefined : readClock(trimmed.slice(dash + 1), true);
    if (start === undefined || end === undefined || start === end)
      return { error: `"${trimmed.slice(0, 20)}" is not a time window such as 02:00-05:00` };
    out.push(Object.freeze({ start, end }));
  }
  return Object.freeze(out);
}

export function inTimeWindow(local: Pick<LocalTime, "hour" | "minute">, window: TimeWindow): boolean {
  const at = local.hour * 60 + local.minute;
  return window.start < window.end ? at >= window.start && at < window.end : at >= window.start || at < window.end;
}

export function inTimeWindows(local: Pick<LocalTime, "hour" | "minute">, windows: readonly TimeWindow[]): boolean {
  for (const window of windows) if (inTimeWindow(local, window)) return true;
  return false;
}
