/*
 * Password hashing for admin_password: PBKDF2-HMAC-SHA256 with a per-device random salt,
 * stored as "pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>", so the clear password is
 * never stored and a leaked flash dump does not give it away. The iteration count is in the
 * stored string, so it can change without breaking saved passwords. verify() compares in
 * constant time (the time does not depend on where the first differing byte is).
 *
 * Hashing goes through a Sha256Factory so the device uses its native digest (crypt's Digest):
 * in plain JavaScript on XS one iteration costs about 3.6 ms on a PC. PASSWORD_ITERATIONS is
 * what the device should do in roughly 150-250 ms with its native hash (measured on the SDK's
 * simulator, estimated for the ESP32: docs/security.md, "Authentication"; the device logs each
 * check). AdminAuth caches a verified credential, so the cost is paid once per login, not per
 * request, and it upgrades a hash made with fewer iterations the next time its password is
 * given.
 */

import { Sha256, toHex } from "./sha256";
import type { Sha256Factory } from "../host/digest";
import { utf8Encode } from "../text/utf8";

export const PASSWORD_ITERATIONS = 600;

const jsSha256: Sha256Factory = () => new Sha256();
const PREFIX = "pbkdf2-sha256";

function hmacKeyPads(key: Uint8Array, hash: Sha256Factory): [Uint8Array, Uint8Array] {
  const block = new Uint8Array(64);
  block.set(key.length > 64 ? hash().update(key).digest() : key);
  const inner = new Uint8Array(64);
  const outer = new Uint8Array(64);
  for (let i = 0; i < 64; i++) {
    inner[i] = block[i] ^ 0x36;
    outer[i] = block[i] ^ 0x5c;
  }
  return [inner, outer];
}

/**
 * PBKDF2-HMAC-SHA256, one 32-byte block. Written for the device, where each call into the
 * native digest and each step of a JavaScript loop costs: every HMAC of the iterations hashes a
 * 64-byte pad and a 32-byte value, so each pad lives in a 96-byte buffer the value is copied
 * behind (one update per hash), and the running XOR takes 8 words, not 32 bytes. On the SDK's
 * Linux simulator that is 7 us an iteration against 20 us for the plain form (docs/security.md,
 * "Authentication", has the figures).
 */
export function pbkdf2Sha256(password: Uint8Array, salt: Uint8Array, iterations: number, hash: Sha256Factory = jsSha256): Uint8Array {
  const [innerPad, outerPad] = hmacKeyPads(password, hash);
  const inner = new Uint8Array(96);
  inner.set(innerPad);
  const outer = new Uint8Array(96);
  outer.set(outerPad);
  const first = new Uint8Array(salt.length + 4);
  first.set(salt);
  first[salt.length + 3] = 1;
  outer.set(hash().update(innerPad).update(first).digest(), 64);
  let u = hash().update(outer).digest();
  const sum = new Uint32Array(8);
  const sumBytes = new Uint8Array(sum.buffer);
  sumBytes.set(u);
  // u's own buffer may not be 4-byte aligned (a Node Buffer): it is copied into words first.
  const word = new Uint32Array(8);
  const wordBytes = new Uint8Array(word.buffer);
  for (let i = 1; i < iterations; i++) {
    inner.set(u, 64);
    outer.set(hash().update(inner).digest(), 64);
    u = hash().update(outer).digest();
    wordBytes.set(u);
    for (let k = 0; k < 8; k++) sum[k] ^= word[k];
  }
  return sumBytes;
}

export function hashPassword(password: string, salt: Uint8Array, iterations = PASSWORD_ITERATIONS, hash: Sha256Factory = jsSha256): string {
  return `${PREFIX}$${iterations}$${toHex(salt)}$${toHex(pbkdf2Sha256(utf8Encode(password), salt, iterations, hash))}`;
}

export function isPasswordHash(text: string): boolean {
  return /^pbkdf2-sha256\$[1-9][0-9]{0,6}\$[0-9a-f]{2,64}\$[0-9a-f]{64}$/.test(text);
}

/** Equal-length strings compared without an early exit. */
export function constantTimeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}

/** The iteration count a stored hash was made with (0 when it is no hash). */
export function hashIterations(stored: string): number {
  return isPasswordHash(stored) ? Number(stored.split("$")[1]) : 0;
}

export function verifyPassword(password: string, stored: string, hash: Sha256Factory = jsSha256): boolean {
  if (!isPasswordHash(stored)) return false;
  const [, iterations, saltHex] = stored.split("$");
  const salt = new Uint8Array(saltHex.length / 2);
  for (let i = 0; i < salt.length; i++) salt[i] = parseInt(saltHex.slice(i * 2, i * 2 + 2), 16);
  return constantTimeEqual(hashPassword(password, salt, Number(iterations), hash), stored);
}
