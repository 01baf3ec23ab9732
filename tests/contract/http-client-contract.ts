/*
 * The HttpClient contract: what every host's client must do with what real servers and networks
 * send, run against each client that runs here (the simulator's node:http one) with the
 * ImageServer. The device's client (Moddable's http Request) cannot run here; its host file
 * documents how it keeps the same promises.
 */

import * as assert from "node:assert/strict";
import type { HttpClient, HttpDownloadHandler, HttpResponseHead } from "../../modules/http/http-client";
import { ImageServer } from "../support/image-server";

interface Recording {
  head?: HttpResponseHead;
  bytes: number[];
  fragments: number;
  calls: string[];
  done: Promise<void>;
}

function record(onData?: (r: Recording) => void): { handler: HttpDownloadHandler; rec: Recording } {
  let finished: () => void = () => undefined;
  const rec: Recording = { bytes: [], fragments: 0, calls: [], done: new Promise((resolve) => (finished = resolve)) };
  const handler: HttpDownloadHandler = {
    response(head) {
      rec.head = head;
      rec.calls.push("response");
    },
    data(fragment) {
      rec.fragments++;
      for (const b of fragment) rec.bytes.push(b);
      if (rec.calls.at(-1) !== "data") rec.calls.push("data");
      onData?.(rec);
    },
    end() {
      rec.calls.push("end");
      finished();
    },
    error(message) {
      rec.calls.push(`error: ${message}`);
      finished();
    },
  };
  return { handler, rec };
}

function bytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + 7) & 0xff;
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function httpClientContract(name: string, makeClient: () => HttpClient): void {
  describe(`HttpClient contract: ${name}`, function () {
    this.timeout(10_000);
    let server: ImageServer;
    let client: HttpClient;
    const body = bytes(100_000);

    beforeEach(async () => {
      server = new ImageServer();
      await server.start();
      client = makeClient();
    });
    afterEach(async () => {
      await server.close();
    });

    function get(path: string, handler: HttpDownloadHandler) {
      return client.get({ host: "127.0.0.1", port: server.port, path }, handler);
    }

    it("streams a body in fragments: response, data..., end; Content-Length reported", async () => {
      server.route("/fw.bin", { body, chunkBytes: 4096 });
      const { handler, rec } = record();
      get("/fw.bin", handler);
      await rec.done;
      assert.deepEqual(rec.calls, ["response", "data", "end"]);
      assert.deepEqual(rec.head, { status: 200, contentLength: body.length, location: undefined });
      assert.ok(rec.fragments > 1, "in more than one fragment");
      assert.deepEqual(new Uint8Array(rec.bytes), body);
    });

    it("reads a chunked body and a body that ends when the connection closes", async () => {
      server.route("/chunked", { body, chunked: true, chunkBytes: 3000 });
      server.route("/close", { body, contentLength: null });
      for (const path of ["/chunked", "/close"]) {
        const { handler, rec } = record();
        get(path, handler);
        await rec.done;
        assert.deepEqual(rec.calls, ["response", "data", "end"], path);
        assert.equal(rec.head?.contentLength, undefined, path);
        assert.deepEqual(new Uint8Array(rec.bytes), body, path);
      }
    });

    it("reports an error status and a redirect without following it", async () => {
      server.route("/moved", { status: 302, location: "/elsewhere.bin" });
      server.route("/broken", { status: 500, body: bytes(10) });
      const moved = record();
      get("/moved", moved.handler);
      await moved.rec.done;
      assert.equal(moved.rec.head?.status, 302);
      assert.equal(moved.rec.head?.location, "/elsewhere.bin");
      assert.deepEqual(server.requests, ["GET /moved"]);
      const broken = record();
      get("/broken", broken.handler);
      await broken.rec.done;
      assert.equal(broken.rec.head?.status, 500);
      assert.deepEqual(broken.rec.calls, ["response", "data", "end"]);
    });

    it("says a refused connection is refused, with no response", async () => {
      const closed = new ImageServer();
      await closed.start();
      const port = closed.port;
      await closed.close();
      const { handler, rec } = record();
      client.get({ host: "127.0.0.1", port, path: "/" }, handler);
      await rec.done;
      assert.deepEqual(rec.calls, ["error: connection refused"]);
    });

    it("reports a connection dropped mid-body, or closed before Content-Length, as an error, never as end", async () => {
      server.route("/reset", { body, destroyAfter: 30_000, chunkBytes: 10_000 });
      server.route("/short", { body, endAfter: 30_000, chunkBytes: 10_000 });
      for (const path of ["/reset", "/short"]) {
        const { handler, rec } = record();
        get(path, handler);
        await rec.done;
        assert.equal(rec.calls.at(-1), "error: connection dropped", path);
        assert.ok(rec.bytes.length <= 30_000, path);
      }
    });

    it("calls nothing after abort(), also when aborted from inside data()", async () => {
      server.route("/slow", { body, chunkBytes: 1000, delayMs: 2 });
      let download: ReturnType<typeof get> | undefined;
      const { handler, rec } = record((r) => {
        if (r.fragments === 3) download?.abort();
      });
      download = get("/slow", handler);
      await sleep(300);
      assert.equal(rec.fragments, 3);
      assert.deepEqual(rec.calls, ["response", "data"]);
      download.abort();
    });

    it("stops when a handler throws, and calls nothing more", async () => {
      server.route("/fw.bin", { body, chunkBytes: 1000, delayMs: 1 });
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
      await sleep(200);
      assert.equal(calls, 2, "response and the throwing data() only");
    });
  });
}
