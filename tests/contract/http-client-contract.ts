/*
 * The HttpClient contract: what the core's TcpHttpClient (modules/http/http-client.ts) must do
 * with what real servers and networks send, over every host's Tcp: MemoryTcp (the core's tests,
 * on Node and XS), NodeTcp over real loopback (tests/node/http-client.test.ts) and ModdableTcp
 * over the SDK socket stand-in on XS (tests/moddable/on-xs/http-client.xs.ts).
 *
 * The server is scripted at byte level on the same Tcp (a listener of the host under test):
 * it answers with a Content-Length, chunked or close-delimited body, in pieces as its send
 * buffer allows, slowly when asked, and breaks the way networks do (a reset mid-body, a close
 * before Content-Length, a stall). Engine-neutral: describe/it globals and support/assert.ts.
 */

import type { Clock } from "../../modules/host/clock";
import type { Tcp, TcpConnection } from "../../modules/host/tcp";
import type { HttpClient, HttpDownloadHandler, HttpResponseHead } from "../../modules/http/http-client";
import { utf8Encode } from "../../modules/text/utf8";
import * as assert from "../support/assert";

export interface HttpClientRig {
  /** The Tcp the client runs over; the scripted server listens on it too. */
  readonly tcp: Tcp;
  /** The host's clock: the server's delays. */
  readonly clock: Clock;
  /** Where the client connects ("127.0.0.1"), and the port to listen on (0: any). */
  readonly host: string;
  readonly port: number;
  makeClient(): HttpClient;
  /** Lets time pass (virtual or real). */
  wait(ms: number): Promise<void>;
  until(condition: () => boolean, ms: number): Promise<boolean>;
  stop(): Promise<void>;
}

export interface ScriptedRoute {
  status?: number;
  body?: Uint8Array;
  /** Content-Length to announce: the body's by default; null sends none (read until close). */
  contentLength?: number | null;
  chunked?: boolean;
  location?: string;
  /** Bytes per write (default 4096). */
  chunkBytes?: number;
  /** Pause between writes, on the host's clock. */
  delayMs?: number;
  /** Send this many body bytes, then close normally (FIN). */
  endAfter?: number;
  /** Send this many body bytes, then reset (abort). */
  abortAfter?: number;
}

const REASONS: Readonly<Record<number, string>> = Object.freeze({ 200: "OK", 302: "Found", 404: "Not Found", 500: "Internal Server Error" });

/** A server on the rig's Tcp that answers each request from its routes, byte by byte. */
class ScriptedServer {
  readonly requests: string[] = [];
  readonly #routes = new Map<string, ScriptedRoute>();
  readonly #open: TcpConnection[] = [];
  #close: (() => void) | undefined;
  port = 0;
  /** Closes a connection once this many bytes of a request head have come, unanswered. */
  closeAfterHeadBytes: number | undefined;

  constructor(private readonly rig: HttpClientRig) {}

  route(path: string, route: ScriptedRoute): void {
    this.#routes.set(path, route);
  }

  async start(): Promise<void> {
    const listener = this.rig.tcp.listen({ port: this.rig.port, host: this.rig.host }, (connection) => this.#connection(connection));
    this.#close = () => listener.close();
    this.port = (await listener.ready).port;
  }

  stop(): void {
    this.#close?.();
    for (const c of this.#open.splice(0)) c.close();
  }

  #connection(connection: TcpConnection): void {
    this.#open.push(connection);
    let head = "";
    let answered = false;
    let pump: () => void = () => undefined;
    connection.listen({
      data: (bytes) => {
        if (answered) return;
        for (let i = 0; i < bytes.length; i++) head += String.fromCharCode(bytes[i]);
        if (this.closeAfterHeadBytes !== undefined && head.length >= this.closeAfterHeadBytes) {
          answered = true;
          connection.close();
          return;
        }
        const end = head.indexOf("\r\n\r\n");
        if (end < 0) return;
        answered = true;
        const [method, path] = head.slice(0, head.indexOf("\r\n")).split(" ");
        this.requests.push(`${method} ${path}`);
        pump = this.#answer(connection, this.#routes.get(path) ?? { status: 404, body: utf8Encode("not found\n") });
        pump();
      },
      writable: () => pump(),
      closed: () => undefined,
    });
  }

  /** Returns the pump: it writes what fits, and is called again on each 'writable'. */
  #answer(connection: TcpConnection, route: ScriptedRoute): () => void {
    const status = route.status ?? 200;
    const body = route.body ?? new Uint8Array(0);
    const lines = [`HTTP/1.1 ${status} ${REASONS[status] ?? "Status"}`, "Connection: close", "Content-Type: application/octet-stream"];
    if (route.location !== undefined) lines.push(`Location: ${route.location}`);
    if (route.chunked) lines.push("Transfer-Encoding: chunked");
    else if (route.contentLength !== null) lines.push(`Content-Length: ${route.contentLength ?? body.length}`);
    const limit = Math.min(body.length, route.endAfter ?? route.abortAfter ?? body.length);
    const step = route.chunkBytes ?? 4096;
    // What is still to send, in order: the head, then each piece (framed when chunked), then the end.
    const queue: Uint8Array[] = [utf8Encode(lines.join("\r\n") + "\r\n\r\n")];
    for (let at = 0; at < limit; at += step) {
      const piece = body.subarray(at, Math.min(limit, at + step));
      queue.push(route.chunked ? concat(utf8Encode(`${piece.length.toString(16)}\r\n`), piece, utf8Encode("\r\n")) : piece);
    }
    if (route.chunked && route.endAfter === undefined && route.abortAfter === undefined) queue.push(utf8Encode("0\r\n\r\n"));
    let waiting = false;
    let finished = false;
    const pump = (): void => {
      while (!waiting && !finished) {
        const next = queue[0];
        if (!next) {
          finished = true;
          if (route.abortAfter !== undefined) connection.abort();
          else connection.close();
          return;
        }
        if (connection.writable() < next.length) return; // 'writable' calls pump again
        queue.shift();
        connection.write(next);
        if (route.delayMs && queue.length) {
          waiting = true;
          this.rig.clock.set(() => {
            waiting = false;
            pump();
          }, route.delayMs);
        }
      }
    };
    return pump;
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

interface Recording {
  head?: HttpResponseHead;
  bytes: number[];
  fragments: number;
  calls: string[];
  done: boolean;
}

function record(onData?: (r: Recording) => void): { handler: HttpDownloadHandler; rec: Recording } {
  const rec: Recording = { bytes: [], fragments: 0, calls: [], done: false };
  const handler: HttpDownloadHandler = {
    response(head) {
      rec.head = head;
      rec.calls.push("response");
    },
    data(fragment) {
      rec.fragments++;
      for (let i = 0; i < fragment.length; i++) rec.bytes.push(fragment[i]);
      if (rec.calls.at(-1) !== "data") rec.calls.push("data");
      onData?.(rec);
    },
    end() {
      rec.calls.push("end");
      rec.done = true;
    },
    error(message) {
      rec.calls.push(`error: ${message}`);
      rec.done = true;
    },
  };
  return { handler, rec };
}

function bytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + 7) & 0xff;
  return out;
}

export function httpClientContract(name: string, makeRig: () => HttpClientRig): void {
  describe(`HttpClient contract: ${name}`, function () {
    let rig: HttpClientRig;
    let server: ScriptedServer;
    let client: HttpClient;
    const body = bytes(100_000);

    beforeEach(async () => {
      rig = makeRig();
      server = new ScriptedServer(rig);
      await server.start();
      client = rig.makeClient();
    });
    afterEach(async () => {
      server.stop();
      await rig.stop();
    });

    function get(path: string, handler: HttpDownloadHandler) {
      return client.get({ host: rig.host, port: server.port, path }, handler);
    }

    async function finished(rec: Recording, what: string): Promise<void> {
      assert.ok(await rig.until(() => rec.done, 10_000), `${what}: the download ended`);
    }

    it("streams a body in fragments: response, data..., end; Content-Length reported", async () => {
      server.route("/fw.bin", { body, chunkBytes: 4096 });
      const { handler, rec } = record();
      get("/fw.bin", handler);
      await finished(rec, "/fw.bin");
      assert.deepEqual(rec.calls, ["response", "data", "end"]);
      assert.deepEqual(rec.head, { status: 200, contentLength: body.length, location: undefined });
      assert.ok(rec.fragments > 1, "in more than one fragment");
      assert.deepEqual(Uint8Array.from(rec.bytes), body);
      assert.deepEqual(server.requests, ["GET /fw.bin"]);
    });

    it("sends a request head longer than the connection takes at once, in pieces (a signed URL of 7 KB)", async () => {
      // Longer than lwIP's 5,744-byte send buffer (MemoryTcp's and the socket stand-in's).
      const path = `/signed?sig=${"a1b2c3d4".repeat(875)}`;
      server.route(path, { body: body.subarray(0, 1000) });
      const { handler, rec } = record();
      get(path, handler);
      await finished(rec, "the long URL");
      assert.deepEqual(rec.calls, ["response", "data", "end"]);
      assert.deepEqual(server.requests, [`GET ${path}`]);
    });

    it("says the connection closed, not that there was none, when it closes part way through a long head", async () => {
      server.closeAfterHeadBytes = 1000;
      const { handler, rec } = record();
      // Several send buffers long: on MemoryTcp and the socket stand-in (lwIP's 5,744 bytes) part
      // of it is still unsent when the close arrives; NodeTcp takes it all at once.
      get(`/signed?sig=${"a1b2c3d4".repeat(4000)}`, handler);
      await finished(rec, "the long URL");
      assert.deepEqual(rec.calls, ["error: connection closed before a response"]);
    });

    it("reads a chunked body and a body that ends when the connection closes", async () => {
      server.route("/chunked", { body, chunked: true, chunkBytes: 3000 });
      server.route("/close", { body, contentLength: null });
      for (const path of ["/chunked", "/close"]) {
        const { handler, rec } = record();
        get(path, handler);
        await finished(rec, path);
        assert.deepEqual(rec.calls, ["response", "data", "end"], path);
        assert.equal(rec.head?.contentLength, undefined, path);
        assert.deepEqual(Uint8Array.from(rec.bytes), body, path);
      }
    });

    it("reports an error status and a redirect without following it", async () => {
      server.route("/moved", { status: 302, location: "/elsewhere.bin" });
      server.route("/broken", { status: 500, body: bytes(10) });
      const moved = record();
      get("/moved", moved.handler);
      await finished(moved.rec, "/moved");
      assert.equal(moved.rec.head?.status, 302);
      assert.equal(moved.rec.head?.location, "/elsewhere.bin");
      assert.deepEqual(server.requests, ["GET /moved"]);
      const broken = record();
      get("/broken", broken.handler);
      await finished(broken.rec, "/broken");
      assert.equal(broken.rec.head?.status, 500);
      assert.deepEqual(broken.rec.calls, ["response", "data", "end"]);
    });

    it("says a refused connection failed, with no response", async () => {
      const port = server.port;
      server.stop();
      const { handler, rec } = record();
      client.get({ host: rig.host, port, path: "/" }, handler);
      await finished(rec, "refused");
      assert.equal(rec.calls.length, 1);
      assert.match(rec.calls[0], /^error: (connection refused|no connection)/);
    });

    it("reports a connection dropped mid-body, or closed before Content-Length, as an error, never as end", async () => {
      server.route("/reset", { body, abortAfter: 10_000, chunkBytes: 2000 });
      server.route("/short", { body, endAfter: 10_000, chunkBytes: 2000 });
      for (const path of ["/reset", "/short"]) {
        const { handler, rec } = record();
        get(path, handler);
        await finished(rec, path);
        assert.equal(rec.calls.at(-1), "error: connection dropped", path);
        assert.ok(rec.bytes.length <= 10_000, path);
      }
    });

    it("calls nothing after abort(), also when aborted from inside data()", async () => {
      server.route("/slow", { body, chunkBytes: 1000, delayMs: 5 });
      let download: ReturnType<typeof get> | undefined;
      const { handler, rec } = record((r) => {
        if (r.fragments === 3) download?.abort();
      });
      download = get("/slow", handler);
      assert.ok(await rig.until(() => rec.fragments >= 3, 5_000), "three fragments arrived");
      await rig.wait(200);
      assert.equal(rec.fragments, 3);
      assert.deepEqual(rec.calls, ["response", "data"]);
      download.abort();
    });

    it("stops when a handler throws, and calls nothing more", async () => {
      server.route("/fw.bin", { body, chunkBytes: 1000, delayMs: 2 });
      let calls = 0;
      get("/fw.bin", {
        response: () => void calls++,
        data: () => {
          calls++;
          throw new Error("boom");
        },
        end: () => void calls++,
        error: () => void calls++,
      });
      assert.ok(await rig.until(() => calls >= 2, 5_000));
      await rig.wait(200);
      assert.equal(calls, 2, "response and the throwing data() only");
    });
  });
}
