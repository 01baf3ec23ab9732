/*
 * The same bad request gets the same bytes back from every host: each request of the hardening
 * suite is sent to the core's server over the simulator's real sockets and over the in-memory
 * wire (what the device host's socket stand-in and the core tests use), and the answers are
 * compared byte for byte. One server, so one answer: this proves no host adds its own.
 */

import * as assert from "node:assert/strict";
import { connect } from "node:net";
import { NodeClock } from "../../hosts/node/clock";
import { NodeTcp } from "../../hosts/node/tcp";
import { NODE_TEXT_CODEC } from "../../hosts/node/text-codec";
import type { HttpHandler } from "../../modules/http/http-message";
import { HttpServer } from "../../modules/http/http-server";
import { json } from "../../modules/http/response";
import { MemoryTcp, settle } from "../support/memory-tcp";
import { VirtualClock } from "../support/virtual-clock";

const BAD: readonly string[] = [
  "GARBAGE\r\n\r\n",
  `GET /${"a".repeat(600)} HTTP/1.1\r\nHost: d\r\n\r\n`,
  `GET / HTTP/1.1\r\nHost: d\r\nX-Pad: ${"p".repeat(3000)}\r\n\r\n`,
  "GET /data HTTP/1.1\nHost: d\n\n",
  "GET /data HTTP/1.1\r\n\r\n",
  "GET /data HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
  "POST /api HTTP/1.1\r\nHost: d\r\nContent-Length: 99999\r\n\r\n",
  "POST /api HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n",
  "BREW /pot HTTP/1.1\r\nHost: d\r\n\r\n",
  "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n",
  "GET / HTTP/2.0\r\nHost: d\r\n\r\n",
  "HEAD /data HTTP/1.1\r\nHost: d\r\n\r\n",
];

const handler: HttpHandler = (request) => json(200, { path: request.path });

async function viaMemory(request: string): Promise<string> {
  const tcp = new MemoryTcp();
  const service = new HttpServer({ tcp, clock: new VirtualClock() }).serve({ port: 80 }, handler);
  const peer = tcp.dial((await service.ready).port);
  peer.send(request);
  for (let i = 0; i < 20 && !peer.closed; i++) await settle();
  service.close();
  return Buffer.from(peer.bytes()).toString("latin1");
}

async function viaNode(request: string): Promise<string> {
  const tcp = new NodeTcp();
  const clock = new NodeClock();
  const service = new HttpServer({ tcp, clock, text: NODE_TEXT_CODEC }).serve({ port: 0, host: "127.0.0.1" }, handler);
  const { port } = await service.ready;
  const bytes = await new Promise<Buffer>((resolve) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(request));
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", () => undefined);
    socket.on("close", () => resolve(Buffer.concat(chunks)));
  });
  service.close();
  tcp.shutdown();
  clock.shutdown();
  return bytes.toString("latin1");
}

describe("HttpServer: the same bytes on every host", function () {
  this.timeout(30_000);
  for (const request of BAD) {
    it(`answers ${JSON.stringify(request.slice(0, 40))} identically`, async () => {
      const [memory, node] = await Promise.all([viaMemory(request), viaNode(request)]);
      assert.ok(memory.startsWith("HTTP/1.1 "), memory.slice(0, 60));
      assert.equal(node, memory);
    });
  }
});
