/*
 * TextCodec: UTF-8 in and out, from the host's fastest source. The device converts natively
 * (ArrayBuffer.fromString, String.fromArrayBuffer), the simulator through Buffer; the core's
 * plain-JavaScript codec (text/utf8.ts) is the fallback and what the XS tests use. Everything
 * that crosses a socket is bytes, so the HTTP server and client encode and decode through this.
 *
 * - encode() returns the UTF-8 bytes of text; a lone surrogate becomes U+FFFD.
 * - decode() returns the text of bytes, or throws a RangeError (or TypeError) for malformed
 *   UTF-8: a bad lead or continuation byte, a truncated sequence, an overlong form or a
 *   surrogate. Every host refuses the same bytes (tests/contract/text-codec-contract.ts).
 */

export interface TextCodec {
  encode(text: string): Uint8Array;
  decode(bytes: Uint8Array): string;
}
