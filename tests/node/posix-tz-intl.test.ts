/*
 * POSIX TZ against Node's Intl directly: every field of local time for every hour of 2026 in
 * each fixture zone, and the fixture the XS run reads (tests/fixtures/tz-transitions.ts) is still
 * exactly what Intl says (regenerate it from intlTransitions() when a zone's rules change).
 */

import assert from "node:assert/strict";
import { localTime, parsePosixTz, type PosixTz } from "../../modules/clock/posix-tz";
import { TZ_FIXTURES, TZ_FROM, TZ_TO } from "../fixtures/tz-transitions";
import { intlParts, intlTransitions } from "../support/intl-zones";

describe("POSIX TZ against Intl (Node)", () => {
  for (const fixture of TZ_FIXTURES) {
    it(`${fixture.zone}: the fixture is Intl's, and every field matches for each hour of 2026`, () => {
      assert.deepEqual(intlTransitions(fixture.zone, TZ_FROM, TZ_TO), { initial: fixture.initial, transitions: fixture.transitions });
      const rule = parsePosixTz(fixture.tz) as PosixTz;
      for (let ms = TZ_FROM; ms < Date.UTC(2027, 0, 1); ms += 3600_000 + 61_000) {
        const want = intlParts(fixture.zone, ms);
        const got = localTime(ms, rule);
        assert.deepEqual(
          { year: got.year, month: got.month, day: got.day, hour: got.hour, minute: got.minute, second: got.second, weekday: got.weekday },
          want,
          `${fixture.zone} at ${new Date(ms).toISOString()}`,
        );
      }
    });
  }
});
