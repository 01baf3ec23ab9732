/*
 * The Digest part of "crypt" as the SDK 8.2.3 declares it (typings/crypt.d.ts), which is what
 * mcconfig type-checks the device build against. This copy exists only for
 * hosts/moddable/tsconfig.json (the npm @moddable/typings 5.6.0 has no "crypt"); it must NOT be
 * listed in the manifest, where it would collide with the SDK's. Its write() is narrower than
 * the runtime's: types/crypt.d.ts has the run-time shape that digest.ts uses.
 */

declare module "crypt" {
  type DigestType = "MD5" | "SHA1" | "SHA224" | "SHA256" | "SHA384" | "SHA512";

  export class Digest {
    constructor(type: DigestType);
    write(message: string | ArrayBuffer): void;
    close(): ArrayBuffer;
    reset(): void;
    get blockSize(): number;
    get outputSize(): number;
    update(message: string | ArrayBuffer): void;
  }
}
