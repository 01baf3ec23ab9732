/*
 * SHA-256 (modules/crypto/sha256.ts) against the FIPS 180-4 / NIST example vectors, fed whole,
 * in every split, byte by byte and in odd fragment sizes, since the OTA check feeds it whatever
 * the network delivers. Runs on XS too: the device must compute the same digests. (The long
 * million-"a" vector and a comparison with node:crypto are in tests/node/ota-sha256.test.ts:
 * a megabyte takes seconds on XS.)
 */

import * as assert from "../support/assert";
import { Sha256, isSha256Hex, sha256, toHex } from "../../modules/crypto/sha256";
import { utf8Encode } from "../../modules/text/utf8";

const VECTORS: readonly [string, string][] = [
  ["", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
  ["abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
  ["abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"],
  [
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
    "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
  ],
  ["The quick brown fox jumps over the lazy dog", "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"],
];

describe("sha256", () => {
  it("matches the NIST example vectors", () => {
    for (const [text, hex] of VECTORS) assert.equal(toHex(sha256(utf8Encode(text))), hex, JSON.stringify(text));
  });

  it("gives the same digest for every split of the input into two updates", () => {
    const bytes = utf8Encode(VECTORS[3][0]);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const h = new Sha256().update(bytes, 0, cut).update(bytes, cut, bytes.length);
      assert.equal(toHex(h.digest()), VECTORS[3][1], `cut at ${cut}`);
    }
  });

  it("handles message lengths around the padding boundary (55, 56, 63, 64, 65 bytes)", () => {
    // Computed with a reference implementation (sha256sum) over runs of "a".
    const expected: Record<number, string> = {
      55: "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318",
      56: "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a",
      63: "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34",
      64: "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb",
      65: "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0",
    };
    for (const n of [55, 56, 63, 64, 65]) {
      const bytes = new Uint8Array(n).fill(0x61);
      assert.equal(toHex(sha256(bytes)), expected[n], `${n} bytes`);
      const h = new Sha256();
      for (let i = 0; i < n; i++) h.update(bytes, i, i + 1);
      assert.equal(toHex(h.digest()), expected[n], `${n} bytes, one at a time`);
    }
  });

  it("refuses updates after digest()", () => {
    const h = new Sha256();
    h.digest();
    assert.throws(() => h.update(new Uint8Array(1)), /after digest/);
    assert.throws(() => h.digest(), /twice/);
  });

  it("isSha256Hex accepts 64 hex digits only", () => {
    assert.ok(isSha256Hex(VECTORS[0][1]));
    assert.ok(isSha256Hex(VECTORS[0][1].toUpperCase()));
    assert.ok(!isSha256Hex(VECTORS[0][1].slice(1)));
    assert.ok(!isSha256Hex(VECTORS[0][1].slice(1) + "g"));
  });
});
