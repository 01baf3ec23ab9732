/*
 * UTF-8 without TextEncoder/TextDecoder (the device has neither as a global).
 * encode() turns lone surrogates into U+FFFD, as TextEncoder does; decode() refuses malformed
 * input with a RangeError, so a corrupt body or record is reported rather than half-read.
 */

export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

export function utf8Encode(text: string): Uint8Array {
  const out = new Uint8Array(utf8Length(text));
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && (next & 0xfc00) === 0xdc00) {
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else c = 0xfffd;
    }
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

export function utf8Decode(bytes: Uint8Array): string {
  let out = "";
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
    out += String.fromCodePoint(c);
    i += extra + 1;
  }
  return out;
}
