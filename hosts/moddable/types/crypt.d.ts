/*
 * The Moddable `crypt` module's Digest as it behaves at run time (SDK 8.2.3,
 * modules/crypt/digest/crypt.js and modCrypt.c). A module-form file: digest.ts types the SDK's
 * class as DigestClass once.
 *
 * Corrections over typings/crypt.d.ts (the SDK's; npm @moddable/typings 5.6.0 has none): write()
 * also takes a DataView or a view of one-byte elements (Uint8Array and the like), and hashes
 * exactly the view's bytes (its byteOffset and byteLength) in place, without copying; other
 * typed arrays throw "invalid buffer". (A string is accepted too: its C string, to the first NUL.)
 * close() finishes the hash and returns a new ArrayBuffer of outputSize bytes. It does not end the
 * instance: only reset() makes it usable again; a write() after close() runs on from the
 * finished state and yields garbage, so callers must not do that.
 */

export type DigestName = "MD5" | "SHA1" | "SHA224" | "SHA256" | "SHA384" | "SHA512";

export interface DigestInstance {
  write(data: ArrayBuffer | ArrayBufferView | string): void;
  close(): ArrayBuffer;
  reset(): void;
  readonly blockSize: number;
  readonly outputSize: number;
}

export interface DigestClass {
  /** Throws "crypt: unsupported digest" for a name not in the list. */
  new (name: DigestName): DigestInstance;
}
