/*
 * SHA-256 (FIPS 180-4) in plain JavaScript, incremental: update() any number of times with any
 * fragment sizes, then digest(). Used to check an OTA image while it streams (the appended hash
 * and the expected hash of a request) and by anyone else who needs a hash (password hashing).
 *
 * Memory: one instance holds 64 + 256 bytes of buffers plus eight numbers; update() allocates
 * nothing, so hashing a megabyte image in 1.4 KB fragments makes no garbage. It is slow on an
 * ESP32, though: code that hashes much takes a host's Sha256Factory (modules/host/digest.ts),
 * which is native there, and falls back to this one. The round constants
 * are a frozen plain array so that, preloaded on XS, they sit in flash.
 */

const K: readonly number[] = Object.freeze([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
].map((k) => k | 0));

const HEX = "0123456789abcdef";

export class Sha256 {
  #h0 = 0x6a09e667 | 0;
  #h1 = 0xbb67ae85 | 0;
  #h2 = 0x3c6ef372 | 0;
  #h3 = 0xa54ff53a | 0;
  #h4 = 0x510e527f | 0;
  #h5 = 0x9b05688c | 0;
  #h6 = 0x1f83d9ab | 0;
  #h7 = 0x5be0cd19 | 0;
  /** Partial block waiting for more bytes. */
  readonly #block = new Uint8Array(64);
  #used = 0;
  /** Message length in bytes (a double counts exactly far past any image size). */
  #length = 0;
  readonly #w = new Int32Array(64);
  #finished = false;

  /** Adds bytes[start, end) to the message. */
  update(bytes: Uint8Array, start = 0, end = bytes.length): this {
    if (this.#finished) throw new Error("sha256: update after digest");
    this.#length += end - start;
    const block = this.#block;
    let used = this.#used;
    let i = start;
    if (used > 0) {
      while (used < 64 && i < end) block[used++] = bytes[i++];
      if (used < 64) {
        this.#used = used;
        return this;
      }
      this.compress(block, 0);
      used = 0;
    }
    // Whole blocks straight from the caller's bytes: no copy.
    while (end - i >= 64) {
      this.compress(bytes, i);
      i += 64;
    }
    while (i < end) block[used++] = bytes[i++];
    this.#used = used;
    return this;
  }

  /** Finishes the hash and returns its 32 bytes; the instance takes no more updates. */
  digest(): Uint8Array {
    if (this.#finished) throw new Error("sha256: digest called twice");
    const bitsHigh = Math.floor(this.#length / 0x20000000);
    const bitsLow = (this.#length * 8) >>> 0;
    const block = this.#block;
    let used = this.#used;
    block[used++] = 0x80;
    if (used > 56) {
      block.fill(0, used);
      this.compress(block, 0);
      used = 0;
    }
    block.fill(0, used, 56);
    writeWord(block, 56, bitsHigh);
    writeWord(block, 60, bitsLow);
    this.compress(block, 0);
    this.#finished = true;
    const out = new Uint8Array(32);
    writeWord(out, 0, this.#h0);
    writeWord(out, 4, this.#h1);
    writeWord(out, 8, this.#h2);
    writeWord(out, 12, this.#h3);
    writeWord(out, 16, this.#h4);
    writeWord(out, 20, this.#h5);
    writeWord(out, 24, this.#h6);
    writeWord(out, 28, this.#h7);
    return out;
  }

  private compress(bytes: Uint8Array, at: number): void {
    const w = this.#w;
    for (let t = 0; t < 16; t++, at += 4)
      w[t] = (bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3];
    for (let t = 16; t < 64; t++) {
      const a = w[t - 15];
      const b = w[t - 2];
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
      w[t] = (w[t - 16] + s0 + w[t - 7] + s1) | 0;
    }
    let a = this.#h0, b = this.#h1, c = this.#h2, d = this.#h3;
    let e = this.#h4, f = this.#h5, g = this.#h6, h = this.#h7;
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[t] + w[t]) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    this.#h0 = (this.#h0 + a) | 0;
    this.#h1 = (this.#h1 + b) | 0;
    this.#h2 = (this.#h2 + c) | 0;
    this.#h3 = (this.#h3 + d) | 0;
    this.#h4 = (this.#h4 + e) | 0;
    this.#h5 = (this.#h5 + f) | 0;
    this.#h6 = (this.#h6 + g) | 0;
    this.#h7 = (this.#h7 + h) | 0;
  }
}

function writeWord(out: Uint8Array, at: number, word: number): void {
  out[at] = word >>> 24;
  out[at + 1] = (word >>> 16) & 0xff;
  out[at + 2] = (word >>> 8) & 0xff;
  out[at + 3] = word & 0xff;
}

/** SHA-256 of bytes, in one call. */
export function sha256(bytes: Uint8Array): Uint8Array {
  return new Sha256().update(bytes).digest();
}

/** Lower-case hex of bytes (64 characters for a SHA-256 digest). */
export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i] >> 4] + HEX[bytes[i] & 15];
  return out;
}

/** True when text is a SHA-256 in hex (64 hex digits, any case). */
export function isSha256Hex(text: string): boolean {
  return /^[0-9a-fA-F]{64}$/.test(text);
}
