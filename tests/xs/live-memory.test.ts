/*
 * What the live feature costs the device's heap, measured on the real XS engine: sessions that
 * differ only in what is switched on (the live feature, the log ring) boot the same manager on
 * the in-memory host, run a minute of virtual time, and their live heaps (XS snapshots, taken
 * after a full collection) are compared. The code is the same in every session (on the device
 * it is preloaded into flash), so the differences are the RAM the feature holds at run time.
 * Also measured: what one open event stream holds, beyond the connection's own overhead.
 * The figures are printed (docs/events.md quotes them) and held to bounds.
 */

import * as assert from "node:assert/strict";
import { join } from "node:path";
import { bundleForXs, ROOT } from "./bundle.ts";
import { XsSession } from "../../bench/xs/xs-session.ts";
import type { XsCommand } from "../../bench/xs/xs-bench-app.ts";

/**
 * The bounds docs/events.md states, on xsnap (64-bit: 32-byte slots; the ESP32's are 16, so the
 * device holds less): the idle feature, and one open stream with its connection.
 */
const IDLE_LIVE_BOUND = 7168;
// A stream, its connection in the server, the in-memory wire (both ends, in this heap) and the
// six listeners it subscribes while open.
const STREAM_BOUND = 20480;

describe("live feature on XS: idle heap cost", function () {
  this.timeout(600_000);
  let script: string;

  before(async () => {
    script = join(ROOT, ".build", "xs", `live-memory-${process.pid}.js`);
    await bundleForXs({ entry: join(ROOT, "tests", "xs", "live-memory-app.ts"), outfile: script, what: "the live memory test" });
  });

  /** Boots a session with `boot`, runs `steps`, and gives its live heap (the least of three snapshots). */
  async function heap(boot: Record<string, unknown>, steps: Record<string, unknown>[] = []): Promise<{ idle: number; idleSlots: number; after: number; state: Record<string, unknown> }> {
    const session = await XsSession.start(script);
    try {
      const command = (op: Record<string, unknown>) => session.command(op as unknown as XsCommand);
      let slots = 0;
      const live = async (): Promise<number> => {
        let least = Infinity;
        for (let i = 0; i < 3; i++) {
          const s = await session.snapshot();
          if (s.chunkBytes + s.slotBytes < least) slots = s.slotBytes / s.slotSize;
          least = Math.min(least, s.chunkBytes + s.slotBytes);
        }
        return least;
      };
      const booted = await command({ op: "boot", ...boot });
      assert.equal((booted.reply as { ok: boolean }).ok, true, JSON.stringify(booted.reply));
      await command({ op: "settle" });
      const idle = await live();
      const idleSlots = slots;
      for (const step of steps) await command(step);
      await command({ op: "settle" });
      const after = await live();
      const { reply } = await command({ op: "state" });
      return { idle, idleSlots, after, state: reply as Record<string, unknown> };
    } finally {
      await session.close();
    }
  }

  it("the feature idle, the log ring, and one open stream", async () => {
    const bare = await heap({ live: false, logBytes: 0 });
    const ring = await heap({ live: false }, [{ op: "log", n: 200 }]);
    const live = await heap({}, [{ op: "open" }]);
    const two = await heap({}, [{ op: "open" }, { op: "open" }]);
    const idleLive = live.idle - ring.idle;
    const ringCost = ring.idle - bare.idle;
    const ringFull = ring.after - bare.idle;
    // The test's client records what it received (in this heap, not the device's): left out.
    const stream = live.after - live.idle - (live.state.received as number);
    // The second stream shares the listeners the first subscribed.
    const second = two.after - live.after - (two.state.received as number);
    assert.equal(two.state.streams, 2);
    assert.equal(live.state.status, 200, JSON.stringify(live.state));
    assert.equal(live.state.streams, 1);
    const slots = live.idleSlots - ring.idleSlots;
    console.log(`      live feature idle: ${idleLive} bytes (${slots} slots, ${idleLive - slots * 32} of chunks; on the ESP32 about ${idleLive - slots * 16}); log ring (2 KiB default): ${ringCost} bytes empty, ${ringFull} bytes after 200 lines; one open stream: ${stream} bytes (with its connection and the listeners it adds; the client's ${live.state.received as number} received bytes left out), a second one ${second} more`);
    assert.ok(idleLive > 0 && idleLive <= IDLE_LIVE_BOUND, `the idle feature holds ${idleLive} bytes (bound ${IDLE_LIVE_BOUND})`);
    assert.ok(ringFull - ringCost <= 512, `a full ring holds ${ringFull - ringCost} bytes more than an empty one: it must be allocated once`);
    assert.ok(stream <= STREAM_BOUND, `one stream holds ${stream} bytes`);
    assert.ok(second <= stream, `a second stream holds ${second} bytes, more than the first`);
  });
});
