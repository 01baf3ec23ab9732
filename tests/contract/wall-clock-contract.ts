/*
 * The WallClock contract: the promises of modules/host/wall-clock.ts, checked against every
 * host's: OffsetWallClock (the core's own, on Node and XS: tests/core/wall-clock-contract-memory),
 * NodeWallClock (tests/node/wall-clock.test.ts) and ModdableWallClock over the SDK's time
 * stand-in on XS (tests/moddable/on-xs/wall-clock.xs.ts).
 * Engine-neutral: describe/it globals and tests/support/assert.ts only.
 */

import type { WallClock } from "../../modules/host/wall-clock";
import * as assert from "../support/assert";

export interface WallClockRig {
  readonly wall: WallClock;
  /** Lets about ms of real (or virtual) time pass. */
  wait(ms: number): Promise<void>;
  /** How far now() may be from what was set, in ms (what the host's clock can hold). */
  readonly toleranceMs: number;
}

const A_TIME = Date.UTC(2027, 4, 6, 7, 8, 9, 123);

export function wallClockContract(name: string, makeRig: () => WallClockRig): void {
  describe(`WallClock contract: ${name}`, () => {
    it("now() is a finite number of ms, and never throws", () => {
      const { wall } = makeRig();
      const t = wall.now();
      assert.ok(typeof t === "number" && Number.isFinite(t), String(t));
    });

    it("set(ms) makes now() answer that time from then on, and it runs with time", async () => {
      const rig = makeRig();
      rig.wall.set(A_TIME);
      assert.ok(Math.abs(rig.wall.now() - A_TIME) <= rig.toleranceMs, `${rig.wall.now() - A_TIME} ms off right after set`);
      await rig.wait(50);
      const ran = rig.wall.now() - A_TIME;
      assert.ok(ran >= 40 - rig.toleranceMs && ran < 5000, `ran ${ran} ms in 50`);
    });

    it("set() backwards and forwards by days: each time, the last one counts", () => {
      const { wall, toleranceMs } = makeRig();
      for (const t of [A_TIME, A_TIME - 86_400_000 * 3, A_TIME + 86_400_000 * 400]) {
        wall.set(t);
        assert.ok(Math.abs(wall.now() - t) <= toleranceMs, `${new Date(t).toISOString()}: ${wall.now() - t} ms off`);
      }
    });

    it("source, when present, is a short word saying why the time is right at boot", () => {
      const { wall } = makeRig();
      if (wall.source !== undefined) assert.ok(typeof wall.source === "string" && wall.source.length > 0 && wall.source.length < 16);
    });
  });
}
