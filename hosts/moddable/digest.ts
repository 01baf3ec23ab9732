/*
 * The device's Sha256Factory: SHA-256 in native code through Moddable's `crypt` Digest
 * ($(MODULES)/crypt/digest, the KCL fips180.c implementation, built on esp32, mac and lin alike).
 *
 * Promises (those of modules/host/digest.ts, and the same as the core's plain-JavaScript Sha256):
 * - update(bytes) hashes exactly the bytes of the view, from its byteOffset for its byteLength,
 *   read in place: no copy, whatever the view's offset into its buffer. Any fragment sizes.
 * - digest() returns the 32 bytes (a Uint8Array over the ArrayBuffer the Digest returns, not a
 *   copy). After it, update() throws "sha256: update after digest" and digest() throws
 *   "sha256: digest called twice": the native Digest itself would go on hashing from its
 *   finished state and return garbage.
 * - A Digest is made per hasher, when the factory is called, never at module load (calling a
 *   native while the module is preloaded would fail the build).
 *
 * Why: plain-JavaScript SHA-256 on XS runs at about 0.44 MB/s on a PC and far slower on an
 * ESP32, and the device hashes a whole OTA image (its appended SHA-256, checked as it streams)
 * and stretches the admin password (PBKDF2, 100 iterations) with it.
 */

import { Digest } from "crypt";
import type { Sha256Factory, Sha256Hasher } from "../../modules/host/digest";
import type { DigestClass, DigestInstance } from "./types/crypt";

// The SDK's typings say write() takes string | ArrayBuffer; at run time it also takes views
// (types/crypt.d.ts). Method parameters are bivariant, so the class types as DigestClass as is.
const NativeDigest: DigestClass = Digest;

class NativeSha256 implements Sha256Hasher {
  readonly #digest: DigestInstance = new NativeDigest("SHA256");
  #finished = false;

  update(bytes: Uint8Array): this {
    if (this.#finished) throw new Error("sha256: update after digest");
    this.#digest.write(bytes);
    return this;
  }

  digest(): Uint8Array {
    if (this.#finished) throw new Error("sha256: digest called twice");
    this.#finished = true;
    return new Uint8Array(this.#digest.close());
  }
}

export const moddableSha256: Sha256Factory = () => new NativeSha256();
