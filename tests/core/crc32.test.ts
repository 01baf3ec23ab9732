/*
 * CRC-32 (modules/text/crc32.ts) against published vectors (zlib/IEEE 802.3): AtomicRecord relies
 * on it to tell a whole stored record from a torn one, so it must give the same number on the
 * device as in the simulator, unsigned, and chain through its seed.
 */

import * as assert from "../support/assert";
import { crc32 } from "../../modules/text/crc32";
import { utf8Encode } from "../../modules/text/utf8";

function ascii(text: string): Uint8Array {
  return utf8Encode(text);
}

describe("crc32", () => {
  it("gives the check value for \"123456789\": 0xCBF43926", () => {
    assert.equal(crc32(ascii("123456789")), 0xcbf43926);
  });

  it("matches known vectors", () => {
    assert.equal(crc32(new Uint8Array(0)), 0);
    assert.equal(crc32(ascii("a")), 0xe8b7be43);
    assert.equal(crc32(ascii("The quick brown fox jumps over the lazy dog")), 0x414fa339);
    assert.equal(crc32(new Uint8Array(32)), 0x190a55ad, "32 zero bytes");
    assert.equal(crc32(new Uint8Array(32).fill(0xff)), 0xff6cab0b, "32 bytes of FF");
    assert.equal(crc32(utf8Encode("Küche")), 0xf7213924, "UTF-8 text");
  });

  it("returns an unsigned 32-bit integer", () => {
    for (const text of ["", "a", "123456789", "Küche", "\u{10ffff}"]) {
      const c = crc32(ascii(text));
      assert.ok(Number.isInteger(c) && c >= 0 && c <= 0xffffffff, `${JSON.stringify(text)} gave ${c}`);
    }
  });

  it("continues from a seed: crc32(b, crc32(a)) === crc32(a + b)", () => {
    assert.equal(crc32(ascii("6789"), crc32(ascii("12345"))), 0xcbf43926);
    const whole = ascii("Küche 温度 😀");
    for (let cut = 0; cut <= whole.length; cut++)
      assert.equal(crc32(whole.subarray(cut), crc32(whole.subarray(0, cut))), crc32(whole), `cut at ${cut}`);
  });

  it("sees a single flipped bit anywhere", () => {
    const data = ascii("0123456789abcdef");
    const good = crc32(data);
    for (let i = 0; i < data.length * 8; i++) {
      const copy = data.slice();
      copy[i >> 3] ^= 1 << (i & 7);
      assert.notEqual(crc32(copy), good, `bit ${i}`);
    }
  });

  it("reads only the view it is given, not the whole buffer", () => {
    const buffer = ascii("xx123456789yy");
    assert.equal(crc32(buffer.subarray(2, 11)), 0xcbf43926);
  });
});
