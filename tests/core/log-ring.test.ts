/*
 * LogRing: the last lines in one fixed byte array. Checked against a model (the list of every
 * line written, of which the ring must hold exactly the newest that fit), with lines of every
 * length, non-ASCII text, cuts between characters, and the sequence numbers readers follow.
 * Runs on Node and on XS.
 */

import type { LogLevel } from "../../modules/host/log";
import { LogRing, logLineJson } from "../../modules/log/log-ring";
import { JS_TEXT_CODEC } from "../../modules/text/js-text-codec";
import { utf8Length } from "../../modules/text/utf8";
import * as assert from "../support/assert";

function ring(bytes: number, now = () => 0): { ring: LogRing; passed: string[] } {
  const passed: string[] = [];
  return { ring: new LogRing({ write: (_level, line) => void passed.push(line) }, { bytes, text: JS_TEXT_CODEC, now }), passed };
}

function held(r: LogRing): string[] {
  const out: string[] = [];
  for (let seq = r.first; seq < r.next; seq++) out.push(r.line(seq)!.line);
  return out;
}

describe("LogRing", () => {
  it("passes every line on, and keeps the newest lines that fit, oldest first, numbered from 0", () => {
    // 512 bytes: no line of this test is cut (a quarter of the ring, 121 bytes of text).
    const { ring: r, passed } = ring(512);
    const written: string[] = [];
    // A deterministic mix of lengths, so the records wrap at every offset.
    let seed = 7;
    for (let i = 0; i < 500; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const text = `${i} ${"abcdefghij".repeat(seed % 6)}${i % 7 === 0 ? " Küche 温度 ✓" : ""}`;
      written.push(text);
      r.write("info", text);
      const lines = held(r);
      assert.equal(r.next, i + 1);
      assert.equal(r.first, r.next - lines.length);
      assert.deepEqual(lines, written.slice(r.first), `after line ${i}`);
      // Exactly what fits: the next older line would not have.
      const bytes = lines.reduce((n, l) => n + 8 + utf8Length(l), 0);
      assert.ok(bytes <= 512, `${bytes} bytes held`);
      if (r.first > 0) assert.ok(bytes + 8 + utf8Length(written[r.first - 1]) > 512 - 121, "no more dropped than needed");
    }
    assert.deepEqual(passed, written, "every line reached the host's log");
    assert.equal(r.line(r.first - 1), undefined, "an overwritten line is gone");
    assert.equal(r.line(r.next), undefined, "a line not written yet");
  });

  it("keeps the level and the milliseconds since boot of each line", () => {
    let now = 0;
    const { ring: r } = ring(1024, () => now);
    const levels: LogLevel[] = ["debug", "info", "warn", "error"];
    for (const level of levels) {
      now += 1_234_567;
      r.write(level, `${level} line`);
    }
    assert.deepEqual(
      levels.map((_, i) => r.line(i)),
      levels.map((level, i) => ({ seq: i, ms: 1_234_567 * (i + 1), level, line: `${level} line` })),
    );
    assert.equal(logLineJson(r.line(3)!), '{"seq":3,"ms":4938268,"level":"error","line":"error line"}');
  });

  it("keeps the milliseconds of a device up for months: past 2^32 ms (49.7 days), up to 34 years", () => {
    let now = 0;
    const { ring: r } = ring(1024, () => now);
    const times = [2 ** 32 - 1, 2 ** 32, 60 * 86_400_000 + 123, 400 * 86_400_000 + 7, 2 ** 40 - 1, 2 ** 41];
    for (const t of times) {
      now = t;
      r.write("info", `at ${t}`);
    }
    assert.deepEqual(
      times.map((_, i) => r.line(i)?.ms),
      [2 ** 32 - 1, 2 ** 32, 60 * 86_400_000 + 123, 400 * 86_400_000 + 7, 2 ** 40 - 1, 2 ** 40 - 1],
    );
  });

  it("cuts a line longer than a quarter of the ring between characters, marked with …", () => {
    const { ring: r } = ring(400);
    r.write("info", "short");
    r.write("warn", "温".repeat(200));
    const cut = r.line(1)!.line;
    assert.ok(cut.endsWith("…"));
    assert.ok(utf8Length(cut) <= 100 - 8, `${utf8Length(cut)} bytes`);
    assert.equal(cut.slice(0, -1), "温".repeat(cut.length - 1), "no half character");
    assert.equal(r.line(0)!.line, "short", "the rest survives one long line");
  });

  it("keeps nothing with 0 bytes, and still passes every line on", () => {
    const { ring: r, passed } = ring(0);
    r.write("info", "a");
    assert.equal(r.capacity, 0);
    assert.equal(r.size, 0);
    assert.equal(r.line(0), undefined);
    assert.deepEqual(passed, ["a"]);
  });

  it("tells its listener after each line is stored, and not after the unsubscribe", () => {
    const { ring: r } = ring(256);
    const heard: number[] = [];
    const stop = r.listen(() => heard.push(r.next));
    r.write("info", "one");
    r.write("info", "two");
    stop();
    r.write("info", "three");
    assert.deepEqual(heard, [1, 2]);
  });
});
