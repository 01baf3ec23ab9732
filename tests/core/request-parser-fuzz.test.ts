/*
 * Property-based fuzz (fast-check) of the request parser the device and the simulator both use
 * (modules/http/request-parser.ts), fed through RequestParser directly: whatever bytes arrive,
 * in whatever splits, the parser
 * - reaches the same outcome however the bytes are split (one push, bytes one by one, odd pieces);
 * - refuses with a status it documents, or yields one request whose body is exactly its
 *   Content-Length;
 * - never throws, and never keeps more than the limits allow (its line buffer stays within the
 *   part's budget: checked by never accepting a longer line than the limit).
 * Runs on Node and (a tenth of the runs) on XS.
 */

import { HTTP_LIMITS } from "../../modules/http/limits";
import { RequestParser, type ParseOutcome } from "../../modules/http/request-parser";
import { JS_TEXT_CODEC } from "../../modules/text/js-text-codec";
import { utf8Encode } from "../../modules/text/utf8";
import * as assert from "../support/assert";
import fc, { scaledRuns } from "../support/fast-check";

const RUNS = { numRuns: scaledRuns(300) };
const STATUSES = [400, 405, 411, 413, 414, 431, 501, 505];

function parse(bytes: Uint8Array, pieces: readonly number[]): { outcome: ParseOutcome | undefined; extra: number } {
  const parser = new RequestParser(HTTP_LIMITS, JS_TEXT_CODEC);
  let outcome: ParseOutcome | undefined;
  let at = 0;
  let i = 0;
  while (at < bytes.length) {
    const n = Math.max(1, pieces.length ? pieces[i++ % pieces.length] : bytes.length);
    const result = parser.push(bytes.subarray(at, at + n));
    if (result) {
      assert.equal(outcome, undefined, "one outcome per connection");
      outcome = result;
    }
    at += n;
  }
  return { outcome, extra: parser.extraBytes };
}

function summary(outcome: ParseOutcome | undefined): string {
  if (!outcome) return "more";
  if (outcome.kind === "refused") return `refused ${outcome.response.status} ${String(outcome.response.body)}`;
  const r = outcome.request;
  return `request ${r.method} ${r.target} ${JSON.stringify(r.headers)} ${r.body ? Array.from(r.body).join(",") : ""}`;
}

const token = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}$/);
const headerValue = fc.stringMatching(/^[ -~]{0,40}$/);
const requestArb = fc
  .record({
    method: fc.constantFrom("GET", "POST", "HEAD", "PUT", "BREW", "CONNECT", "get"),
    path: fc.oneof(fc.constant("/"), fc.stringMatching(/^\/[!-~]{0,60}$/), fc.constant(`/${"x".repeat(600)}`)),
    version: fc.constantFrom("HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/1.1 "),
    headers: fc.array(fc.tuple(token, headerValue), { maxLength: 8 }),
    host: fc.boolean(),
    body: fc.uint8Array({ maxLength: 64 }),
    declared: fc.option(fc.integer({ min: 0, max: 5000 })),
    eol: fc.constantFrom("\r\n", "\n", "\r\n"),
    tail: fc.uint8Array({ maxLength: 16 }),
  })
  .map((r) => {
    let head = `${r.method} ${r.path} ${r.version}${r.eol}`;
    if (r.host) head += `Host: d${r.eol}`;
    for (const [name, value] of r.headers) head += `${name}: ${value}${r.eol}`;
    if (r.declared !== null) head += `Content-Length: ${r.declared}${r.eol}`;
    const headBytes = utf8Encode(`${head}${r.eol}`);
    const out = new Uint8Array(headBytes.length + r.body.length + r.tail.length);
    out.set(headBytes);
    out.set(r.body, headBytes.length);
    out.set(r.tail, headBytes.length + r.body.length);
    return out;
  });
const bytesArb = fc.oneof(requestArb, fc.uint8Array({ maxLength: 300 }), requestArb.map((b) => b.subarray(0, Math.floor(b.length / 2))));
const piecesArb = fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 6 });

describe("request parser fuzz (the parser every host uses)", () => {
  it("reaches the same outcome however the bytes are split", () => {
    fc.assert(
      fc.property(bytesArb, piecesArb, (bytes, pieces) => {
        const whole = summary(parse(bytes, []).outcome);
        assert.equal(summary(parse(bytes, [1]).outcome), whole);
        assert.equal(summary(parse(bytes, pieces).outcome), whole);
      }),
      RUNS,
    );
  });

  it("refuses with a documented status, or yields one request within the limits", () => {
    fc.assert(
      fc.property(bytesArb, (bytes) => {
        const { outcome, extra } = parse(bytes, [7]);
        if (!outcome) return;
        if (outcome.kind === "refused") {
          assert.ok(STATUSES.includes(outcome.response.status), `status ${outcome.response.status}`);
          assert.match(String(outcome.response.body), /^\{"error":"/);
          return;
        }
        const r = outcome.request;
        assert.ok(r.target.length <= HTTP_LIMITS.maxRequestLineBytes, "the target fits the request line");
        assert.ok(Object.keys(r.headers).length <= HTTP_LIMITS.maxHeaderCount);
        const declared = r.headers["content-length"];
        assert.equal(r.body?.length ?? 0, declared === undefined ? 0 : Number(declared), "exactly Content-Length bytes of body");
        assert.ok(extra >= 0);
        if (r.version === "HTTP/1.1") assert.ok("host" in r.headers, "an HTTP/1.1 request has a Host");
      }),
      RUNS,
    );
  });
});
