/*
 * POSIX TZ strings (IEEE 1003.1 section 8.3, with RFC 8536's extension of transition times to
 * -167..167 hours) and the local time they give a UTC instant, daylight saving rules included.
 * What the timezone setting holds, what the page and time windows (time-window.ts) use.
 *
 *   UTC0                          no daylight saving
 *   CET-1CEST,M3.5.0,M10.5.0/3    Europe/Berlin: +1, +2 from the last Sunday of March 02:00 to
 *                                 the last Sunday of October 03:00
 *   EST5EDT,M3.2.0,M11.1.0        America/New_York
 *   AEST-10AEDT,M10.1.0,M4.1.0/3  Australia/Sydney: daylight saving across the new year
 *   IST-5:30   <-03>3             Asia/Kolkata, America/Sao_Paulo (a quoted name)
 *
 * - The offset counts west of Greenwich, as POSIX has it: "CET-1" is UTC+1. The daylight
 *   offset defaults to one hour less than the standard one, and a daylight name without rules
 *   takes glibc's default, M3.2.0,M11.1.0. Rules are Mm.w.d (week 5 is the last), Jn (1-365,
 *   February 29 never counted) or n (0-365); a rule's time defaults to 02:00:00 and is local
 *   time in force before the change.
 * - parsePosixTz returns the rule or a sentence saying what is wrong and where; it never
 *   throws. localTime() is exact to the millisecond for any instant Date can hold.
 * Plain ECMAScript (Date.UTC and getUTC*), so it runs the same on XS and Node.
 */

export interface TzRule {
  /** "M" (month.week.day), "J" (1-365, no leap day) or "D" (0-365). */
  readonly kind: "M" | "J" | "D";
  readonly month: number;
  readonly week: number;
  readonly day: number;
  /** Seconds after local midnight (may be negative or past 24 h). */
  readonly time: number;
}

export interface PosixTz {
  /** The text it was read from. */
  readonly text: string;
  readonly std: string;
  /** Seconds to add to UTC for standard time (east positive: +3600 for CET). */
  readonly stdOffset: number;
  readonly dst?: string;
  readonly dstOffset?: number;
  readonly start?: TzRule;
  readonly end?: TzRule;
}

export interface LocalTime {
  readonly year: number;
  /** 1-12. */
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
  /** 0 is Sunday. */
  readonly weekday: number;
  readonly dst: boolean;
  /** Seconds added to UTC (east positive). */
  readonly offset: number;
  readonly abbreviation: string;
}

const DAY = 86_400;
const DEFAULT_START: TzRule = Object.freeze({ kind: "M", month: 3, week: 2, day: 0, time: 7200 });
const DEFAULT_END: TzRule = Object.freeze({ kind: "M", month: 11, week: 1, day: 0, time: 7200 });

export const UTC_TZ: PosixTz = Object.freeze({ text: "UTC0", std: "UTC", stdOffset: 0 });

const MONTH_DAYS: readonly number[] = Object.freeze([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]);

class Reader {
  i = 0;
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  peek(): string {
    return this.text[this.i] ?? "";
  }
  done(): boolean {
    return this.i >= this.text.length;
  }
  fail(what: string): string {
    return `${what} at position ${this.i + 1} of "${this.text}"`;
  }
}

function isDigit(ch: string): boolean {
  return ch >= "0" && ch <= "9";
}

function isLetter(ch: string): boolean {
  return (ch >= "A" && ch <= "Z") || (ch >= "a" && ch <= "z");
}

function readName(r: Reader): string | { error: string } {
  if (r.peek() === "<") {
    const start = ++r.i;
    while (!r.done() && r.peek() !== ">") {
      const ch = r.peek();
      if (!isLetter(ch) && !isDigit(ch) && ch !== "+" && ch !== "-") return { error: r.fail("a zone name in <> holds only letters, digits, + and -") };
      r.i++;
    }
    if (r.done()) return { error: r.fail("a zone name opened with < is never closed with >") };
    const name = r.text.slice(start, r.i++);
    if (name.length < 3) return { error: r.fail("a zone name has at least 3 characters") };
    return name;
  }
  const start = r.i;
  while (isLetter(r.peek())) r.i++;
  if (r.i - start < 3) return { error: r.fail("a zone name of at least 3 letters (or one in <>) is expected") };
  return r.text.slice(start, r.i);
}

function readNumber(r: Reader, maxDigits: number): number | undefined {
  const start = r.i;
  while (isDigit(r.peek()) && r.i - start < maxDigits) r.i++;
  if (r.i === start) return undefined;
  return Number(r.text.slice(start, r.i));
}

/** [+-]hh[:mm[:ss]] as seconds; hours up to maxHours. */
function readDuration(r: Reader, maxHours: number, what: string): number | { error: string } {
  let sign = 1;
  if (r.peek() === "+" || r.peek() === "-") {
    if (r.peek() === "-") sign = -1;
    r.i++;
  }
  const hours = readNumber(r, 3);
  if (hours === undefined || hours > maxHours) return { error: r.fail(`${what}: hours from 0 to ${maxHours} are expected`) };
  let seconds = hours * 3600;
  for (const unit of [60, 1]) {
    if (r.peek() !== ":") break;
    r.i++;
    const n = readNumber(r, 2);
    if (n === undefined || n > 59) return { error: r.fail(`${what}: minutes and seconds are two digits from 00 to 59`) };
    seconds += n * unit;
  }
  return sign * seconds;
}

function readRule(r: Reader): TzRule | { error: string } {
  let kind: TzRule["kind"];
  let month = 0;
  let week = 0;
  let day = 0;
  if (r.peek() === "M") {
    r.i++;
    kind = "M";
    const m = readNumber(r, 2);
    if (m === undefined || m < 1 || m > 12 || r.peek() !== ".") return { error: r.fail("a rule Mm.w.d needs a month from 1 to 12") };
    r.i++;
    const w = readNumber(r, 1);
    if (w === undefined || w < 1 || w > 5 || r.peek() !== ".") return { error: r.fail("a rule Mm.w.d needs a week from 1 to 5") };
    r.i++;
    const d = readNumber(r, 1);
    if (d === undefined || d > 6) return { error: r.fail("a rule Mm.w.d needs a weekday from 0 (Sunday) to 6") };
    month = m;
    week = w;
    day = d;
  } else if (r.peek() === "J") {
    r.i++;
    kind = "J";
    const n = readNumber(r, 3);
    if (n === undefined || n < 1 || n > 365) return { error: r.fail("a rule Jn needs a day from 1 to 365") };
    day = n;
  } else {
    kind = "D";
    const n = readNumber(r, 3);
    if (n === undefined || n > 365) return { error: r.fail("a rule is Mm.w.d, Jn or a day from 0 to 365") };
    day = n;
  }
  let time = 7200;
  if (r.peek() === "/") {
    r.i++;
    const t = readDuration(r, 167, "a rule's time");
    if (typeof t !== "number") return t;
    time = t;
  }
  return Object.freeze({ kind, month, week, day, time });
}

/** The TZ string read, or a sentence saying what is wrong with it. */
export function parsePosixTz(text: string): PosixTz | { error: string } {
  if (typeof text !== "string" || text.length === 0) return { error: "a time zone such as UTC0 or CET-1CEST,M3.5.0,M10.5.0/3 is expected" };
  if (text.length > 64) return { error: "a time zone is at most 64 characters" };
  const r = new Reader(text);
  const std = readName(r);
  if (typeof std !== "string") return std;
  const stdWest = readDuration(r, 24, "the standard offset");
  if (typeof stdWest !== "number") return stdWest;
  if (r.done()) return Object.freeze({ text, std, stdOffset: 0 - stdWest });
  const dst = readName(r);
  if (typeof dst !== "string") return dst;
  let dstWest = stdWest - 3600;
  if (!r.done() && r.peek() !== ",") {
    const d = readDuration(r, 24, "the daylight offset");
    if (typeof d !== "number") return d;
    dstWest = d;
  }
  let start = DEFAULT_START;
  let end = DEFAULT_END;
  if (!r.done()) {
    if (r.peek() !== ",") return { error: r.fail("a comma before the daylight saving rules is expected") };
    r.i++;
    const s = readRule(r);
    if ("error" in s) return s;
    if (r.peek() !== ",") return { error: r.fail("two rules, separated by a comma, are expected") };
    r.i++;
    const e = readRule(r);
    if ("error" in e) return e;
    if (!r.done()) return { error: r.fail("nothing is expected after the second rule") };
    start = s;
    end = e;
  }
  return Object.freeze({ text, std, stdOffset: 0 - stdWest, dst, dstOffset: 0 - dstWest, start, end });
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function monthDays(year: number, month: number): number {
  return month === 2 && isLeap(year) ? 29 : MONTH_DAYS[month - 1];
}

/** Seconds from 1970 to local midnight of the rule's day in `year`, plus the rule's time. */
function ruleLocalSeconds(rule: TzRule, year: number): number {
  const jan1 = Date.UTC(year, 0, 1) / 1000;
  let dayOfYear: number;
  if (rule.kind === "J") dayOfYear = rule.day - 1 + (isLeap(year) && rule.day >= 60 ? 1 : 0);
  else if (rule.kind === "D") dayOfYear = rule.day;
  else {
    const first = Date.UTC(year, rule.month - 1, 1) / 1000;
    const firstWeekday = new Date(first * 1000).getUTCDay();
    let date = 1 + ((rule.day - firstWeekday + 7) % 7) + 7 * (rule.week - 1);
    while (date > monthDays(year, rule.month)) date -= 7;
    return first + (date - 1) * DAY + rule.time;
  }
  return jan1 + dayOfYear * DAY + rule.time;
}

/** True when daylight saving time is in force at `utcSeconds`. */
function inDst(tz: PosixTz, utcSeconds: number): boolean {
  if (tz.dst === undefined || !tz.start || !tz.end || tz.dstOffset === undefined) return false;
  const year = new Date((utcSeconds + tz.stdOffset) * 1000).getUTCFullYear();
  // The start is given in standard time, the end in daylight time (the time in force before each).
  const start = ruleLocalSeconds(tz.start, year) - tz.stdOffset;
  const end = ruleLocalSeconds(tz.end, year) - tz.dstOffset;
  return start < end ? utcSeconds >= start && utcSeconds < end : !(utcSeconds >= end && utcSeconds < start);
}

/** The local time of a UTC instant (ms since 1970) under tz. */
export function localTime(utcMs: number, tz: PosixTz = UTC_TZ): LocalTime {
  const dst = inDst(tz, Math.floor(utcMs / 1000));
  const offset = dst ? (tz.dstOffset as number) : tz.stdOffset;
  const d = new Date(utcMs + offset * 1000);
  return Object.freeze({
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millisecond: d.getUTCMilliseconds(),
    weekday: d.getUTCDay(),
    dst,
    offset,
    abbreviation: dst ? (tz.dst as string) : tz.std,
  });
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** "+01:00", "-03:00", "+05:30". */
export function formatOffset(seconds: number): string {
  const sign = seconds < 0 ? "-" : "+";
  const abs = Math.abs(seconds);
  return `${sign}${two(Math.floor(abs / 3600))}:${two(Math.floor(abs / 60) % 60)}`;
}

/** "2026-12-01 11:15:03 CET" (ISO 8601 date and time, then the zone's abbreviation). */
export function formatLocalTime(t: LocalTime): string {
  return `${t.year}-${two(t.month)}-${two(t.day)} ${two(t.hour)}:${two(t.minute)}:${two(t.second)} ${t.abbreviation}`;
}

/** "2026-12-01T11:15:03+01:00": the local time with its offset, as ISO 8601 has it. */
export function isoLocalTime(t: LocalTime): string {
  return `${t.year}-${two(t.month)}-${two(t.day)}T${two(t.hour)}:${two(t.minute)}:${two(t.second)}${formatOffset(t.offset)}`;
}
