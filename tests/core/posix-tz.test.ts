/*
 * POSIX TZ strings: parsing (every form the standard has, and the mistakes a user makes), and
 * local time for two years of instants in eight zones, against what Node's Intl says
 * (tests/fixtures/tz-transitions.ts, checked against Intl itself by
 * tests/node/posix-tz-intl.test.ts). Runs on Node and on XS, which has no Intl.
 */

import { formatLocalTime, isoLocalTime, localTime, parsePosixTz, type PosixTz } from "../../modules/clock/posix-tz";
import { inTimeWindows, parseTimeWindows, type TimeWindow } from "../../modules/clock/time-window";
import { TZ_FIXTURES, TZ_FROM, TZ_TO } from "../fixtures/tz-transitions";
import * as assert from "../support/assert";

function tz(text: string): PosixTz {
  const parsed = parsePosixTz(text);
  if ("error" in parsed) throw new Error(`${text}: ${parsed.error}`);
  return parsed;
}

function expectedOffset(fixture: (typeof TZ_FIXTURES)[number], ms: number): number {
  let offset = fixture.initial;
  for (const t of fixture.transitions) if (t.at <= ms) offset = t.offset;
  return offset;
}

describe("POSIX TZ: parsing", () => {
  it("reads names, offsets west of Greenwich, daylight offsets and all three kinds of rule", () => {
    assert.equal(tz("UTC0").stdOffset, 0);
    assert.equal(tz("CET-1CEST,M3.5.0,M10.5.0/3").stdOffset, 3600);
    assert.equal(tz("CET-1CEST,M3.5.0,M10.5.0/3").dstOffset, 7200);
    assert.equal(tz("IST-5:30").stdOffset, 19800);
    assert.equal(tz("<-03>3").std, "-03");
    assert.equal(tz("<-03>3").stdOffset, -10800);
    assert.equal(tz("<+0545>-5:45").stdOffset, 20700);
    assert.equal(tz("EST+5EDT4,J60/2,J300/-1:30").end?.time, -5400);
    assert.equal(tz("XXX3YYY,0/0,365/25").start?.kind, "D");
    assert.equal(tz("EST5EDT,M3.2.0/-1,M11.1.0/167").end?.time, 167 * 3600);
    const defaulted = tz("EST5EDT");
    assert.equal(defaulted.start?.month, 3, "glibc's default rules");
    assert.equal(defaulted.dstOffset, -14400);
  });

  it("refuses malformed strings with a sentence that says where", () => {
    const bad = ["", "CET", "C1", "CET-1CEST,M3.5.0", "CET-1CEST,M13.5.0,M10.5.0", "CET-1CEST,M3.6.0,M10.5.0", "CET-1CEST,M3.5.7,M10.5.0",
      "CET-1CEST,J0,J365", "CET-1CEST,366,0", "CET-25", "CET-1:60", "<CET-1", "<C*T>-1", "CET-1CEST,M3.5.0,M10.5.0/3x", "CET-1CEST;M3.5.0,M10.5.0",
      "CET-1CEST,M3.5.0/168,M10.5.0", "Europe/Berlin", "x".repeat(65)];
    for (const text of bad) {
      const parsed = parsePosixTz(text);
      assert.ok("error" in parsed, `"${text}" is refused`);
      assert.ok(parsed.error.length > 10, parsed.error);
    }
    const where = parsePosixTz("CET-1CEST,M3.5.9,M10.5.0");
    assert.ok("error" in where && where.error.includes("position"), "names the position");
  });
});

describe("POSIX TZ: local time against Intl", () => {
  for (const fixture of TZ_FIXTURES) {
    it(`${fixture.zone} (${fixture.tz}): every 6 hours of 2026 and 2027, and each second around every change`, () => {
      const rule = tz(fixture.tz);
      const instants: number[] = [];
      for (let t = TZ_FROM; t < TZ_TO; t += 6 * 3600_000 + 1234) instants.push(t);
      for (const change of fixture.transitions) for (const d of [-3600_000, -1001, -1000, -1, 0, 1, 999, 1000, 3600_000]) instants.push(change.at + d);
      let checked = 0;
      for (const ms of instants) {
        const want = expectedOffset(fixture, ms);
        const got = localTime(ms, rule);
        if (got.offset !== want) throw new Error(`${new Date(ms).toISOString()}: offset ${got.offset}, Intl says ${want}`);
        assert.equal(got.dst, want !== rule.stdOffset, "dst flag");
        const shifted = new Date(ms + want * 1000);
        assert.equal(got.hour, shifted.getUTCHours());
        assert.equal(got.day, shifted.getUTCDate());
        checked++;
      }
      assert.ok(checked > 2900, `${checked} instants`);
      if (rule.dst) assert.equal(fixture.transitions.length, 4, "two changes a year");
    });
  }

  it("formats local time with the zone's abbreviation and offset", () => {
    const berlin = tz("CET-1CEST,M3.5.0,M10.5.0/3");
    const summer = localTime(Date.UTC(2026, 6, 1, 10, 0, 3), berlin);
    assert.equal(formatLocalTime(summer), "2026-07-01 12:00:03 CEST");
    assert.equal(isoLocalTime(summer), "2026-07-01T12:00:03+02:00");
    const kolkata = localTime(Date.UTC(2026, 0, 1, 0, 0, 0), tz("IST-5:30"));
    assert.equal(isoLocalTime(kolkata), "2026-01-01T05:30:00+05:30");
    assert.equal(localTime(Date.UTC(2026, 0, 1), tz("<-03>3")).abbreviation, "-03");
  });
});

describe("time windows", () => {
  function windows(text: string): readonly TimeWindow[] {
    const parsed = parseTimeWindows(text);
    if ("error" in parsed) throw new Error(parsed.error);
    return parsed;
  }
  const at = (hour: number, minute: number) => ({ hour, minute });

  it("tells whether a local time falls in a window: start inside, end outside, over midnight too", () => {
    const night = windows("02:00-05:00");
    assert.equal(inTimeWindows(at(1, 59), night), false);
    assert.equal(inTimeWindows(at(2, 0), night), true);
    assert.equal(inTimeWindows(at(4, 59), night), true);
    assert.equal(inTimeWindows(at(5, 0), night), false);
    const over = windows("22:00-06:00");
    assert.equal(inTimeWindows(at(23, 30), over), true);
    assert.equal(inTimeWindows(at(5, 59), over), true);
    assert.equal(inTimeWindows(at(12, 0), over), false);
    const two = windows("01:00-02:00, 13:00-14:30");
    assert.equal(inTimeWindows(at(14, 15), two), true);
    assert.equal(inTimeWindows(at(3, 0), two), false);
    assert.equal(inTimeWindows(at(23, 59), windows("00:00-24:00")), true);
  });

  it("works on the local time of a zone: 02:00-05:00 in Berlin is 00:00-03:00 UTC in summer", () => {
    const berlin = tz("CET-1CEST,M3.5.0,M10.5.0/3");
    const night = windows("02:00-05:00");
    assert.equal(inTimeWindows(localTime(Date.UTC(2026, 6, 1, 0, 30), berlin), night), true);
    assert.equal(inTimeWindows(localTime(Date.UTC(2026, 6, 1, 3, 30), berlin), night), false);
    assert.equal(inTimeWindows(localTime(Date.UTC(2026, 0, 1, 3, 30), berlin), night), true);
  });

  it("refuses what is not a window", () => {
    for (const bad of ["2-5", "02:00", "02:00-02:00", "25:00-01:00", "02:60-03:00", "24:00-01:00", "aa:bb-cc:dd", "02:00-05:00,x"])
      assert.ok("error" in (parseTimeWindows(bad) as object), bad);
  });
});
