/*
 * What the Moddable device's XS has and xsnap's XS lacks, installed before any device module
 * runs (the device tests' bundle imports this first):
 * - trace(text): the device's log (xsbug, serial). Recorded in machine.traced, not printed.
 * - ArrayBuffer.fromString(text): the UTF-8 bytes of text (xsDataView.c; XS strings are UTF-8
 *   inside, so this is a copy). A lone surrogate becomes U+FFFD here (the core's encoder).
 * - String.fromArrayBuffer(buffer[, offset[, length]]): the text of those bytes (xsString.c).
 *   XS checks lead and continuation bytes and throws a TypeError for what fails; this stand-in
 *   is stricter (it also refuses overlong forms and surrogates, as the core's decoder does),
 *   which hosts/moddable/text-codec.ts checks again anyway.
 * Defined as non-enumerable statics, like XS's own; nothing is replaced that already exists.
 */

import { utf8Decode, utf8Encode } from "../../../modules/text/utf8";
import { machine } from "./machine";

const g = globalThis as unknown as Record<string, unknown>;

g.trace = (...parts: unknown[]): void => {
  machine.traced.push(parts.map(String).join(""));
};

function define(target: object, name: string, value: unknown): void {
  if (Object.prototype.hasOwnProperty.call(target, name)) return;
  Object.defineProperty(target, name, { value, writable: true, configurable: true, enumerable: false });
}

define(ArrayBuffer, "fromString", (text: string): ArrayBuffer => {
  const bytes = utf8Encode(String(text));
  return bytes.buffer.byteLength === bytes.byteLength ? (bytes.buffer as ArrayBuffer) : (bytes.slice().buffer as ArrayBuffer);
});

define(String, "fromArrayBuffer", (buffer: ArrayBuffer, offset = 0, length?: number): string => {
  if (!(buffer instanceof ArrayBuffer)) throw new TypeError("buffer is no ArrayBuffer instance");
  const start = Math.max(0, Math.min(buffer.byteLength, Number(offset) | 0));
  const end = length === undefined ? buffer.byteLength : Math.min(buffer.byteLength, start + Math.max(0, Number(length) | 0));
  try {
    return utf8Decode(new Uint8Array(buffer, start, end - start));
  } catch {
    throw new TypeError("invalid UTF-8");
  }
});
