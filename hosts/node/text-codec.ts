/*
 * The simulator's TextCodec: Node's Buffer and a fatal TextDecoder, which refuse the same
 * malformed UTF-8 as the core's own codec (tests/contract/text-codec-contract.ts).
 */

import type { TextCodec } from "../../modules/host/text-codec";

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export const NODE_TEXT_CODEC: TextCodec = Object.freeze({
  encode(text: string): Uint8Array {
    const buffer = Buffer.from(text, "utf8");
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  },
  decode(bytes: Uint8Array): string {
    return decoder.decode(bytes);
  },
});
