/*
 * The HttpServer contract against the device's web server as the device builds it: the core's
 * HttpServer over ModdableTcp (hosts/moddable/tcp.ts), TimerClock (clock.ts) and the native text
 * codec (text-codec.ts), over the SDK socket, timer and time stand-ins, on XS. Clients are peers
 * on the stand-in's wire, from distinct addresses (REMOTE_IP), their bytes in exact pbufs of the
 * requested splits; time is the stand-in machine's. After each test nothing may have escaped a
 * socket callback and no SDK rule may have been broken.
 */

import { TimerClock } from "hosts/moddable/clock";
import { ModdableTcp } from "hosts/moddable/tcp";
import { MODDABLE_TEXT_CODEC } from "hosts/moddable/text-codec";
import { HttpServer } from "../../../modules/http/http-server";
import type { HttpService } from "../../../modules/http/http-message";
import { Logger } from "../../../modules/log/logger";
import { httpServerContract, type HttpPeer, type HttpServerRig } from "../../contract/http-server-contract";
import * as assert from "../../support/assert";
import { parseHttpReply } from "../../support/http-reply";
import { assertQuiet, machine, resetDevice, wire } from "../standins/control";

const PORT = 80;

function moddableRig(): HttpServerRig {
  resetDevice();
  let service: HttpService | undefined;
  return {
    exactSplits: true,
    sendBuffer: 5744,
    async start(handler, limits) {
      const server = new HttpServer({ tcp: new ModdableTcp(), clock: new TimerClock(), text: MODDABLE_TEXT_CODEC, limits, log: new Logger({ write: () => undefined }, false) });
      service = server.serve({ port: PORT }, handler);
      await service.ready;
    },
    async dial(options = {}) {
      const peer = wire.dial(PORT, { remote: `10.0.0.${10 + (options.client ?? 0)}`, split: options.split });
      const adapted: HttpPeer = {
        send: (data) => peer.send(data),
        received: () => peer.bytes(),
        get closed() {
          return peer.closed;
        },
        close: () => peer.close(),
        stall: () => peer.stall(),
        resume: () => peer.resume(),
      };
      await machine.settle();
      return adapted;
    },
    wait: (ms) => machine.advance(ms),
    closed: (peer, ms) => machine.until(() => peer.closed, ms),
    async stop() {
      service?.close();
      await machine.advance(5_000);
      assertQuiet();
    },
  };
}

httpServerContract("core HttpServer over ModdableTcp (SDK socket stand-in)", moddableRig);

describe("the device's web server: clients that read slowly or not at all (lwIP's send buffer)", () => {
  const page: string[] = [];
  for (let i = 0; i < 400; i++) page.push(`<tr><td>row ${i}</td><td>Küche</td></tr>`);
  let service: HttpService | undefined;

  async function start(): Promise<void> {
    resetDevice();
    const server = new HttpServer({
      tcp: new ModdableTcp(),
      clock: new TimerClock(),
      text: MODDABLE_TEXT_CODEC,
      limits: { requestTimeoutMs: 1_200 },
      log: new Logger({ write: () => undefined }, false),
    });
    service = server.serve({ port: PORT }, () => ({ status: 200, headers: { "content-type": "text/html; charset=utf-8" }, body: page }));
    await service.ready;
  }

  afterEach(async () => {
    service?.close();
    await machine.advance(5_000);
    assertQuiet();
  });

  it("gives a reader that keeps stalling the whole page, in order, as the send buffer frees", async () => {
    await start();
    const peer = wire.dial(PORT);
    peer.send("GET / HTTP/1.1\r\nHost: d\r\n\r\n");
    for (let i = 0; i < 100 && !peer.closed; i++) {
      peer.stall();
      await machine.advance(200);
      peer.resume();
      await machine.advance(10);
    }
    assert.ok(peer.closed, "the whole page was sent");
    const reply = parseHttpReply(peer.bytes());
    assert.ok(reply.complete, "to the last chunk");
    assert.equal(reply.text, page.join(""));
    assert.ok(peer.bytes().length > 5744 * 2, "more than the send buffer holds, several times");
  });

  it("cuts off a client that stops reading, after requestTimeoutMs without progress, and goes on serving", async () => {
    await start();
    const stuck = wire.dial(PORT, { remote: "10.0.0.20" });
    stuck.stall();
    stuck.send("GET / HTTP/1.1\r\nHost: d\r\n\r\n");
    await machine.advance(1_000);
    assert.equal(stuck.closed, false, "still within the timeout");
    assert.ok(stuck.bytes().length <= 5744, "no more than the send buffer took");
    assert.ok(await machine.until(() => stuck.closed, 2_000), "cut off");
    const next = wire.dial(PORT, { remote: "10.0.0.21" });
    next.send("GET / HTTP/1.1\r\nHost: d\r\n\r\n");
    assert.ok(await machine.until(() => next.closed, 5_000));
    assert.equal(parseHttpReply(next.bytes()).status, 200);
  });
});

describe("the device's web server: event streams over lwIP (GET /events' transport)", () => {
  let service: HttpService | undefined;
  const made: { closes: number; wake: (() => void) | undefined }[] = [];

  async function start(): Promise<void> {
    resetDevice();
    made.length = 0;
    const server = new HttpServer({ tcp: new ModdableTcp(), clock: new TimerClock(), text: MODDABLE_TEXT_CODEC, log: new Logger({ write: () => undefined }, false) });
    service = server.serve({ port: PORT }, () => {
      const record = { closes: 0, wake: undefined as (() => void) | undefined, queue: [] as string[] };
      made.push(record);
      return {
        status: 200,
        headers: { "content-type": "text/event-stream" },
        body: {
          keepAlive: ": keep-alive\n\n",
          open: (wake: () => void) => void (record.wake = wake),
          pull: () => record.queue.splice(0).join(""),
          close: () => void record.closes++,
        },
      };
    });
    await service.ready;
  }

  afterEach(async () => {
    service?.close();
    await machine.advance(5_000);
    assertQuiet();
  });

  it("releases a stream whose client drops the link (a reset, message -2) and one that hangs up (FIN, -1)", async () => {
    await start();
    const dropped = wire.dial(PORT, { remote: "10.0.0.30" });
    dropped.send("GET /events HTTP/1.1\r\nHost: d\r\n\r\n");
    const hungUp = wire.dial(PORT, { remote: "10.0.0.31" });
    hungUp.send("GET /events HTTP/1.1\r\nHost: d\r\n\r\n");
    await machine.advance(100);
    assert.equal(made.length, 2);
    assert.equal(parseHttpReply(dropped.bytes()).status, 200);
    dropped.abort();
    hungUp.close();
    await machine.advance(100);
    assert.deepEqual(made.map((m) => m.closes), [1, 1]);
    // A wake after the release writes nothing: lwIP would trace a write after the end.
    for (const m of made) m.wake?.();
    await machine.advance(100);
    const next = wire.dial(PORT, { remote: "10.0.0.32" });
    next.send("GET /events HTTP/1.1\r\nHost: d\r\n\r\n");
    await machine.advance(100);
    assert.equal(parseHttpReply(next.bytes()).status, 200, "served again");
    next.close();
  });
});
