/*
 * The core's PBKDF2 against node:crypto's, on random passwords and salts and on the large
 * iteration counts the XS run skips; and the simulator host's native SHA-256 against the
 * core's plain-JavaScript one, so either may serve.
 */

import * as assert from "node:assert/strict";
import { pbkdf2Sync, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hashPassword, pbkdf2Sha256, verifyPassword } from "../../modules/crypto/password-hash";
import { sha256, toHex } from "../../modules/crypto/sha256";
import { createNodeHost } from "../../hosts/node/host";

describe("password hashing against node:crypto", () => {
  const dir = mkdtempSync(join(tmpdir(), "iot-hash-"));
  const host = createNodeHost({ stateDir: dir, port: 0, bind: "127.0.0.1", onRestart: () => undefined });
  after(() => {
    host.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it("PBKDF2-HMAC-SHA256 agrees for random inputs and 1..4096 iterations", () => {
    for (const iterations of [1, 2, 3, 100, 4096]) {
      const password = randomBytes(1 + (iterations % 90));
      const salt = randomBytes(16);
      const expected = pbkdf2Sync(password, salt, iterations, 32, "sha256").toString("hex");
      assert.equal(toHex(pbkdf2Sha256(password, salt, iterations, host.sha256)), expected);
      if (iterations <= 100) assert.equal(toHex(pbkdf2Sha256(password, salt, iterations)), expected);
    }
    // A password longer than the HMAC block is hashed first.
    const long = randomBytes(100);
    const salt = randomBytes(16);
    assert.equal(toHex(pbkdf2Sha256(long, salt, 5)), pbkdf2Sync(long, salt, 5, 32, "sha256").toString("hex"));
  });

  it("a hash made with the native digest verifies with the JavaScript one, and back", () => {
    const salt = randomBytes(16);
    const native = hashPassword("Küche-1234", salt, 100, host.sha256);
    assert.equal(native, hashPassword("Küche-1234", salt, 100));
    assert.ok(verifyPassword("Küche-1234", native));
    assert.ok(verifyPassword("Küche-1234", native, host.sha256));
  });

  it("the host's SHA-256 is the core's SHA-256", () => {
    for (const size of [0, 1, 55, 56, 64, 1000]) {
      const bytes = randomBytes(size);
      assert.equal(toHex(host.sha256!().update(bytes).digest()), toHex(sha256(bytes)));
    }
  });
});
