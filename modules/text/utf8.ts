/*
 * UTF-8 without TextEncoder/TextDecoder (the device has neither as a global).
 * encode() turns lone surrogates into U+FFFD, as TextEncoder does; decode() refuses malformed
 * input with a RangeError, so a corrupt body or record is reported rather than half-read.
 */

// Strings are walked with for-of, code point by code point: XS keeps strings as UTF-8, so
// charCodeAt(i) costs O(i) there and an index loop over a 4 KB record would be quadratic.

export function utf8Length(text: string): number {
  let n = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0) as number;
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }
  return n;
}

export function utf8Encode(text: string): Uint8Array {
  const out = new Uint8Array(utf8Length(text));
  let o = 0;
  for (const ch of text) {
    let c = ch.codePointAt(0) as number;
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd; // a lone surrogate (for-of pairs the others)
    if (c < 0x80) out[o++] = c;
    else if (c < 0x800) {
      out[o++] = 0xc0 | (c >> 6);
      out[o++] = 0x80 | (c & 0x3f);
    } else if (c < 0x10000) {
      out[o++] = 0xe0 | (c >> 12);
      out[o++] = 0x80 | ((c >> 6) & 0x3f);
      out[o++] = 0x80 | (c & 0x3f);
    } else {
      out[o++] = 0xf0 | (c >> 18);
      out[o++] = 0x80 | ((c >> 12) & 0x3f);
      out[o++] = 0x80 | ((c >> 6) & 0x3f);
      out[o++] = 0x80 | (c & 0x3f);
    }
  }
  return out;
}

/**
 * Code points turned into text per String.fromCodePoint call. Small: each is an argument on
 * XS's stack, and the Moddable Linux simulator's release build aborts ("JavaScript stack
 * overflow") on a spread of a few hundred (a 400-byte non-ASCII request did it).
 */
const DECODE_BLOCK = 64;

export function utf8Decode(bytes: Uint8Array): string {
  // Code points are gathered and turned into text a block at a time, the blocks joined once:
  // appending one character at a time would copy the growing string on every step.
  const parts: string[] = [];
  const points: number[] = [];
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    let c: number;
    let extra: number;
    if (b < 0x80) { c = b; extra = 0; }
    else if (b >= 0xc2 && b < 0xe0) { c = b & 0x1f; extra = 1; }
    else if (b >= 0xe0 && b < 0xf0) { c = b & 0x0f; extra = 2; }
    else if (b >= 0xf0 && b < 0xf5) { c = b & 0x07; extra = 3; }
    else throw new RangeError(`invalid UTF-8 at byte ${i}`);
    if (i + extra >= bytes.length + (extra ? 0 : 1)) throw new RangeError(`truncated UTF-8 at byte ${i}`);
    for (let k = 1; k <= extra; k++) {
      const n = bytes[i + k];
      if ((n & 0xc0) !== 0x80) throw new RangeError(`invalid UTF-8 at byte ${i + k}`);
      c = (c << 6) | (n & 0x3f);
    }
    if ((extra === 2 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) || (extra === 3 && (c < 0x10000 || c > 0x10ffff)))
      throw new RangeError(`invalid UTF-8 at byte ${i}`);
    points.push(c);
    if (points.length === DECODE_BLOCK) {
      parts.push(String.fromCodePoint(...points));
      points.length = 0;
    }
    i += extra + 1;
  }
  if (points.length) parts.push(String.fromCodePoint(...points));
  return parts.length === 1 ? parts[0] : parts.join("");
}
