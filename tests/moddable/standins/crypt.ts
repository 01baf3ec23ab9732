/*
 * Stand-in of the Digest class of the SDK module "crypt" (modules/crypt/digest/crypt.js and
 * modCrypt.c, SDK 8.2.3), SHA-256 only, computed by the core's plain-JavaScript
 * modules/crypto/sha256.ts (checked against test vectors in the core tests).
 *
 * Kept: new Digest(name) throws "crypt: unsupported digest" for a name the stand-in lacks;
 * write() takes an ArrayBuffer, a DataView or a view of one-byte elements and hashes exactly
 * the view's bytes; other typed arrays throw "invalid buffer"; a string hashes its UTF-8 bytes.
 * close() returns the 32 bytes in a new ArrayBuffer and, like the native, does not end the
 * instance: a write() after close() runs on from a finished state, so here it yields a digest
 * that differs from the true one (counted in `digests.writesAfterClose`), never the right one.
 * reset() starts again. blockSize 64, outputSize 32; process() and update() as in crypt.js.
 */

import { Sha256 } from "../../../modules/crypto/sha256";
import { utf8Encode } from "../../../modules/text/utf8";
import { machine } from "./machine";

export const digests = { made: 0, writesAfterClose: 0 };

export class Digest {
  #hash = new Sha256();
  #closed = false;

  constructor(name: string) {
    machine.native("new Digest");
    if (name !== "SHA256") throw new Error("crypt: unsupported digest");
    digests.made++;
  }

  get blockSize(): number {
    return 64;
  }

  get outputSize(): number {
    return 32;
  }

  write(data: ArrayBuffer | ArrayBufferView | string): void {
    let bytes: Uint8Array;
    if (typeof data === "string") bytes = utf8Encode(data);
    else if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
    else if (ArrayBuffer.isView(data) && (data instanceof DataView || (data as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT === 1))
      bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    else throw new Error("invalid buffer");
    if (this.#closed) {
      // The native goes on from its finished state: model that as a hash that can never match.
      digests.writesAfterClose++;
      this.#hash = new Sha256().update(new Uint8Array([0xde, 0xad]));
      this.#closed = false;
    }
    this.#hash.update(bytes);
  }

  close(): ArrayBuffer {
    const out = this.#hash.digest();
    this.#closed = true;
    const buffer = new ArrayBuffer(32);
    new Uint8Array(buffer).set(out);
    return buffer;
  }

  reset(): void {
    this.#hash = new Sha256();
    this.#closed = false;
  }

  process(...parts: (ArrayBuffer | ArrayBufferView | string)[]): ArrayBuffer {
    this.reset();
    for (const part of parts) this.write(part);
    return this.close();
  }

  update(data: ArrayBuffer | ArrayBufferView | string): void {
    this.write(data);
  }
}

export default Object.freeze({ Digest });
