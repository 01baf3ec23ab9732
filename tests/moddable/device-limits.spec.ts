/*
 * Black box, part 2: the web server's limits on a device (docs/security.md, "The web server"), over
 * raw sockets: the request line, the header lines, the body, the connection budget (a slow
 * connection's slot goes to a new one; the 503 when none is slow is the HttpServer contract's, on
 * XS too, since mcsim cannot hold four quick connections open at once) and the request timeout. The device's limits are fixed (modules/http/limits.ts), so the timeout test
 * waits the device's whole 10 s. After every test the device must serve the next client; one
 * that broke the budget is given time to recover so that its failure does not become the next
 * test's.
 */

import * as assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { HTTP_LIMITS } from "../../modules/http/limits";
import { endpoint, parseReply, type RawReply } from "../support/raw-http";
import { device, hostHeader, raw, waitUntilServing } from "./device";

/** The device's request timeout, 10 s. */
const REQUEST_TIMEOUT_MS = HTTP_LIMITS.requestTimeoutMs;
/** A request head not whole by then is answered 408: sooner than the whole request's timeout. */
const HEADERS_TIMEOUT_MS = HTTP_LIMITS.headersTimeoutMs;
/** What "at once" means for a refusal that needs no body: well under the request timeout. */
const PROMPT_MS = 3000;

interface Held {
  socket: Socket;
  reply: Promise<RawReply>;
  closedAt: Promise<number>;
}

/**
 * A connection left open for the test to write to; dropped by us after giveUpMs at the latest.
 * client n > 0 connects from 127.0.0.<10 + n> when the device is on loopback (mcsim), so that
 * the device sees distinct addresses; a device on a network sees this machine's one address.
 */
function open(giveUpMs = REQUEST_TIMEOUT_MS + 10_000, client = 0): Promise<Held> {
  const { host, port } = endpoint(device().url);
  return new Promise((resolve, reject) => {
    const localAddress = client > 0 && host.startsWith("127.") ? `127.0.0.${10 + client}` : undefined;
    const socket = connect({ port, host, localAddress });
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", () => undefined);
    const giveUp = setTimeout(() => socket.destroy(), giveUpMs);
    const closed = new Promise<void>((r) =>
      socket.once("close", () => {
        clearTimeout(giveUp);
        r();
      }),
    );
    socket.once("connect", () =>
      resolve({ socket, reply: closed.then(() => parseReply(Buffer.concat(chunks).toString("utf8"))), closedAt: closed.then(() => Date.now()) }),
    );
    socket.once("error", reject);
  });
}

function timed<T>(work: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  return work.then((value) => ({ value, ms: Date.now() - started }));
}

describe("device: the web server's limits", function () {
  this.timeout(60_000);

  afterEach(async function () {
    // A test that held or broke connections must not fail the next one too.
    if (!(await waitUntilServing(REQUEST_TIMEOUT_MS + 5000))) throw new Error("the device stopped serving GET /data");
  });

  it("a request line over 512 bytes: 414", async () => {
    const reply = await raw(`GET /${"p".repeat(600)} HTTP/1.1\r\nHost: ${hostHeader()}\r\n\r\n`);
    assert.equal(reply.status, 414, `got ${JSON.stringify(reply.text.slice(0, 120))}`);
  });

  it("header lines over 2048 bytes: 431 (and just under: 200)", async () => {
    const fits = await raw(`GET /data HTTP/1.1\r\nHost: ${hostHeader()}\r\nX-Pad: ${"p".repeat(1900)}\r\n\r\n`);
    assert.equal(fits.status, 200, `got ${JSON.stringify(fits.text.slice(0, 120))}`);
    const over = await raw(`GET /data HTTP/1.1\r\nHost: ${hostHeader()}\r\nX-Pad: ${"p".repeat(2100)}\r\n\r\n`);
    assert.equal(over.status, 431, `got ${JSON.stringify(over.text.slice(0, 120))}`);
  });

  it("a Content-Length over 4096: 413 at once, without waiting for a body that never comes (not 408)", async () => {
    const held = await open();
    held.socket.write(`POST /api/config HTTP/1.1\r\nHost: ${hostHeader()}\r\nContent-Type: application/json\r\nContent-Length: 999999\r\n\r\n{}`);
    const { value: reply, ms } = await timed(held.reply);
    assert.equal(reply.status, 413, `answered ${reply.status} after ${ms} ms: ${reply.text.slice(0, 120)}`);
    assert.ok(ms < PROMPT_MS, `413 took ${ms} ms`);
  });

  it("a body over 4096 bytes that is sent whole: 413", async () => {
    const body = "a".repeat(5000);
    const reply = await raw(`POST /api/config HTTP/1.1\r\nHost: ${hostHeader()}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    assert.equal(reply.status, 413, `got ${JSON.stringify(reply.text.slice(0, 120))}`);
  });

  it("a chunked request body: 411", async () => {
    const reply = await raw(
      `POST /api/config HTTP/1.1\r\nHost: ${hostHeader()}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
    );
    assert.equal(reply.status, 411, `got ${JSON.stringify(reply.text.slice(0, 120))}`);
  });

  it("bare \\n line endings: 400 with a JSON error", async () => {
    const reply = await raw(`GET /data HTTP/1.1\nHost: ${hostHeader()}\n\n`);
    assert.equal(reply.status, 400, `got ${JSON.stringify(reply.text.slice(0, 120))}`);
    assert.deepEqual(JSON.parse(reply.body), { error: "malformed request" });
  });

  it("the 5th connection at once takes the slot of the one slow the longest (408), and the others are still served", async () => {
    const held: Held[] = [];
    try {
      for (const client of [1, 2, 3, 4]) {
        const h = await open(undefined, client);
        h.socket.write("GET /data HTTP/1.1\r\n");
        held.push(h);
        await delay(50);
      }
      await delay(200); // every one of them is now slow (50 ms in its head)
      const extra = await raw(`GET /data HTTP/1.1\r\nHost: ${hostHeader()}\r\n\r\n`);
      assert.equal(extra.status, 200, `got ${JSON.stringify(extra.text.slice(0, 120))}`);
      const oldest = await held[0].reply;
      assert.equal(oldest.status, 408, `got ${JSON.stringify(oldest.text.slice(0, 120))}`);
      assert.match(oldest.body, /make room|too many slow connections/);
      held[1].socket.write(`Host: ${hostHeader()}\r\n\r\n`);
      const next = await held[1].reply;
      assert.equal(next.status, 200, `got ${JSON.stringify(next.text.slice(0, 120))}`);
      assert.match(next.body, /"Key 0":"0"/);
    } finally {
      for (const h of held) h.socket.destroy();
    }
  });

  it("a half-sent request: 408 once the time for the request head (5 s) is up, and its slot is freed", async () => {
    const half = await open();
    half.socket.write("GET /da");
    const { value: reply, ms } = await timed(half.reply);
    assert.equal(reply.status, 408, `answered ${JSON.stringify(reply.text.slice(0, 120))} after ${ms} ms`);
    assert.ok(ms >= HEADERS_TIMEOUT_MS - 1000 && ms < HEADERS_TIMEOUT_MS + 5000, `408 after ${ms} ms`);
  });
});
