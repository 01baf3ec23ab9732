/*
 * The request headers a handler sees: the ones the framework reads (KEPT_HEADERS) and those a
 * server was told to keep for its features, and no others. On XS a property name is interned
 * for good, so a header object that took any name a client makes up would keep each new name
 * in memory across requests (tests/xs/http-memory.test.ts measures it). Runs on Node and on XS.
 */

import { HttpServer } from "../../modules/http/http-server";
import type { HttpRequest } from "../../modules/http/http-message";
import { isKeptHeader, KEPT_HEADERS, RequestParser, requestPatterns } from "../../modules/http/request-parser";
import { HTTP_LIMITS } from "../../modules/http/limits";
import { json } from "../../modules/http/response";
import { JS_TEXT_CODEC } from "../../modules/text/js-text-codec";
import { utf8Encode } from "../../modules/text/utf8";
import * as assert from "../support/assert";
import { MemoryTcp, settle } from "../support/memory-tcp";
import { VirtualClock } from "../support/virtual-clock";

function parse(head: string, keep: readonly string[] = []): Record<string, string> {
  const outcome = new RequestParser(HTTP_LIMITS, JS_TEXT_CODEC, requestPatterns(keep)).push(utf8Encode(head));
  if (outcome?.kind !== "request") throw new Error(`not a request: ${JSON.stringify(outcome)}`);
  return outcome.request.headers;
}

describe("request headers a handler sees", () => {
  it("keeps the framework's headers and drops the rest, still counting them against the limits", () => {
    const headers = parse("GET / HTTP/1.1\r\nHost: d\r\nX-Made-Up-1: a\r\nAccept: */*\r\nX-Made-Up-2: b\r\nIf-None-Match: \"v1\"\r\n\r\n");
    assert.deepEqual(Object.keys(headers).sort(), ["accept", "host", "if-none-match"]);
    assert.equal(headers["if-none-match"], '"v1"');
    // Dropped headers still count: the 41st line is refused, whatever its name.
    const many = `GET / HTTP/1.1\r\nHost: d\r\n${"X-Junk: 1\r\n".repeat(HTTP_LIMITS.maxHeaderCount)}\r\n`;
    const outcome = new RequestParser(HTTP_LIMITS, JS_TEXT_CODEC).push(utf8Encode(many));
    assert.equal(outcome?.kind === "refused" ? outcome.response.status : 0, 431);
  });

  it("still refuses a malformed header it would have dropped", () => {
    const outcome = new RequestParser(HTTP_LIMITS, JS_TEXT_CODEC).push(utf8Encode("GET / HTTP/1.1\r\nHost: d\r\nX-Bad : x\r\n\r\n"));
    assert.equal(outcome?.kind === "refused" ? outcome.response.status : 0, 400);
  });

  it("checks the kept names with a switch that lists exactly KEPT_HEADERS", () => {
    for (const name of KEPT_HEADERS) assert.equal(isKeptHeader(name), true, name);
    for (const name of ["x-forwarded-for", "Host", "hosts", "", "constructor", "__proto__", "toString", "accept "]) assert.equal(isKeptHeader(name), false, name);
    // Every kept name a request carries is kept, and nothing else: the list and the switch agree.
    const head = `GET / HTTP/1.1\r\n${KEPT_HEADERS.map((n) => `${n}: v`).join("\r\n")}\r\nx-other: v\r\n\r\n`.replace("content-length: v", "content-length: 0").replace("transfer-encoding: v\r\n", "").replace("expect: v\r\n", "");
    assert.deepEqual(Object.keys(parse(head)).sort(), KEPT_HEADERS.filter((n) => n !== "transfer-encoding" && n !== "expect").sort());
  });

  it("keeps what the server adds, in any case", () => {
    assert.deepEqual(parse("GET / HTTP/1.1\r\nHost: d\r\nX-Guestbook-Key: k3y\r\n\r\n", ["X-Guestbook-Key"]), { host: "d", "x-guestbook-key": "k3y" });
    for (const name of KEPT_HEADERS) assert.equal(name, name.toLowerCase());
  });

  it("through the server: a feature's declared header reaches its handler, a made-up one does not", async () => {
    const tcp = new MemoryTcp();
    let seen: HttpRequest | undefined;
    const service = new HttpServer({ tcp, clock: new VirtualClock(), requestHeaders: ["x-guestbook-key"] }).serve({ port: 80 }, (request) => {
      seen = request;
      return json(200, { ok: true });
    });
    await service.ready;
    const peer = tcp.dial(80);
    peer.send(utf8Encode("GET /api HTTP/1.1\r\nHost: d\r\nX-Guestbook-Key: k3y\r\nX-Other: 1\r\n\r\n"));
    await settle();
    assert.deepEqual(seen?.headers, { host: "d", "x-guestbook-key": "k3y" });
    service.close();
  });
});
