/*
 * UTF-8 without TextEncoder (modules/text/utf8.ts): byte-exact encoding of non-ASCII text
 * (German, CJK, emoji), lone surrogates as U+FFFD, and refusal of every kind of malformed input.
 * Cross-checked against encodeURIComponent/decodeURIComponent, the one UTF-8 codec every
 * ECMAScript engine has, so Node and XS are each compared with their own reference.
 */

import * as assert from "../support/assert";
import { utf8Decode, utf8Encode, utf8Length } from "../../modules/text/utf8";
import { onNode } from "../support/engine";

// Every code point below U+0800 and a prime stride above on Node; a sparser sample on XS.
const LOW_STEP = onNode ? 1 : 7;
const HIGH_STEP = onNode ? 257 : 2053;

function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

/** The UTF-8 of well-formed text, by the engine's own URI encoder. */
function reference(text: string): Uint8Array {
  const out: number[] = [];
  const escaped = encodeURIComponent(text);
  for (let i = 0; i < escaped.length; i++) {
    if (escaped[i] === "%") {
      out.push(parseInt(escaped.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(escaped.charCodeAt(i));
  }
  return Uint8Array.from(out);
}

describe("utf8", () => {
  describe("encode", () => {
    it("encodes ASCII one byte per character, and the empty string as nothing", () => {
      assert.deepEqual(utf8Encode("Hi!~\u007f"), bytes(0x48, 0x69, 0x21, 0x7e, 0x7f));
      assert.deepEqual(utf8Encode(""), bytes());
    });

    it("encodes German, CJK and emoji byte for byte", () => {
      assert.deepEqual(utf8Encode("Küche"), bytes(0x4b, 0xc3, 0xbc, 0x63, 0x68, 0x65));
      assert.deepEqual(utf8Encode("温度"), bytes(0xe6, 0xb8, 0xa9, 0xe5, 0xba, 0xa6));
      assert.deepEqual(utf8Encode("😀"), bytes(0xf0, 0x9f, 0x98, 0x80));
      assert.deepEqual(utf8Encode("°C"), bytes(0xc2, 0xb0, 0x43));
    });

    it("encodes each length boundary (1, 2, 3 and 4 bytes)", () => {
      assert.deepEqual(utf8Encode("\u0080"), bytes(0xc2, 0x80));
      assert.deepEqual(utf8Encode("\u07ff"), bytes(0xdf, 0xbf));
      assert.deepEqual(utf8Encode("\u0800"), bytes(0xe0, 0xa0, 0x80));
      assert.deepEqual(utf8Encode("\uffff"), bytes(0xef, 0xbf, 0xbf));
      assert.deepEqual(utf8Encode("\u{10000}"), bytes(0xf0, 0x90, 0x80, 0x80));
      assert.deepEqual(utf8Encode("\u{10ffff}"), bytes(0xf4, 0x8f, 0xbf, 0xbf));
    });

    it("turns lone surrogates into U+FFFD (EF BF BD), as TextEncoder does", () => {
      const fffd = [0xef, 0xbf, 0xbd];
      assert.deepEqual(utf8Encode("\ud800"), bytes(...fffd), "lone high surrogate at the end");
      assert.deepEqual(utf8Encode("\udc00"), bytes(...fffd), "lone low surrogate");
      assert.deepEqual(utf8Encode("\ud83da"), bytes(...fffd, 0x61), "high surrogate before a letter");
      assert.deepEqual(utf8Encode("\ude00\ud83d"), bytes(...fffd, ...fffd), "a pair in the wrong order");
      assert.deepEqual(utf8Encode("a\ud83d\ud83d\ude00"), bytes(0x61, ...fffd, 0xf0, 0x9f, 0x98, 0x80), "a lone high before a pair");
    });

    it("agrees with the engine's URI encoder across the code space", () => {
      for (let cp = 0; cp <= 0x10ffff; cp += cp < 0x800 ? LOW_STEP : HIGH_STEP) {
        if (cp >= 0xd800 && cp <= 0xdfff) continue;
        const text = String.fromCodePoint(cp);
        assert.deepEqual(utf8Encode(text), reference(text), `U+${cp.toString(16)}`);
      }
      const mixed = "Küche 温度 😀 ok\u0000\u{10ffff}";
      assert.deepEqual(utf8Encode(mixed), reference(mixed));
    });
  });

  describe("length", () => {
    it("counts the bytes encode produces, lone surrogates included", () => {
      for (const text of ["", "abc", "Küche", "温度", "😀", "\ud800", "\udc00x", "a\ud83d\ude00b", "\u{10ffff}\u0800\u07ff"])
        assert.equal(utf8Length(text), utf8Encode(text).length, JSON.stringify(text));
    });
  });

  describe("decode", () => {
    it("round-trips German, CJK, emoji, controls and the extremes", () => {
      for (const text of ["", "plain", "Küche", "温度", "😀👍🏽", "\u0000\u007f\u0080", "\u07ff\u0800\uffff", "\u{10000}\u{10ffff}", "\ufeffBOM kept"])
        assert.equal(utf8Decode(utf8Encode(text)), text, JSON.stringify(text));
    });

    it("agrees with the engine's URI decoder on every encoded code point sampled", () => {
      for (let cp = 0; cp <= 0x10ffff; cp += cp < 0x800 ? LOW_STEP : HIGH_STEP) {
        if (cp >= 0xd800 && cp <= 0xdfff) continue;
        const encoded = reference(String.fromCodePoint(cp));
        let uri = "";
        for (const b of encoded) uri += "%" + b.toString(16).padStart(2, "0");
        assert.equal(utf8Decode(encoded), decodeURIComponent(uri), `U+${cp.toString(16)}`);
      }
    });

    it("decodes a lone surrogate's U+FFFD as U+FFFD (the loss is in encode, not decode)", () => {
      assert.equal(utf8Decode(utf8Encode("a\ud800b")), "a\ufffdb");
    });

    const malformed: ReadonlyArray<readonly [string, Uint8Array]> = [
      ["a lone continuation byte", bytes(0x80)],
      ["a continuation byte after ASCII", bytes(0x41, 0xbf)],
      ["overlong NUL (C0 80)", bytes(0xc0, 0x80)],
      ["overlong 2-byte (C1 BF)", bytes(0xc1, 0xbf)],
      ["overlong 3-byte (E0 80 80)", bytes(0xe0, 0x80, 0x80)],
      ["overlong 4-byte (F0 80 80 80)", bytes(0xf0, 0x80, 0x80, 0x80)],
      ["an encoded surrogate (ED A0 80)", bytes(0xed, 0xa0, 0x80)],
      ["beyond U+10FFFF (F4 90 80 80)", bytes(0xf4, 0x90, 0x80, 0x80)],
      ["a lead byte F5", bytes(0xf5, 0x80, 0x80, 0x80)],
      ["the byte FF", bytes(0xff)],
      ["a truncated 2-byte sequence", bytes(0x4b, 0xc3)],
      ["a truncated 3-byte sequence", bytes(0xe6, 0xb8)],
      ["a truncated 4-byte sequence", bytes(0xf0, 0x9f, 0x98)],
      ["a lead byte followed by ASCII", bytes(0xe6, 0x41, 0x41)],
      ["a 4-byte lead with a bad last byte", bytes(0xf0, 0x9f, 0x98, 0x41)],
    ];
    for (const [what, input] of malformed) {
      it(`throws a RangeError on ${what}`, () => {
        const err = assert.throws(() => utf8Decode(input), /UTF-8/);
        assert.ok(err instanceof RangeError, `expected RangeError, got ${err.name}`);
      });
    }
  });
  it("decodes long non-ASCII text a small block of code points per String.fromCodePoint call (a spread of hundreds overflows the device simulator's stack)", () => {
    const text = "Küche 温度 😀 ".repeat(300);
    const original = String.fromCodePoint;
    let most = 0;
    let patched = false;
    try {
      String.fromCodePoint = function (...points: number[]): string {
        most = Math.max(most, points.length);
        return original.apply(String, points);
      };
      patched = String.fromCodePoint !== original;
    } catch {
      // Frozen built-ins (the preload-faithful XS run): the text is still checked below.
    }
    let decoded: string;
    try {
      decoded = utf8Decode(utf8Encode(text));
    } finally {
      if (patched) String.fromCodePoint = original;
    }
    assert.equal(decoded, text);
    if (patched) assert.ok(most > 0 && most <= 64, `at most 64 code points per call, saw ${most}`);
  });
});
