/*
 * The HttpServer contract: what the device's web server (modules/http/http-server.ts) does with
 * what clients send, over every host's Tcp: the in-memory one (the core's tests, on Node and on
 * XS), the simulator's node:net over real loopback sockets, and the device host's Moddable
 * sockets against the SDK stand-ins on XS. The same bytes in get the same bytes out everywhere.
 *
 * A rig starts the server with a handler and the contract's short limits, dials peers (from
 * distinct client addresses when asked), and moves time (virtual, or real on a real network).
 * Engine-neutral: it runs on XS.
 */

import type { HttpHandler, HttpResponse, HttpStream } from "../../modules/http/http-message";
import { HTTP_LIMITS, type HttpLimits } from "../../modules/http/limits";
import { utf8Encode } from "../../modules/text/utf8";
import * as assert from "../support/assert";
import { parseHttpReply, type HttpReply } from "../support/http-reply";

export interface HttpPeer {
  send(data: string | Uint8Array): void;
  /** Everything the server sent so far. */
  received(): Uint8Array;
  readonly closed: boolean;
  close(): void;
  /** Stops reading (the server's send buffer fills and stays full), and reads again. */
  stall(): void;
  resume(): void;
}

export interface HttpServerRig {
  start(handler: HttpHandler, limits: Partial<HttpLimits>): Promise<void>;
  /** A connection from client address number `client` (0 by default), its bytes split as given. */
  dial(options?: { client?: number; split?: number }): Promise<HttpPeer>;
  /** Lets `ms` pass (virtual time, or real). */
  wait(ms: number): Promise<void>;
  /** Waits until the server has closed the peer's connection, for at most `ms`; true if it did. */
  closed(peer: HttpPeer, ms: number): Promise<boolean>;
  stop(): Promise<void>;
  /** Bytes arrive at the server exactly in the splits asked for (false over a real network). */
  readonly exactSplits: boolean;
  /**
   * The most a stalled client can be sent beyond what it had read: the device's send buffer
   * (undefined over a real network, where the kernels' buffers hold megabytes).
   */
  readonly sendBuffer?: number;
}

/** A stream body the contract drives: say() queues text and wakes the server; firehose always has more. */
class TestStream implements HttpStream {
  readonly keepAlive = ": keep-alive\n\n";
  opened = 0;
  closes = 0;
  firehose = false;
  #queue: string[] = [];
  #ended = false;
  #wake: (() => void) | undefined;

  open(wake: () => void): void {
    this.opened++;
    this.#wake = wake;
  }

  pull(room: number): string | undefined {
    if (this.firehose) return "x".repeat(Math.min(room, 4096));
    if (this.#queue.length) return this.#queue.splice(0).join("");
    return this.#ended ? undefined : "";
  }

  close(): void {
    this.closes++;
  }

  say(text: string): void {
    this.#queue.push(text);
    this.#wake?.();
  }

  end(): void {
    this.#ended = true;
    this.#wake?.();
  }
}

/** Short enough for a real network's test, long enough for a busy machine. */
export const CONTRACT_LIMITS: Partial<HttpLimits> = Object.freeze({
  headersTimeoutMs: 600,
  requestTimeoutMs: 1200,
  slowHeadMs: 250,
  lingerMs: 300,
});

const json = (status: number, value: unknown): HttpResponse => ({
  status,
  headers: { "content-type": "application/json; charset=utf-8" },
  body: JSON.stringify(value),
});

export function httpServerContract(name: string, makeRig: () => HttpServerRig): void {
  describe(`HttpServer contract: ${name}`, function () {
    let rig: HttpServerRig;
    let calls: { method: string; path: string; query: string; body: string; headers: Record<string, string> }[];
    let nextResponse: (() => HttpResponse) | undefined;

    const handler: HttpHandler = (request) => {
      calls.push({ method: request.method, path: request.path, query: request.query, body: request.body, headers: request.headers });
      if (nextResponse) return nextResponse();
      if (request.path === "/throw") throw new Error("the handler failed");
      return json(200, { method: request.method, path: request.path, body: request.body });
    };

    async function start(limits: Partial<HttpLimits> = {}): Promise<void> {
      rig = makeRig();
      calls = [];
      nextResponse = undefined;
      await rig.start(handler, { ...CONTRACT_LIMITS, ...limits });
    }

    /** Sends bytes on a new connection and reads the answer once the server closes it. */
    async function exchange(data: string | Uint8Array, options: { client?: number; split?: number; within?: number } = {}): Promise<HttpReply> {
      const peer = await rig.dial(options);
      peer.send(data);
      const closed = await rig.closed(peer, options.within ?? 3000);
      assert.ok(closed, `the server closed the connection (sent ${typeof data === "string" ? JSON.stringify(data.slice(0, 40)) : `${data.length} bytes`})`);
      return parseHttpReply(peer.received());
    }

    function assertJsonError(reply: HttpReply, status: number, pattern: RegExp): void {
      assert.equal(reply.status, status, `status for ${reply.text.slice(0, 80)}`);
      assert.equal(reply.headers["content-type"], "application/json; charset=utf-8");
      assert.match(String((JSON.parse(reply.text) as { error?: unknown }).error), pattern);
    }

    afterEach(async () => {
      await rig?.stop();
    });

    it("answers a request with an exact Content-Length and closes the connection", async () => {
      await start();
      const reply = await exchange("GET /data?x=1 HTTP/1.1\r\nHost: device\r\n\r\n");
      assert.equal(reply.status, 200);
      assert.equal(reply.headers.connection, "close");
      assert.equal(Number(reply.headers["content-length"]), reply.body.length);
      assert.equal(reply.text, JSON.stringify({ method: "GET", path: "/data", body: "" }));
      assert.equal(calls.length, 1);
      assert.equal(calls[0].query, "x=1");
      assert.equal(calls[0].headers.host, "device");
    });

    it("sends a non-ASCII body as UTF-8 and counts its bytes, not its characters", async () => {
      await start();
      nextResponse = () => ({ status: 200, headers: { "content-type": "text/plain; charset=utf-8" }, body: "Küche 温度 ✓" });
      const reply = await exchange("GET / HTTP/1.1\r\nHost: d\r\n\r\n");
      assert.equal(Number(reply.headers["content-length"]), utf8Encode("Küche 温度 ✓").length);
      assert.equal(reply.text, "Küche 温度 ✓");
    });

    it("decodes a request body as UTF-8, and refuses one that is not with 400", async () => {
      await start();
      const text = '{"name":"Küche 温度"}';
      const body = utf8Encode(text);
      const ok = await exchange(`POST /api HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${text}`);
      assert.equal(ok.status, 200);
      assert.equal(calls[0].body, text);
      const bad = new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
      const head = utf8Encode(`POST /api HTTP/1.1\r\nHost: d\r\nContent-Length: ${bad.length}\r\n\r\n`);
      const both = new Uint8Array(head.length + bad.length);
      both.set(head);
      both.set(bad, head.length);
      assertJsonError(await exchange(both), 400, /UTF-8/);
      assert.equal(calls.length, 1, "the handler never saw the bad body");
    });

    it("streams fragments chunked, joined into few chunks, as one whole body", async () => {
      await start();
      const fragments: string[] = [];
      for (let i = 0; i < 300; i++) fragments.push(`<tr><td>row ${i}</td><td>Küche</td></tr>`);
      nextResponse = () => ({ status: 200, headers: { "content-type": "text/html; charset=utf-8" }, body: fragments });
      const reply = await exchange("GET / HTTP/1.1\r\nHost: d\r\n\r\n");
      assert.equal(reply.headers["transfer-encoding"], "chunked");
      assert.equal(reply.headers["content-length"], undefined);
      assert.ok(reply.complete, "the last chunk was sent");
      assert.equal(reply.text, fragments.join(""));
      assert.ok(reply.chunks * 10 < fragments.length, `${fragments.length} fragments in ${reply.chunks} chunks`);
    });

    it("streams bytes fragments as they are, between strings, in few chunks", async () => {
      await start();
      const fixed = utf8Encode("<td>Küche</td>");
      const fragments: (string | Uint8Array)[] = [];
      let expected = "";
      for (let i = 0; i < 300; i++) {
        fragments.push(`<tr><td>row ${i}</td>`, fixed, i % 3 ? "</tr>" : utf8Encode("</tr>"), "");
        expected += `<tr><td>row ${i}</td><td>Küche</td></tr>`;
      }
      nextResponse = () => ({ status: 200, headers: { "content-type": "text/html; charset=utf-8" }, body: fragments });
      const reply = await exchange("GET / HTTP/1.1\r\nHost: d\r\n\r\n");
      assert.ok(reply.complete, "the last chunk was sent");
      assert.equal(reply.text, expected);
      assert.ok(reply.chunks * 20 < fragments.length, `${fragments.length} fragments in ${reply.chunks} chunks`);
      assert.deepEqual([...fixed], [...utf8Encode("<td>Küche</td>")], "the bytes were not written to");
    });

    it("sends a 304 with no body and no content-length, whatever the handler gave", async () => {
      await start();
      nextResponse = () => ({ status: 304, headers: { etag: '"abc"' }, body: "ignored" });
      const reply = await exchange("GET /app.css HTTP/1.1\r\nHost: d\r\n\r\n");
      assert.equal(reply.status, 304);
      assert.equal(reply.headers.etag, '"abc"');
      assert.equal(reply.headers["content-length"], undefined);
      assert.equal(reply.headers["transfer-encoding"], undefined);
      assert.equal(reply.body.length, 0);
    });

    it("answers HEAD with the head alone, and never produces a streamed body for it", async () => {
      await start();
      const head = await exchange("HEAD /data HTTP/1.1\r\nHost: d\r\n\r\n");
      assert.equal(head.status, 200);
      assert.equal(Number(head.headers["content-length"]), JSON.stringify({ method: "HEAD", path: "/data", body: "" }).length);
      assert.equal(head.body.length, 0);
      let produced = 0;
      nextResponse = () => ({
        status: 200,
        body: (function* () {
          produced++;
          yield "never";
        })(),
      });
      const streamed = await exchange("HEAD / HTTP/1.1\r\nHost: d\r\n\r\n");
      assert.equal(streamed.status, 200);
      assert.equal(streamed.body.length, 0);
      assert.equal(produced, 0);
    });

    it("answers a handler that throws 500, and one whose fragments fail with a broken response", async () => {
      await start();
      assertJsonError(await exchange("GET /throw HTTP/1.1\r\nHost: d\r\n\r\n"), 500, /internal error/);
      nextResponse = () => ({
        status: 200,
        body: (function* () {
          yield "<p>half";
          throw new Error("the page failed halfway");
        })(),
      });
      const broken = await exchange("GET / HTTP/1.1\r\nHost: d\r\n\r\n");
      assert.equal(broken.status, 200);
      assert.equal(broken.complete, false, "no last chunk: the client sees a broken response");
      nextResponse = undefined;
      assert.equal((await exchange("GET /data HTTP/1.1\r\nHost: d\r\n\r\n")).status, 200, "still serving");
    });

    describe("streams (an HttpStream body, as GET /events sends)", () => {
      let stream: TestStream;
      const streaming = (): HttpResponse => ({ status: 200, headers: { "content-type": "text/event-stream" }, body: stream });

      async function openStream(client = 0): Promise<HttpPeer> {
        stream = new TestStream();
        nextResponse = streaming;
        const peer = await rig.dial({ client });
        peer.send("GET /events HTTP/1.1\r\nHost: d\r\n\r\n");
        await rig.wait(50);
        nextResponse = undefined;
        return peer;
      }

      it("stays open without a length, sends what the stream says when it wakes the server, and keep-alives while it is quiet", async () => {
        await start();
        const peer = await openStream();
        const head = parseHttpReply(peer.received());
        assert.equal(head.status, 200);
        assert.equal(head.headers["content-length"], undefined);
        assert.equal(head.headers["transfer-encoding"], undefined);
        assert.equal(head.headers.connection, "close");
        assert.equal(stream.opened, 1);
        stream.say("event: a\ndata: Küche\n\n");
        await rig.wait(50);
        assert.equal(parseHttpReply(peer.received()).text, "event: a\ndata: Küche\n\n");
        // Twice the time a response may go without progress, saying nothing.
        await rig.wait(2 * CONTRACT_LIMITS.requestTimeoutMs!);
        assert.equal(peer.closed, false, "a quiet stream is not a stalled one");
        const text = parseHttpReply(peer.received()).text;
        assert.ok(text.split(": keep-alive\n\n").length - 1 >= 4, `keep-alives in ${JSON.stringify(text)}`);
        stream.say("event: b\ndata: 2\n\n");
        await rig.wait(50);
        assert.ok(parseHttpReply(peer.received()).text.endsWith("event: b\ndata: 2\n\n"));
        assert.equal(stream.closes, 0);
        peer.close();
        await rig.wait(100);
        assert.equal(stream.closes, 1, "closed once the client left");
        stream.say("event: c\ndata: after\n\n"); // a wake after the close does nothing
        await rig.wait(50);
        assert.equal(stream.closes, 1);
        assert.equal((await exchange("GET /data HTTP/1.1\r\nHost: d\r\n\r\n")).status, 200, "still serving");
      });

      it("closes the connection when the stream ends, and closes every stream when the server closes", async () => {
        await start();
        const peer = await openStream();
        stream.say("data: last\n\n");
        stream.end();
        assert.ok(await rig.closed(peer, 2000), "the server closed the connection");
        assert.equal(parseHttpReply(peer.received()).text, "data: last\n\n");
        assert.equal(stream.closes, 1);
        const open = await openStream(1);
        const held = stream;
        await rig.stop();
        assert.ok(await rig.closed(open, 2000), "closed with the server");
        assert.equal(held.closes, 1);
      });

      it("answers HEAD with the head alone and releases the stream without opening it", async () => {
        await start();
        stream = new TestStream();
        nextResponse = streaming;
        const reply = await exchange("HEAD /events HTTP/1.1\r\nHost: d\r\n\r\n");
        nextResponse = undefined;
        assert.equal(reply.status, 200);
        assert.equal(reply.body.length, 0);
        assert.equal(stream.opened, 0);
        assert.equal(stream.closes, 1);
      });

      it("cuts off a stream whose client stopped reading, after requestTimeoutMs without progress, and goes on serving", async () => {
        await start();
        const peer = await openStream();
        const before = peer.received().length;
        peer.stall();
        stream.firehose = true;
        stream.say("");
        // The cut comes requestTimeoutMs after the send buffers filled: how long filling takes is
        // the machine's business (a busy one took longer than twice the timeout), so wait for it.
        for (let waited = 0; stream.closes === 0 && waited < 20 * CONTRACT_LIMITS.requestTimeoutMs!; waited += 100) await rig.wait(100);
        assert.equal(stream.closes, 1, "cut off while it was not reading");
        peer.resume();
        assert.ok(await rig.closed(peer, 5000), "the client sees the connection end");
        if (rig.sendBuffer !== undefined) {
          const sent = peer.received().length - before;
          assert.ok(sent <= rig.sendBuffer + 4096, `${sent} bytes sent to a client that did not read (send buffer ${rig.sendBuffer})`);
        }
        assert.equal((await exchange("GET /data HTTP/1.1\r\nHost: d\r\n\r\n", { client: 2 })).status, 200, "still serving");
      });
    });

    it("refuses a request line over the limit with 414 as soon as its bytes arrive, line end or not", async () => {
      await start();
      const line = `GET /${"a".repeat(HTTP_LIMITS.maxRequestLineBytes)} HTTP/1.1`;
      assertJsonError(await exchange(line), 414, /request line too long/);
      const fits = `GET /${"a".repeat(HTTP_LIMITS.maxRequestLineBytes - 14)} HTTP/1.1`;
      assert.equal(fits.length, HTTP_LIMITS.maxRequestLineBytes);
      assert.equal((await exchange(`${fits}\r\nHost: d\r\n\r\n`)).status, 200);
      assert.equal(calls.length, 1);
    });

    it("refuses headers over the limit with 431, an endless header line included, and too many of them", async () => {
      await start();
      assertJsonError(await exchange(`GET / HTTP/1.1\r\nHost: d\r\nX-Pad: ${"p".repeat(3000)}`), 431, /headers too large/);
      const fits = await exchange(`GET / HTTP/1.1\r\nHost: d\r\nX-Pad: ${"p".repeat(2020)}\r\n\r\n`);
      assert.equal(fits.status, 200, "2048 bytes of header lines fit, CRLFs counted");
      let many = "GET / HTTP/1.1\r\nHost: d\r\n";
      for (let i = 0; i < 100; i++) many += `a${i}: b\r\n`;
      assertJsonError(await exchange(many), 431, /too many request headers/);
    });

    it("refuses a Content-Length over the limit with 413 before reading the body, and keeps reading the body a while", async () => {
      await start();
      const peer = await rig.dial();
      peer.send(`POST /api HTTP/1.1\r\nHost: d\r\nContent-Length: ${HTTP_LIMITS.maxBodyBytes + 1}\r\n\r\n`);
      await rig.wait(50);
      const early = parseHttpReply(peer.received());
      assertJsonError(early, 413, /larger than 4096 bytes/);
      // The body the client is still sending is read and dropped, then the connection closes.
      peer.send("x".repeat(3000));
      assert.ok(await rig.closed(peer, 3000), "closed after lingering");
      assert.equal(calls.length, 0);
    });

    it("refuses what HTTP/1.1 does not allow, each with its own answer", async () => {
      await start();
      const cases: [string, number, RegExp][] = [
        ["GARBAGE\r\n\r\n", 400, /malformed request/],
        ["GET /data HTTP/1.1\nHost: d\n\n", 400, /malformed request/],
        ["GET /data HTTP/1.1\r\nHost: d\r\n folded: line\r\n\r\n", 400, /malformed request/],
        ["GET /data HTTP/1.1\r\nHost : d\r\n\r\n", 400, /malformed request/],
        ["GET /data HTTP/1.1\r\n\r\n", 400, /missing Host/],
        ["GET /data HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, /more than one Host/],
        ["POST /api HTTP/1.1\r\nHost: d\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}", 400, /more than one Content-Length/],
        ["POST /api HTTP/1.1\r\nHost: d\r\nContent-Length: 1e3\r\n\r\n", 400, /invalid Content-Length/],
        ["POST /api HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 411, /send a Content-Length/],
        ["POST /api HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 400, /both Transfer-Encoding and Content-Length/],
        ["GET /data HTTP/2.0\r\nHost: d\r\n\r\n", 505, /version not supported/],
        ["BREW /pot HTTP/1.1\r\nHost: d\r\n\r\n", 501, /not implemented/],
        ["CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", 405, /method not allowed/],
        ["TRACE / HTTP/1.1\r\nHost: d\r\n\r\n", 405, /method not allowed/],
        ["GET data HTTP/1.1\r\nHost: d\r\n\r\n", 400, /malformed request/],
      ];
      for (const [request, status, pattern] of cases) assertJsonError(await exchange(request), status, pattern);
      assert.equal(calls.length, 0, "none of them reached the handler");
    });

    it("serves one request per connection: what follows is read and dropped, never executed", async () => {
      await start();
      const pipelined = "POST /a HTTP/1.1\r\nHost: d\r\nContent-Length: 2\r\n\r\n{}POST /b HTTP/1.1\r\nHost: d\r\nContent-Length: 2\r\n\r\n{}";
      const reply = await exchange(pipelined);
      assert.equal(reply.status, 200);
      assert.deepEqual(calls.map((c) => c.path), ["/a"]);
      const stray = await exchange("POST /c HTTP/1.1\r\nHost: d\r\nContent-Length: 2\r\n\r\n{}!");
      assert.equal(stray.status, 200, "answered for what it did");
      assert.deepEqual(calls.map((c) => c.path), ["/a", "/c"]);
      const longer = await exchange("POST /d HTTP/1.1\r\nHost: d\r\nContent-Length: 2\r\n\r\n{}{}{}");
      assert.equal(longer.status, 200);
      assert.equal(calls[2].body, "{}", "exactly Content-Length bytes of body");
    });

    it("reads an absolute-form target as its path, with its authority as the Host", async () => {
      await start();
      const reply = await exchange("GET http://iot-1.local/data?q=1 HTTP/1.1\r\nHost: other\r\n\r\n");
      assert.equal(reply.status, 200);
      assert.equal(calls[0].path, "/data");
      assert.equal(calls[0].query, "q=1");
      assert.equal(calls[0].headers.host, "iot-1.local");
    });

    it("answers the same whatever the splits the bytes arrive in", async () => {
      await start();
      const request = "POST /split HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"a\":\"Küche\"}".replace("13", String(utf8Encode('{"a":"Küche"}').length));
      const answers: string[] = [];
      for (const split of [1, 7, 1460]) answers.push((await exchange(request, { split })).text);
      assert.deepEqual(answers, [answers[0], answers[0], answers[0]]);
      assert.equal(calls.length, 3);
    });

    it("answers a head that does not arrive in time 408, and a body that does not either", async () => {
      await start();
      const head = await rig.dial();
      head.send("GET /da");
      assert.ok(await rig.closed(head, 3000));
      assertJsonError(parseHttpReply(head.received()), 408, /not received in time/);
      const body = await rig.dial();
      body.send("POST /api HTTP/1.1\r\nHost: d\r\nContent-Length: 10\r\n\r\n{");
      assert.ok(await rig.closed(body, 4000));
      assertJsonError(parseHttpReply(body.received()), 408, /not received in time/);
      assert.equal(calls.length, 0);
    });

    it("answers 503 with Retry-After when every slot is taken by a quick client", async () => {
      await start();
      const held: HttpPeer[] = [];
      for (let i = 0; i < HTTP_LIMITS.maxConnections; i++) {
        const peer = await rig.dial({ client: i });
        peer.send("GET /data HTTP/1.1\r\n");
        held.push(peer);
      }
      const extra = await exchange("GET /data HTTP/1.1\r\nHost: d\r\n\r\n", { client: 9 });
      assertJsonError(extra, 503, /too many connections/);
      assert.equal(extra.headers["retry-after"], "1");
      // The held ones are still served when they finish.
      held[0].send("Host: d\r\n\r\n");
      assert.ok(await rig.closed(held[0], 3000));
      assert.equal(parseHttpReply(held[0].received()).status, 200);
      for (const peer of held) peer.close();
    });

    it("gives a new client the slot of the one that has been slow the longest (408), never a quick one's", async () => {
      await start();
      const slow: HttpPeer[] = [];
      for (let i = 0; i < HTTP_LIMITS.maxConnections; i++) {
        const peer = await rig.dial({ client: i });
        peer.send("GET /data HTTP/1.1\r\nX-Slow: ");
        slow.push(peer);
        await rig.wait(20);
      }
      await rig.wait(CONTRACT_LIMITS.slowHeadMs! + 50);
      const served = await exchange("GET /data HTTP/1.1\r\nHost: d\r\n\r\n", { client: 9 });
      assert.equal(served.status, 200);
      assert.ok(await rig.closed(slow[0], 2000), "the slowest was closed");
      assertJsonError(parseHttpReply(slow[0].received()), 408, /make room/);
      assert.equal(slow[1].closed, false, "only as many as needed");
      for (const peer of slow) peer.close();
    });

    it("lets one address keep only two slow connections: its third closes its oldest", async () => {
      await start({ maxConnections: 8 });
      const mine: HttpPeer[] = [];
      for (let i = 0; i < 2; i++) {
        const peer = await rig.dial({ client: 1 });
        peer.send("GET / HTTP/1.1\r\n");
        mine.push(peer);
      }
      await rig.wait(CONTRACT_LIMITS.slowHeadMs! + 50);
      const third = await rig.dial({ client: 1 });
      third.send("GET / HTTP/1.1\r\n");
      assert.ok(await rig.closed(mine[0], 2000));
      assertJsonError(parseHttpReply(mine[0].received()), 408, /too many slow connections from your address/);
      assert.equal(mine[1].closed, false);
      const other = await exchange("GET /data HTTP/1.1\r\nHost: d\r\n\r\n", { client: 2 });
      assert.equal(other.status, 200, "another address is served");
      for (const peer of [...mine, third]) peer.close();
    });
  });
}
