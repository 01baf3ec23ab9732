/*
 * What a hostile client can make the device hold, measured on the real XS engine: the core's
 * server reads an endless request line, an endless header line, 10,000 short headers and a body
 * longer than its Content-Length, at full speed, in pieces of 1, 7 and 1460 bytes (how lwIP hands
 * them over). After every step the live heap is read from an XS snapshot (taken after a full
 * collection), and its growth over the idle connection must stay within what the limits allow
 * for that part plus the connection's fixed overhead (docs/security.md, "The web server").
 * The answer must be the part's status, sent at once.
 */

import * as assert from "node:assert/strict";
import { join } from "node:path";
import { bundleForXs, ROOT } from "./bundle.ts";
import { XsSession } from "../../bench/xs/xs-session.ts";
import type { XsCommand } from "../../bench/xs/xs-bench-app.ts";
import { HTTP_LIMITS } from "../../modules/http/limits";

/** What one connection may hold beyond the part being read: its records, timers, strings. */
export const CONNECTION_OVERHEAD_BYTES = 2048;

interface Scenario {
  name: string;
  head: string;
  chunk: string;
  /** What the limits let the server keep of it. */
  allowance: number;
  status: number;
}

const SCENARIOS: readonly Scenario[] = [
  { name: "an endless request line", head: "GET /", chunk: "a".repeat(256), allowance: HTTP_LIMITS.maxRequestLineBytes + 1, status: 414 },
  { name: "an endless header line", head: "GET / HTTP/1.1\r\nHost: d\r\nX-Endless: ", chunk: "b".repeat(256), allowance: HTTP_LIMITS.maxHeaderBytes, status: 431 },
  { name: "10,000 short headers", head: "GET / HTTP/1.1\r\nHost: d\r\n", chunk: "a: b\r\n".repeat(40), allowance: 2 * HTTP_LIMITS.maxHeaderBytes, status: 431 },
  {
    name: "a body longer than its Content-Length",
    head: `POST /api HTTP/1.1\r\nHost: d\r\nContent-Length: ${HTTP_LIMITS.maxBodyBytes}\r\n\r\n`,
    chunk: "c".repeat(256),
    allowance: HTTP_LIMITS.maxBodyBytes,
    status: 200,
  },
];

const STEPS = 40;

describe("HTTP on XS: what a hostile client can make the device hold", function () {
  this.timeout(600_000);
  let session: XsSession;

  before(async () => {
    const script = join(ROOT, ".build", "xs", `http-memory-${process.pid}.js`);
    await bundleForXs({ entry: join(ROOT, "tests", "xs", "http-memory-app.ts"), outfile: script, what: "the HTTP memory test" });
    session = await XsSession.start(script);
  });
  after(async () => {
    await session?.close();
  });

  const command = (op: Record<string, unknown>) => session.command(op as unknown as XsCommand);
  const live = async (): Promise<number> => {
    const s = await session.snapshot();
    return s.chunkBytes + s.slotBytes;
  };

  // XS never frees a key: a client's string used as a property key (table[name]) would stay in the
  // key table for good. Each request brings a name never seen before, a header's or a method's;
  // the live heap after 10 such requests must be the heap after 40.
  for (const kind of ["header name", "method"] as const) {
    it(`a new ${kind} in every request: the heap does not grow`, async () => {
      await command({ op: "setup" });
      const at: number[] = [];
      for (let i = 0; i <= 40; i++) {
        await command({ op: "open", split: 1460 });
        const fresh = `X${i}${"n".repeat(kind === "method" ? 400 : 1500)}`;
        const head = kind === "method" ? `${fresh.toUpperCase()} / HTTP/1.1\r\nHost: d\r\n\r\n` : `GET / HTTP/1.1\r\nHost: d\r\n${fresh}: v\r\n\r\n`;
        await command({ op: "feed", chunk: head, times: 1 });
        const { reply } = await command({ op: "state" });
        assert.equal(reply.status, kind === "method" ? 501 : 200, JSON.stringify(reply));
        if (i === 10 || i === 40) at.push(await live());
      }
      console.log(`      a new ${kind} in each of 40 requests: live heap ${at[0]} after 10, ${at[1]} after 40`);
      assert.ok(at[1] - at[0] <= 256, `the heap grew by ${at[1] - at[0]} bytes over 30 requests, each with a new ${kind}`);
    });
  }

  for (const scenario of SCENARIOS) {
    for (const split of [1, 7, 1460]) {
      it(`${scenario.name}, in pieces of ${split} bytes: answered ${scenario.status}, the heap within the limit`, async () => {
        await command({ op: "setup" });
        await command({ op: "open", split });
        const idle = await live();
        await command({ op: "feed", chunk: scenario.head, times: 1 });
        let most = 0;
        for (let step = 0; step < STEPS; step++) {
          await command({ op: "feed", chunk: scenario.chunk, times: 4 });
          most = Math.max(most, (await live()) - idle);
        }
        const { reply } = await command({ op: "state" });
        assert.equal(reply.status, scenario.status, JSON.stringify(reply));
        const bound = scenario.allowance + CONNECTION_OVERHEAD_BYTES;
        console.log(`      ${scenario.name} (${split}-byte pieces): ${STEPS * 4 * scenario.chunk.length} bytes sent, heap grew at most ${most} bytes (bound ${bound})`);
        assert.ok(most <= bound, `the heap grew by ${most} bytes, more than ${bound}`);
      });
    }
  }
});
