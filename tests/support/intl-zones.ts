/*
 * Node's Intl as the reference for time zones: the UTC offset a zone has at an instant, and the
 * instants in a span where it changes. Node-only (XS has no Intl): tests/node/posix-tz-intl.test.ts
 * uses it directly and checks that tests/fixtures/tz-transitions.ts, which the core test reads on
 * XS, still says exactly what Intl says.
 */

const formats = new Map<string, Intl.DateTimeFormat>();

function format(zone: string): Intl.DateTimeFormat {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      weekday: "short",
    });
    formats.set(zone, f);
  }
  return f;
}

export interface IntlParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

export function intlParts(zone: string, ms: number): IntlParts {
  const parts: Record<string, string> = {};
  for (const p of format(zone).formatToParts(new Date(ms))) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS.indexOf(parts.weekday),
  };
}

/** Seconds east of UTC at ms (whole seconds: ms is truncated). */
export function intlOffset(zone: string, ms: number): number {
  const t = Math.floor(ms / 1000) * 1000;
  const p = intlParts(zone, t);
  return (Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - t) / 1000;
}

export interface Transition {
  /** The first ms of the new offset. */
  readonly at: number;
  readonly offset: number;
}

/** The offset at `from`, and every change of it up to `to`. */
export function intlTransitions(zone: string, from: number, to: number): { initial: number; transitions: Transition[] } {
  const initial = intlOffset(zone, from);
  const transitions: Transition[] = [];
  let last = initial;
  const step = 3600_000;
  for (let t = from + step; t <= to; t += step) {
    const offset = intlOffset(zone, t);
    if (offset === last) continue;
    let lo = t - step;
    let hi = t;
    while (hi - lo > 1000) {
      const mid = Math.floor((lo + hi) / 2000) * 1000;
      if (intlOffset(zone, mid) === last) lo = mid;
      else hi = mid;
    }
    transitions.push({ at: hi, offset });
    last = offset;
  }
  return { initial, transitions };
}
