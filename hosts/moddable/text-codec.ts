/*
 * The device's TextCodec: XS's native ArrayBuffer.fromString and String.fromArrayBuffer, which
 * convert in C. String.fromArrayBuffer checks lead and continuation bytes only; bytes it lets
 * through that are not ASCII are checked again by the core's strict decoder, so the device
 * refuses exactly what the simulator refuses (overlong forms, surrogates) and pays for it only
 * on non-ASCII text.
 */

import type { TextCodec } from "../../modules/host/text-codec";
import { utf8Decode } from "../../modules/text/utf8";

/** The runtime's String.fromArrayBuffer takes an offset and a length (the typings say neither). */
const fromArrayBuffer = (String as unknown as { fromArrayBuffer(buffer: ArrayBuffer, offset: number, length: number): string }).fromArrayBuffer;

export const MODDABLE_TEXT_CODEC: TextCodec = Object.freeze({
  encode(text: string): Uint8Array {
    return new Uint8Array(ArrayBuffer.fromString(text));
  },
  decode(bytes: Uint8Array): string {
    const buffer = bytes.buffer as ArrayBuffer;
    const text = fromArrayBuffer(buffer, bytes.byteOffset, bytes.byteLength);
    // All ASCII when the lengths agree: nothing more to check.
    if (text.length !== bytes.byteLength) utf8Decode(bytes);
    return text;
  },
});
