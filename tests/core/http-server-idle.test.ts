/*
 * What an idle HttpServer keeps running: nothing before its first connection; after its last,
 * its deadline timer runs on for 10 s (the parsers' regular expression is kept that long, then
 * let go) and stops. A connection opened in that time has the same deadlines as one opened on
 * an idle server, and one opened after it is served as the first was. Runs on Node and on XS.
 */

import { HttpServer } from "../../modules/http/http-server";
import { HTTP_LIMITS } from "../../modules/http/limits";
import { Logger } from "../../modules/log/logger";
import { MemoryTcp, settle } from "../support/memory-tcp";
import { VirtualClock } from "../support/virtual-clock";
import * as assert from "../support/assert";

async function rig(): Promise<{ clock: VirtualClock; get(): Promise<string>; open(): Promise<{ text(): string; readonly closed: boolean }> }> {
  const clock = new VirtualClock();
  const tcp = new MemoryTcp();
  const server = new HttpServer({ tcp, clock, log: new Logger({ write: () => undefined }, false) });
  const service = server.serve({ port: 80 }, () => ({ status: 200, headers: { "content-type": "text/plain" }, body: "ok" }));
  const port = (await service.ready).port;
  const open = async () => {
    const peer = tcp.dial(port, { remote: "10.0.0.9" });
    await settle();
    return peer;
  };
  return {
    clock,
    open,
    async get() {
      const peer = await open();
      peer.send("GET / HTTP/1.1\r\nHost: 10.0.0.1\r\n\r\n");
      await settle();
      return peer.text();
    },
  };
}

describe("HttpServer at rest", () => {
  it("runs no timer before its first connection, and stops its timer 10 s after its last", async () => {
    const r = await rig();
    assert.equal(r.clock.pending, 0);
    await r.clock.advance(60_000);
    assert.equal(r.clock.pending, 0);
    assert.match(await r.get(), /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nok$/);
    await r.clock.advance(9_000);
    assert.equal(r.clock.pending, 1, "still warm 9 s after the last connection");
    await r.clock.advance(1_500);
    assert.equal(r.clock.pending, 0, "at rest 10 s after the last connection");
    // Served again after the rest, as the first time.
    assert.match(await r.get(), /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nok$/);
    await r.clock.advance(10_500);
    assert.equal(r.clock.pending, 0);
  });

  it("a connection opened while the timer runs on has the deadlines of one opened at rest", async () => {
    const r = await rig();
    assert.match(await r.get(), /200 OK/);
    // Out of phase with the timer's period (500 ms with the device's limits).
    await r.clock.advance(3_250);
    const peer = await r.open();
    peer.text();
    await r.clock.advance(HTTP_LIMITS.headersTimeoutMs - 1);
    await settle();
    assert.equal(peer.closed, false, "not yet at headersTimeoutMs");
    await r.clock.advance(1);
    await settle();
    assert.match(peer.text(), /^HTTP\/1\.1 408 /);
    // The refused connection lingers (lingerMs) before it closes; then the 10 s run on.
    await r.clock.advance(HTTP_LIMITS.lingerMs + 10_500);
    assert.equal(r.clock.pending, 0);
  });
});
