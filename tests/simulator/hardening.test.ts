/*
 * The simulator's web server under abuse, over raw sockets (the ideas of ESP-IDF's
 * http_server/advanced_tests): one connection more than the limit, silent and trickling clients,
 * a half-sent request line, mixed line endings, oversized packets, unknown methods. Every answer
 * must be a proper HTTP response, and the server must keep serving the next client. The request
 * timeout is shortened to 1 s (--request-timeout) so the test does not wait the device's 10 s.
 */

import * as assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { parseReply, rawRequest, type RawReply } from "../support/raw-http";
import { startSimulatorProcess, type SimulatorProcess } from "../support/simulator-process";

function open(url: string): Promise<{ socket: Socket; reply: Promise<RawReply>; closedAt: Promise<number> }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", () => undefined);
    const closed = new Promise<void>((r) => socket.once("close", () => r()));
    socket.once("connect", () =>
      resolve({
        socket,
        reply: closed.then(() => parseReply(Buffer.concat(chunks).toString("utf8"))),
        closedAt: closed.then(() => Date.now()),
      }),
    );
    socket.once("error", reject);
  });
}

describe("simulator: hostile and overloaded clients", function () {
  this.timeout(60_000);
  let sim: SimulatorProcess;

  before(async () => {
    sim = await startSimulatorProcess({ args: ["--request-timeout", "1000"] });
  });
  after(async () => {
    await sim?.stop();
  });

  async function stillServing(): Promise<void> {
    const res = await fetch(`${sim.url}/data`);
    assert.equal(res.status, 200);
    await res.arrayBuffer();
  }

  it("drops a client that sends nothing, and frees its slot", async () => {
    const silent = await Promise.all([0, 1, 2, 3].map(() => open(sim.url)));
    const started = Date.now();
    const closedAt = await Promise.all(silent.map((s) => s.closedAt));
    // Dropped, not held for ever: the bound is loose (15 times the 1 s limit) so a busy machine cannot fail it.
    for (const t of closedAt) assert.ok(t - started < 15_000, `silent client held for ${t - started} ms`);
    await stillServing();
  });

  it("answers a half-sent request line 408 once the time is up", async () => {
    const half = await open(sim.url);
    half.socket.write("GET /da");
    const reply = await half.reply;
    assert.equal(reply.status, 408);
    await stillServing();
  });

  it("drops a client trickling a byte at a time past the limit (slowloris)", async () => {
    const slow = await open(sim.url);
    const request = "GET /data HTTP/1.1\r\nHost: x\r\nX-Pad: " + "a".repeat(100);
    let closed = false;
    void slow.closedAt.then(() => (closed = true));
    const started = Date.now();
    for (let i = 0; i < request.length && !closed; i++) {
      slow.socket.write(request[i]);
      await delay(150);
    }
    const reply = await slow.reply;
    assert.ok(Date.now() - started < 6000, "the trickle was cut off");
    assert.ok(reply.status === 408 || reply.text === "", `got ${reply.text.slice(0, 60)}`);
    await stillServing();
  });

  it("refuses bare \\n line endings with a proper 400 (HTTP/1.1 lines end in \\r\\n), then serves the next", async () => {
    for (const request of ["GET /data HTTP/1.1\nHost: x\r\nAccept: */*\n\r\n", "GET /data HTTP/1.1\nHost: x\n\n"]) {
      const reply = await rawRequest(sim.url, request);
      assert.equal(reply.status, 400);
      assert.equal(reply.headers["content-type"], "application/json; charset=utf-8");
      assert.deepEqual(JSON.parse(reply.body), { error: "malformed request" });
    }
    await stillServing();
  });

  it("counts the header lines alone against the device's 2048 bytes, as the device does", async () => {
    const fits = await rawRequest(sim.url, `GET /data HTTP/1.1\r\nHost: x\r\nX-Pad: ${"p".repeat(2000)}\r\n\r\n`);
    assert.equal(fits.status, 200);
    const over = await rawRequest(sim.url, `GET /data HTTP/1.1\r\nHost: x\r\nX-Pad: ${"p".repeat(2100)}\r\n\r\n`);
    assert.equal(over.status, 431);
  });

  it("refuses oversized packets with 431 and 413, and keeps serving", async () => {
    const headers = await rawRequest(sim.url, `GET /data HTTP/1.1\r\nHost: x\r\nX-Huge: ${"h".repeat(64 * 1024)}\r\n\r\n`);
    assert.equal(headers.status, 431);
    const body = Buffer.alloc(1024 * 1024, 0x61);
    const big = await rawRequest(
      sim.url,
      Buffer.concat([Buffer.from(`POST /api/config HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`), body]),
    );
    assert.equal(big.status, 413);
    const lying = await rawRequest(sim.url, "POST /api/config HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 999999\r\n\r\n{}");
    assert.equal(lying.status, 413);
    await stillServing();
  });

  it("answers an unknown method 501 and a known one the path does not take 405", async () => {
    const brew = await rawRequest(sim.url, "BREW /data HTTP/1.1\r\nHost: x\r\n\r\n");
    assert.equal(brew.status, 501);
    const put = await rawRequest(sim.url, "PUT /data HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
    assert.equal(put.status, 405);
    assert.equal(put.headers.allow, "GET, HEAD");
    await stillServing();
  });

  it("answers a body that is not UTF-8 with 400", async () => {
    const bytes = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
    const reply = await rawRequest(
      sim.url,
      Buffer.concat([Buffer.from(`POST /api/config HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${bytes.length}\r\n\r\n`), bytes]),
    );
    assert.equal(reply.status, 400);
    assert.match(reply.body, /UTF-8/);
  });
});
