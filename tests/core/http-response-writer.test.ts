/*
 * ResponseWriter: a frozen header table (a route's constant) is checked once per server and
 * remembered; one that fails is refused every time; an unfrozen one is checked every time; a
 * small answer leaves in one write, head and body together. Runs on Node and on XS.
 */

import type { TcpConnection } from "../../modules/host/tcp";
import { ResponseWriter, responsePatterns } from "../../modules/http/response-writer";
import { JS_TEXT_CODEC } from "../../modules/text/js-text-codec";
import { utf8Decode } from "../../modules/text/utf8";
import * as assert from "../support/assert";

class Sink implements TcpConnection {
  readonly remoteAddress = "10.0.0.1";
  readonly writes: Uint8Array[][] = [];
  constructor(readonly space = 5744) {}
  listen(): void {}
  writable(): number {
    return this.space;
  }
  write(...chunks: Uint8Array[]): void {
    this.writes.push(chunks.map((c) => c.slice()));
  }
  close(): void {}
  abort(): void {}
  text(): string {
    return this.writes.map((w) => w.map((c) => utf8Decode(c)).join("")).join("");
  }
}

describe("ResponseWriter", () => {
  it("checks a frozen header table once, and still refuses a frozen one that is wrong, every time", () => {
    const patterns = responsePatterns();
    const good = Object.freeze({ "content-type": "text/plain", "x-a": "1" });
    const bad = Object.freeze({ "x-b": "line\r\nbreak" });
    for (let i = 0; i < 3; i++) {
      const sink = new Sink();
      new ResponseWriter({ status: 200, headers: good, body: "hi" }, false, JS_TEXT_CODEC, patterns).pump(sink);
      assert.ok(sink.text().includes("content-type: text/plain\r\nx-a: 1\r\n"));
      assert.ok(patterns.checked?.has(good) === true);
      assert.throws(() => new ResponseWriter({ status: 200, headers: bad, body: "" }, false, JS_TEXT_CODEC, patterns), /line break/);
      assert.ok(!patterns.checked?.has(bad));
    }
    const open = { "x-c": "ok" };
    new ResponseWriter({ status: 200, headers: open, body: "" }, false, JS_TEXT_CODEC, patterns);
    assert.ok(!patterns.checked?.has(open), "a table that can change is checked every time");
    open["x-c"] = "now\nbroken";
    assert.throws(() => new ResponseWriter({ status: 200, headers: open, body: "" }, false, JS_TEXT_CODEC, patterns), /line break/);
  });

  it("writes a small answer's head and body in one write, a larger one in as many as the space needs", () => {
    const small = new Sink();
    const writer = new ResponseWriter({ status: 200, body: "x".repeat(100) }, false, JS_TEXT_CODEC);
    assert.equal(writer.pump(small), true);
    assert.ok(writer.done);
    assert.equal(small.writes.length, 1);
    assert.equal(small.writes[0].length, 2);
    assert.ok(small.text().endsWith(`\r\n\r\n${"x".repeat(100)}`));

    const tight = new Sink(120);
    const big = new ResponseWriter({ status: 200, body: "y".repeat(100) }, false, JS_TEXT_CODEC);
    big.pump(tight);
    assert.ok(big.done);
    assert.ok(tight.writes.length > 1);
    assert.equal(big.written, tight.writes.reduce((n, w) => n + w.reduce((m, c) => m + c.length, 0), 0));
  });
});
