/*
 * The pure-JS SHA-256 (modules/crypto/sha256.ts) against node:crypto on random inputs cut into
 * random fragments, and the long NIST vector (a million "a"): too slow for the XS run of the
 * core tests, which checks the short vectors.
 */

import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fc from "fast-check";
import { Sha256, toHex } from "../../modules/crypto/sha256";

describe("sha256 against node:crypto", () => {
  it("agrees on random inputs fed in random fragments", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.array(fc.nat(300), { maxLength: 20 }), (bytes, cuts) => {
        const ours = new Sha256();
        const theirs = createHash("sha256");
        let at = 0;
        for (const cut of cuts) {
          const end = Math.min(bytes.length, at + cut);
          ours.update(bytes, at, end);
          theirs.update(bytes.subarray(at, end));
          at = end;
        }
        ours.update(bytes, at);
        theirs.update(bytes.subarray(at));
        assert.equal(toHex(ours.digest()), theirs.digest("hex"));
      }),
      { numRuns: 300 },
    );
  });

  it("hashes a million \"a\" in 1460-byte fragments (the long NIST vector)", () => {
    const chunk = new Uint8Array(1460).fill(0x61);
    const h = new Sha256();
    for (let left = 1_000_000; left > 0; left -= chunk.length) h.update(chunk, 0, Math.min(left, chunk.length));
    assert.equal(toHex(h.digest()), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  });
});
