/*
 * Automatic updates from GitHub (modules/ota/github/auto-update.ts) under a virtual clock: the
 * install window is local time in the timezone setting, so across a DST change it moves in UTC,
 * is skipped on the night the clocks spring over it, and comes twice on the night they fall
 * back; checks are spread at random around the period; every rule of the decision (mode, clock,
 * busy, window, idle) is said in words. Runs on Node and on XS.
 */

import { DeviceClock } from "../../modules/clock/device-clock";
import { parsePosixTz, type PosixTz } from "../../modules/clock/posix-tz";
import { parseTimeWindows, type TimeWindow } from "../../modules/clock/time-window";
import { Logger } from "../../modules/log/logger";
import { AutoUpdate, decide, type AutoUpdateHooks } from "../../modules/ota/github/auto-update";
import type { AvailableRelease, CheckReport } from "../../modules/ota/github/github-check";
import type { AutoMode } from "../../modules/ota/github/github-settings";
import * as assert from "../support/assert";
import { VirtualClock } from "../support/virtual-clock";
import { VirtualWallClock } from "../support/virtual-wall-clock";

const BERLIN = "CET-1CEST,M3.5.0,M10.5.0/3";
const MINUTE = 60_000;
const HOUR = 3_600_000;

const RELEASE: AvailableRelease = Object.freeze({
  version: "2.0.0", tag: "v2.0.0", asset: "firmware.bin", size: 1000, notes: "", prerelease: false, url: "https://x/y", viaApi: false, older: false,
});

function tz(text: string): PosixTz {
  const parsed = parsePosixTz(text);
  if ("error" in parsed) throw new Error(parsed.error);
  return parsed;
}

function windows(text: string): readonly TimeWindow[] {
  const parsed = parseTimeWindows(text);
  if ("error" in parsed) throw new Error(parsed.error);
  return parsed;
}

interface Rig {
  clock: VirtualClock;
  wall: VirtualWallClock;
  device: DeviceClock;
  auto: AutoUpdate;
  installs: number[];
  checks: number[];
  lines: string[];
  state: { mode: AutoMode; busy: string | undefined; lastRequestAt: number; available: AvailableRelease | undefined; window: string; random: number };
}

function rig(startIso: string, window: string, options: { mode?: AutoMode; random?: number } = {}): Rig {
  const clock = new VirtualClock();
  const wall = new VirtualWallClock(clock, Date.parse(startIso), "host");
  const device = new DeviceClock(wall);
  device.timezone = tz(BERLIN);
  const lines: string[] = [];
  const installs: number[] = [];
  const checks: number[] = [];
  const state = { mode: options.mode ?? "install", busy: undefined as string | undefined, lastRequestAt: -Infinity, available: undefined as AvailableRelease | undefined, window, random: options.random ?? 0.5 };
  const hooks: AutoUpdateHooks = {
    mode: () => state.mode,
    checkHours: () => 6,
    windows: () => windows(state.window),
    windowText: () => state.window,
    clockValid: () => device.valid,
    localNow: () => device.local(),
    idleForMs: () => clock.now() - state.lastRequestAt,
    busy: () => state.busy,
    cannotCheck: () => undefined,
    check: (done: (r: CheckReport) => void) => {
      checks.push(wall.now());
      // Once installed, the device runs 2.0.0: GitHub has nothing newer for it.
      if (installs.length > 0) {
        done({ kind: "upToDate", release: { ...RELEASE, older: true } });
        return true;
      }
      state.available = RELEASE;
      done({ kind: "available", release: RELEASE });
      return true;
    },
    available: () => state.available,
    install: () => {
      installs.push(wall.now());
      state.available = undefined;
      return undefined;
    },
    random: () => state.random,
  };
  const log = new Logger({ write: (_level: string, line: string) => void lines.push(line) } as never, true);
  const auto = new AutoUpdate({ clock, log, hooks, idleMs: 5 * MINUTE });
  return { clock, wall, device, auto, installs, checks, lines, state };
}

function iso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16);
}

describe("github: automatic updates in a local-time window", () => {
  it("installs inside 02:00-05:00 Berlin time, and no sooner", () => {
    const r = rig("2027-06-10T12:00:00Z", "02:00-05:00");
    r.auto.start();
    r.clock.run(40 * MINUTE);
    assert.equal(r.checks.length, 1, "the first check comes within 31 minutes of the start");
    assert.equal(r.installs.length, 0, "12:40 CEST is outside the window");
    r.clock.run(14 * HOUR);
    assert.deepEqual(r.installs.map(iso), ["2027-06-11T00:00"], "02:00 CEST is 00:00 UTC");
    assert.ok(r.lines.some((l) => l.includes("2.0.0 waits for the window 02:00-05:00 (CEST)")), r.lines.join("\n"));
    assert.ok(r.lines.some((l) => l.includes("installing 2.0.0 (v2.0.0) at 02:00 CEST")), r.lines.join("\n"));
    r.auto.stop();
  });

  it("skips the window the clocks spring over (02:00-03:00 on 28 March 2027) and installs the next night", () => {
    const r = rig("2027-03-27T12:00:00Z", "02:00-03:00");
    r.auto.start();
    r.clock.run(26 * HOUR);
    assert.deepEqual(r.installs, [], "on 28 March local time goes from 01:59 CET to 03:00 CEST");
    r.clock.run(24 * HOUR);
    assert.deepEqual(r.installs.map(iso), ["2027-03-29T00:00"], "02:00 CEST on 29 March");
    r.auto.stop();
  });

  it("has the window twice on the night the clocks fall back (31 October 2027): the first one, or the second when the first is busy", () => {
    const first = rig("2027-10-30T12:00:00Z", "02:00-03:00");
    first.auto.start();
    first.clock.run(20 * HOUR);
    assert.deepEqual(first.installs.map(iso), ["2027-10-31T00:00"], "02:00 CEST is 00:00 UTC");
    first.auto.stop();

    const second = rig("2027-10-30T12:00:00Z", "02:30-02:45");
    second.state.busy = "the running app is on probation for 600 s more";
    second.auto.start();
    second.clock.run(12 * HOUR + 45 * MINUTE); // 00:45 UTC: 02:45 CEST, the first window is over
    assert.deepEqual(second.installs, []);
    assert.ok(second.lines.some((l) => l.includes("waits: the running app is on probation")), second.lines.join("\n"));
    second.state.busy = undefined;
    second.clock.run(2 * HOUR);
    assert.deepEqual(second.installs.map(iso), ["2027-10-31T01:30"], "02:30 CET, the hour that comes again");
    second.auto.stop();
  });

  it("waits for quiet: no install while requests keep coming", () => {
    const r = rig("2027-06-10T23:50:00Z", "02:00-05:00");
    r.auto.start();
    const busyUntil = Date.parse("2027-06-11T01:00:00Z");
    let lastRequest = 0;
    while (r.wall.now() < busyUntil) {
      r.state.lastRequestAt = r.clock.now();
      lastRequest = r.wall.now();
      r.clock.run(MINUTE);
    }
    assert.deepEqual(r.installs, [], "a request every minute inside the window");
    r.clock.run(7 * MINUTE);
    assert.equal(r.installs.length, 1);
    const quiet = r.installs[0] - lastRequest;
    assert.ok(quiet >= 5 * MINUTE && quiet <= 6 * MINUTE, `installed ${iso(r.installs[0])}: five quiet minutes after the last request at ${iso(lastRequest)}`);
    r.auto.stop();
  });

  it("notify checks and shows, and never installs; off does nothing", () => {
    const notify = rig("2027-06-10T23:30:00Z", "00:00-24:00", { mode: "notify" });
    notify.auto.start();
    notify.clock.run(2 * 24 * HOUR);
    assert.ok(notify.checks.length >= 7, `${notify.checks.length} checks in two days`);
    assert.deepEqual(notify.installs, []);
    assert.ok(notify.lines.some((l) => l.includes("2.0.0 is available (ota_auto is notify")), notify.lines.join("\n"));
    notify.auto.stop();
    const off = rig("2027-06-10T23:30:00Z", "00:00-24:00", { mode: "off" });
    off.auto.start();
    off.clock.run(2 * 24 * HOUR);
    assert.deepEqual([off.checks.length, off.installs.length], [0, 0]);
    assert.equal(off.auto.nextCheckInMs, undefined);
    off.auto.stop();
  });

  it("spreads the checks: the first 1 to 31 minutes after the start, then every 6 h give or take a tenth", () => {
    for (const random of [0, 0.5, 0.999]) {
      const r = rig("2027-06-10T12:00:00Z", "02:00-05:00", { mode: "notify", random });
      const start = r.wall.now();
      r.auto.start();
      r.clock.run(13 * HOUR);
      const offsets = r.checks.map((t) => t - start);
      assert.ok(offsets[0] >= MINUTE && offsets[0] <= 31 * MINUTE, `first after ${offsets[0] / MINUTE} min`);
      const gap = offsets[1] - offsets[0];
      assert.ok(gap >= 5.4 * HOUR && gap <= 6.6 * HOUR, `then ${gap / HOUR} h`);
      r.auto.stop();
    }
  });

  it("decides in words: off, nothing, notify, clock, busy, window, idle, install", () => {
    const local = { year: 2026, month: 6, day: 11, hour: 3, minute: 15, second: 0, millisecond: 0, weekday: 4, dst: true, offset: 7200, abbreviation: "CEST" };
    const facts = { mode: "install" as AutoMode, available: RELEASE, clockValid: true, local, windows: windows("02:00-05:00"), idleForMs: 10 * MINUTE, idleMs: 5 * MINUTE, busy: undefined as string | undefined };
    const reason = (changes: Partial<typeof facts>) => decide({ ...facts, ...changes }, "02:00-05:00").reason;
    assert.equal(reason({ mode: "off" }), "automatic updates are off");
    assert.equal(reason({ available: undefined }), "nothing newer to install");
    assert.match(reason({ mode: "notify" }), /available \(ota_auto is notify/);
    assert.match(reason({ clockValid: false }), /the clock is not valid yet/);
    assert.match(reason({ busy: "an update is already downloading" }), /waits: an update is already downloading/);
    assert.match(reason({ local: { ...local, hour: 14 } }), /waits for the window 02:00-05:00 \(CEST\)/);
    assert.match(reason({ idleForMs: MINUTE }), /used in the last 5 minutes/);
    const yes = decide(facts, "02:00-05:00");
    assert.ok(yes.install);
    assert.match(yes.reason, /installing 2\.0\.0 \(v2\.0\.0\) at 03:15 CEST/);
  });
});
