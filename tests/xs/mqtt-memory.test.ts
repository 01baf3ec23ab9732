/*
 * What the MQTT feature costs on the real XS engine, and that a flood cannot make it hold more:
 * the live heap (an XS snapshot after a full collection) of a manager with the demo's data, with
 * the feature left out, in but off (no broker), and connected to a scripted broker with one
 * exposed variable; then 200 oversized (8 KB) and 2,000 small commands on its command topic, at
 * full speed. Each boot runs twice in the engine and the second is measured (XS interns names
 * and builds some objects once per engine). Prints the figures; asserts only the bounds the
 * feature promises: an oversized packet is never held, a flood holds nothing once it is over.
 */

import * as assert from "node:assert/strict";
import { join } from "node:path";
import { bundleForXs, ROOT } from "./bundle.ts";
import { XsSession } from "../../bench/xs/xs-session.ts";
import type { XsCommand } from "../../bench/xs/xs-bench-app.ts";

describe("MQTT on XS: what the feature holds", function () {
  this.timeout(600_000);
  let session: XsSession;

  before(async () => {
    const script = join(ROOT, ".build", "xs", `mqtt-memory-${process.pid}.js`);
    await bundleForXs({ entry: join(ROOT, "tests", "xs", "mqtt-memory-app.ts"), outfile: script, what: "the MQTT memory test" });
    session = await XsSession.start(script);
  });
  after(async () => {
    await session?.close();
  });

  const command = async (op: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const { reply } = await session.command(op as unknown as XsCommand);
    return reply as Record<string, unknown>;
  };
  const live = async (): Promise<number> => {
    const s = await session.snapshot();
    return s.chunkBytes + s.slotBytes;
  };
  const idle = async (mode: string): Promise<number> => {
    let bytes = 0;
    for (let i = 0; i < 2; i++) {
      await command({ op: "drop" });
      const before = await live();
      await command({ op: "boot", mode });
      bytes = (await live()) - before;
    }
    return bytes;
  };

  it("costs little idle, connected holds a bounded amount, and a flood leaves nothing behind", async () => {
    const none = await idle("none");
    const off = await idle("off");
    const on = await idle("on");
    const state = await command({ op: "state" });
    assert.equal(state.connected, true, JSON.stringify(state));
    await command({ op: "forget" });
    const connected = await live();
    let most = 0;
    for (let i = 0; i < 10; i++) {
      await command({ op: "flood", n: 20, bytes: 8192 });
      const r = await command({ op: "forget" });
      assert.equal(r.pending, 0, "the broker sent everything within the step");
      most = Math.max(most, (await live()) - connected);
    }
    for (let i = 0; i < 10; i++) {
      await command({ op: "flood", n: 200, bytes: 4 });
      await command({ op: "forget" });
      most = Math.max(most, (await live()) - connected);
    }
    await command({ op: "tick", ms: 5000 });
    await command({ op: "forget" });
    const after = (await live()) - connected;
    const end = await command({ op: "state" });
    assert.equal(end.connected, true, "still connected after the flood");
    console.log(
      `      manager idle without MQTT ${none} B; the feature in but off +${off - none} B; connected (5 data entries, 1 variable) +${on - none} B; ` +
        `during 200 oversized and 2,000 small commands at most +${most} B over connected; after them ${after >= 0 ? "+" : ""}${after} B (received ${String(end.received)}, count ${String(end.count)})`,
    );
    assert.ok(most < 8192, `an 8 KB packet is never held whole: the heap grew by ${most}`);
    assert.ok(after < 1024, `nothing is kept once the flood is over: ${after} B`);
  });
});
