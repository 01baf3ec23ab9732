/*
 * The HTTP checks that are scans, not regular expressions held per server (a compiled regex
 * holds heap on the device for as long as the server lives): a token (header names, requests'
 * and responses'), a header value's forbidden characters, a Content-Length's digits, a response
 * header's line break. Each is checked against the expression it replaced on every character up
 * to U+2030 (and astral ones), alone and inside otherwise good text, through the parser and the
 * writer's public behaviour. Runs on Node and on XS.
 */

import type { TcpConnection } from "../../modules/host/tcp";
import { HTTP_LIMITS } from "../../modules/http/limits";
import { isToken, RequestParser, requestPatterns } from "../../modules/http/request-parser";
import { ResponseWriter, responsePatterns } from "../../modules/http/response-writer";
import { JS_TEXT_CODEC } from "../../modules/text/js-text-codec";
import { utf8Encode } from "../../modules/text/utf8";
import * as assert from "../support/assert";
import { onNode } from "../support/engine";

/**
 * The characters to try: U+0000 to U+2030, a few beyond, and an astral one. On XS, where each
 * case runs about ten times slower, every one below U+0100 and U+2028/U+2029 but a tenth of the
 * rest (it was 23 s of the XS run); Node tries them all.
 */
function characters(): string[] {
  const out: string[] = [];
  const step = onNode ? 1 : 10;
  for (let c = 0; c <= 0x2030; c++) if (c < 0x100 || c % step === 0 || c === 0x2028 || c === 0x2029) out.push(String.fromCharCode(c));
  out.push("\ufeff", "\uffff", "\u{1f600}");
  return out;
}

class Sink implements TcpConnection {
  readonly remoteAddress = "10.0.0.1";
  listen(): void {}
  writable(): number {
    return 5744;
  }
  write(): void {}
  close(): void {}
  abort(): void {}
}

/**
 * The parser's answer to a head read line by line: in two pieces (the byte path), or in one
 * (text lines, when the whole-head pass does not take it: a control character, say).
 */
function parse(head: string, whole = false): { status: number; message?: string; headers?: Record<string, string> } {
  const parser = new RequestParser(HTTP_LIMITS, JS_TEXT_CODEC, requestPatterns(["x-odd"]));
  const bytes = utf8Encode(head);
  let outcome = parser.push(whole ? bytes : bytes.subarray(0, 5));
  if (!whole) outcome ??= parser.push(bytes.subarray(5));
  if (!outcome) return { status: 0 };
  if (outcome.kind === "request") return { status: 200, headers: outcome.request.headers };
  return { status: outcome.response.status, message: JSON.parse(String(outcome.response.body)).error as string };
}

describe("HTTP scans (token, header value, Content-Length, line break)", () => {
  const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
  const control = /[\x00-\x08\x0a-\x1f\x7f\u2028\u2029]/;

  it("isToken agrees with RFC 9110's tchar expression on every character, alone and inside a name", () => {
    assert.equal(isToken(""), false);
    let tokens = 0;
    for (const c of characters()) {
      assert.equal(isToken(c), token.test(c), `U+${c.codePointAt(0)?.toString(16)}`);
      assert.equal(isToken(`ab${c}cd`), token.test(`ab${c}cd`), `inside: U+${c.codePointAt(0)?.toString(16)}`);
      if (isToken(c)) tokens++;
    }
    // 10 digits, 52 letters and 15 marks.
    assert.equal(tokens, 77);
  });

  it("a header value is refused for exactly the characters the old expression refused", () => {
    for (const c of characters()) {
      // CR and LF end the line (a bare one is refused as malformed too); skip what changes the line structure.
      if (c === "\r" || c === "\n") continue;
      for (const whole of c < "\x80" ? [false, true] : [false]) {
        const answer = parse(`GET / HTTP/1.1\r\nHost: a\r\nX-Odd: a${c}b\r\n\r\n`, whole);
        const what = `U+${c.codePointAt(0)?.toString(16)}${whole ? " in one piece" : ""}`;
        if (control.test(c)) assert.deepEqual([answer.status, answer.message], [400, "malformed request"], what);
        else {
          assert.equal(answer.status, 200, what);
          assert.equal(answer.headers?.["x-odd"], `a${c}b`, what);
        }
      }
    }
  });

  it("a header name is refused for exactly the characters that are not tchar", () => {
    for (const c of characters()) {
      if (c === "\r" || c === "\n" || c === ":") continue;
      for (const whole of c < "\x80" ? [false, true] : [false]) {
        const answer = parse(`GET / HTTP/1.1\r\nHost: a\r\nX${c}Y: 1\r\n\r\n`, whole);
        assert.equal(answer.status, token.test(c) ? 200 : 400, `U+${c.codePointAt(0)?.toString(16)}${whole ? " in one piece" : ""}`);
      }
    }
  });

  it("Content-Length: 1 to 10 ASCII digits, nothing else", () => {
    const decimal = /^[0-9]{1,10}$/;
    const cases = ["0", "7", "0000000000", "00000000000", "12a", "", "+1", "-1", "1.0", "1e3", "\u0661", "\uff11", "0x10", "１"];
    for (const c of characters()) cases.push(`0${c}`);
    for (const value of cases) for (const whole of [false, true]) {
      const answer = parse(`POST / HTTP/1.1\r\nHost: a\r\nContent-Length: ${value}\r\n\r\n`, whole);
      // A value the line reading refuses first (a control, a line end) is malformed, not an invalid length.
      if (control.test(value) || value.includes("\r") || value.includes("\n")) {
        assert.equal(answer.status, 400, JSON.stringify(value));
        continue;
      }
      // The value without its OWS (space and tab at either end) is what is checked.
      if (decimal.test(value.replace(/^[ \t]+|[ \t]+$/g, ""))) assert.ok(answer.status === 0 || answer.status === 200, `${JSON.stringify(value)}: ${answer.status}`);
      else assert.deepEqual([answer.status, answer.message], [400, "invalid Content-Length"], JSON.stringify(value));
    }
  });

  it("a response header is refused for a bad name or a line break in its value, as before", () => {
    const lineBreak = /[\r\n\x00]/;
    const patterns = responsePatterns();
    for (const c of characters()) {
      const name = `x${c}y`;
      const nameOk = token.test(name);
      const value = `a${c}b`;
      const valueOk = !lineBreak.test(value);
      let refusedName = false;
      try {
        new ResponseWriter({ status: 200, headers: { [name]: "1" }, body: "" }, false, JS_TEXT_CODEC, patterns).pump(new Sink());
      } catch (e) {
        refusedName = /invalid header name/.test(String(e));
      }
      assert.equal(refusedName, !nameOk, `name U+${c.codePointAt(0)?.toString(16)}`);
      let refusedValue = false;
      try {
        new ResponseWriter({ status: 200, headers: { "x-a": value }, body: "" }, false, JS_TEXT_CODEC, patterns).pump(new Sink());
      } catch (e) {
        refusedValue = /line break/.test(String(e));
      }
      assert.equal(refusedValue, !valueOk, `value U+${c.codePointAt(0)?.toString(16)}`);
    }
  });
});
