/*
 * truncateUtf8: the longest prefix of a text that fits in a number of UTF-8 bytes, cut only
 * between characters (a surrogate pair is never split). Lone surrogates, which UTF-8 cannot
 * carry, become U+FFFD (as utf8Encode and TextEncoder turn them), so what is returned is exactly
 * what survives a round trip through the device's storage, and truncating it again changes
 * nothing. A text that already fits is returned as it is, without a copy.
 *
 * It walks the text with for-of, not charCodeAt(i): XS keeps strings as UTF-8, so indexing by
 * UTF-16 position costs a scan from the start and an indexed loop over a 4000-character value
 * is quadratic (measured in xsnap: 30 ms for 4000 characters, 450 ms for 16000, against 3 and
 * 13 ms with for-of).
 */

export function truncateUtf8(text: string, maxBytes: number): string {
  let bytes = 0;
  let units = 0; // UTF-16 units of text walked so far
  let start = 0; // where the part not yet copied to out begins
  let out = "";
  let changed = false;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    const lone = c >= 0xd800 && c <= 0xdfff; // for-of yields a lone surrogate on its own
    const size = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    if (bytes + size > maxBytes) {
      changed = true;
      break;
    }
    bytes += size;
    if (lone) {
      out += `${text.slice(start, units)}\ufffd`;
      start = units + 1;
      changed = true;
    }
    units += ch.length;
  }
  return changed ? out + text.slice(start, units) : text;
}
