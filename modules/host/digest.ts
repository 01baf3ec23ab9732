/*
 * Sha256Factory: SHA-256 from the host's fastest source. The device hashes natively (Moddable's
 * crypt Digest, in C), the simulator through node:crypto; the core's
 * plain-JavaScript Sha256 (crypto/sha256.ts) is the fallback and what the XS tests use. Plain
 * JavaScript hashing on XS is far too slow on an ESP32 for password stretching or a whole OTA
 * image, so code that hashes much takes a factory rather than constructing Sha256 itself.
 */

export interface Sha256Hasher {
  update(bytes: Uint8Array): Sha256Hasher;
  /** The 32-byte digest; the hasher takes no more updates. */
  digest(): Uint8Array;
}

export type Sha256Factory = () => Sha256Hasher;
