/*
 * The request parser reads a head that arrives whole (as a browser's and curl's do) in one
 * pass, and any other the careful way, line by line: both must come to the same outcome, the
 * same refusal and the same count of extra bytes, for heads at and just over every limit and
 * for every rule a line can break. Each head is pushed whole, then byte by byte (which never
 * takes the one-pass path), and the two are compared. Also: the blank line is free however it
 * is split (its CR alone once counted, so a head at the header limit was refused when split).
 * Runs on Node and on XS.
 */

import { HTTP_LIMITS } from "../../modules/http/limits";
import { RequestParser, type ParseOutcome } from "../../modules/http/request-parser";
import { JS_TEXT_CODEC } from "../../modules/text/js-text-codec";
import { utf8Encode } from "../../modules/text/utf8";
import * as assert from "../support/assert";

/**
 * The outcome, whether bytes came after it, and the phase. How many came after a refusal
 * depends on where in a line it came (the moment a limit is passed, mid-line when bytes come
 * one by one); after a request it is exact, and the server lingers on it either way.
 */
function run(bytes: Uint8Array, piece: number): string {
  const parser = new RequestParser(HTTP_LIMITS, JS_TEXT_CODEC);
  let outcome: ParseOutcome | undefined;
  for (let at = 0; at < bytes.length; at += piece) outcome = parser.push(bytes.subarray(at, Math.min(bytes.length, at + piece))) ?? outcome;
  const extra = outcome?.kind === "refused" ? (parser.extraBytes > 0 ? "some" : "none") : String(parser.extraBytes);
  let text = "more";
  if (outcome?.kind === "refused") text = `refused ${outcome.response.status} ${String(outcome.response.body)}`;
  else if (outcome) {
    const r = outcome.request;
    text = `request ${r.method} ${r.target} ${r.version} ${JSON.stringify(r.headers)} ${r.body ? r.body.length : "-"}`;
  }
  return `${text} / extra ${extra} / ${parser.phase}`;
}

const L = HTTP_LIMITS;
const many = (n: number): string => Array.from({ length: n }, (_, i) => `X-${i}: ${i}\r\n`).join("");
const HEADS: readonly [string, string][] = [
  ["curl's", "GET /data HTTP/1.1\r\nHost: 192.168.1.23\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n"],
  ["OWS, tabs inside and at the ends, an empty value", "GET / HTTP/1.1\r\nHost:  d \t\r\nAccept:\ta\tb \r\nCookie:\r\nReferer:   \r\n\r\n"],
  ["a run of spaces inside a value", `GET / HTTP/1.1\r\nHost: d\r\nAccept: a${" ".repeat(1500)}b\r\n\r\n`],
  ["a run of spaces, then a control character", `GET / HTTP/1.1\r\nHost: d\r\nAccept: a${" ".repeat(1500)}\x01\r\n\r\n`],
  ["a body, then a pipelined request", "POST /api/config HTTP/1.1\r\nHost: d\r\nContent-Length: 5\r\n\r\nhello GET / HTTP/1.1\r\n\r\n"],
  ["a request, then more", "GET / HTTP/1.1\r\nHost: d\r\n\r\nGET /x HTTP/1.1\r\n\r\n"],
  ["two Hosts, then more headers", "GET / HTTP/1.1\r\nHost: a\r\nAccept: x\r\nhost: b\r\nCookie: c\r\n\r\nrest"],
  ["two Content-Lengths", "GET / HTTP/1.1\r\nHost: d\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx"],
  ["absolute form and a Host", "GET http://dev.local:8080/a?b HTTP/1.1\r\nHost: other\r\n\r\n"],
  ["absolute form and two Hosts", "GET http://dev.local/a HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n"],
  ["HTTP/1.0 without Host", "GET / HTTP/1.0\r\n\r\n"],
  ["HTTP/1.1 without Host", "GET / HTTP/1.1\r\nAccept: x\r\n\r\n"],
  ["HTTP/2.0", "GET / HTTP/2.0\r\nHost: d\r\n\r\n"],
  ["an unknown method", "BREW / HTTP/1.1\r\nHost: d\r\n\r\ntrailing"],
  ["TRACE", "TRACE / HTTP/1.1\r\nHost: d\r\n\r\n"],
  ["OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: d\r\n\r\n"],
  ["a target that is neither", "GET abc HTTP/1.1\r\nHost: d\r\n\r\n"],
  ["an empty line before the request line", "\r\nGET / HTTP/1.1\r\nHost: d\r\n\r\n"],
  ["Transfer-Encoding", "POST / HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n"],
  ["a Content-Length over the limit", `POST / HTTP/1.1\r\nHost: d\r\nContent-Length: ${L.maxBodyBytes + 1}\r\n\r\n`],
  ["a bad Content-Length", "POST / HTTP/1.1\r\nHost: d\r\nContent-Length: 1e3\r\n\r\n"],
  ["a space before a colon", "GET / HTTP/1.1\r\nHost : d\r\n\r\n"],
  ["a folded line", "GET / HTTP/1.1\r\nHost: d\r\n folded\r\n\r\n"],
  ["a bare LF", "GET / HTTP/1.1\r\nHost: d\n\r\n"],
  ["a bare CR in a value", "GET / HTTP/1.1\r\nHost: d\rx\r\n\r\n"],
  ["DEL in a value", "GET / HTTP/1.1\r\nHost: d\x7f\r\n\r\n"],
  ["a header without a colon", "GET / HTTP/1.1\r\nHost: d\r\nnocolon\r\n\r\n"],
  ["a name that is not a token", "GET / HTTP/1.1\r\nHost: d\r\nX(y): 1\r\n\r\n"],
  ["not ASCII", "GET / HTTP/1.1\r\nHost: d\r\nUser-Agent: caf\u00e9\r\n\r\n"],
  ["the request line at its limit", `GET /${"a".repeat(L.maxRequestLineBytes - 14)} HTTP/1.1\r\nHost: d\r\n\r\n`],
  ["the request line one over", `GET /${"a".repeat(L.maxRequestLineBytes - 13)} HTTP/1.1\r\nHost: d\r\n\r\n`],
  ["headers at their count", `GET / HTTP/1.1\r\nHost: d\r\n${many(L.maxHeaderCount - 1)}\r\n`],
  ["headers one over their count", `GET / HTTP/1.1\r\nHost: d\r\n${many(L.maxHeaderCount)}\r\n`],
  ["a duplicate Host before the count is reached", `GET / HTTP/1.1\r\nHost: d\r\nHost: e\r\n${many(L.maxHeaderCount)}\r\n`],
  ["header bytes at their limit", `GET / HTTP/1.1\r\nHost: d\r\nCookie: ${"c".repeat(L.maxHeaderBytes - 19)}\r\n\r\n`],
  ["header bytes one over", `GET / HTTP/1.1\r\nHost: d\r\nCookie: ${"c".repeat(L.maxHeaderBytes - 18)}\r\n\r\n`],
  ["too many bytes and malformed after", `GET / HTTP/1.1\r\nCookie: ${"c".repeat(L.maxHeaderBytes)}\r\nbad\r\n\r\n`],
  ["a head that ends before its blank line", "GET / HTTP/1.1\r\nHost: d\r\nAccept: x\r\n"],
];

describe("request parser: a head read whole and line by line", () => {
  for (const [name, head] of HEADS)
    it(`${name}: the same outcome and extra bytes`, () => {
      const bytes = utf8Encode(head);
      assert.equal(run(bytes, bytes.length), run(bytes, 1));
    });

  it("keeps the values as sent, without their OWS", () => {
    const out = run(utf8Encode("GET / HTTP/1.1\r\nHost:  d \t\r\nAccept:\ta\tb \r\nCookie:\r\n\r\n"), 1 << 20);
    assert.ok(out.startsWith('request GET / HTTP/1.1 {"host":"d","accept":"a\\tb","cookie":""} -'), out);
  });
});
