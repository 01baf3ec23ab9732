/*
 * Fixture builder: ESP32 application images of any size, with a chosen project name, version,
 * chip and segment count, and the broken variants the OTA checks must refuse. Engine-neutral
 * (core tests run it on XS too). It writes the format from its own knowledge of
 * esp_image_format.h rather than from the verifier's constants, so a wrong constant in the
 * verifier is caught, not copied.
 */

import { sha256 } from "../../modules/crypto/sha256";

export interface ImageSpec {
  project?: string;
  version?: string;
  /** Wanted length in bytes; the image is within 48 bytes of it (at least about 330 bytes). */
  size?: number;
  /** Segment count, 1..16 (default 3, fewer when the size is small). */
  segments?: number;
  /** Append the SHA-256 of the image (default true, as esptool does). */
  hashAppended?: boolean;
  /** Header chip id (0 = ESP32). */
  chipId?: number;
  /** Seed of the segment data pattern, so two images of one size differ. */
  seed?: number;
}

export type Breakage =
  | "magic"            // first byte is not 0xE9
  | "html"             // an HTML error page served as the image
  | "no-segments"      // segment count 0
  | "many-segments"    // segment count 40
  | "descriptor-magic" // the app descriptor's magic word is wrong
  | "unaligned-segment"// a segment length that is not a multiple of 4
  | "huge-segment"     // a segment claiming 64 MB
  | "checksum"         // a data byte changed: the XOR checksum no longer matches
  | "hash"             // the appended SHA-256 changed
  | "truncated"        // the last 100 bytes missing
  | "trailing";        // 16 extra bytes after the image

const HEADER = 24;
const SEG_HEADER = 8;
const DESC = 256;
const LOAD_ADDRESSES = [0x3f400020, 0x3ffb0000, 0x40080000, 0x400d0020];

function putU32(out: Uint8Array, at: number, value: number): void {
  out[at] = value & 0xff;
  out[at + 1] = (value >>> 8) & 0xff;
  out[at + 2] = (value >>> 16) & 0xff;
  out[at + 3] = (value >>> 24) & 0xff;
}

function putText(out: Uint8Array, at: number, text: string, max: number): void {
  if (text.length >= max) throw new Error(`"${text}" does not fit in ${max - 1} characters`);
  for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i) & 0x7f;
}

/** Segment data lengths (multiples of 4, the first holding the descriptor) adding up to about data bytes. */
function segmentLengths(count: number, data: number): number[] {
  const lengths: number[] = [];
  let left = Math.max(data, DESC + 4 * (count - 1));
  for (let i = 0; i < count; i++) {
    const share = i === count - 1 ? left : Math.floor(left / (count - i) / 4) * 4;
    const length = i === 0 ? Math.max(DESC, share) : share;
    lengths.push(length - (length % 4));
    left -= lengths[i];
  }
  return lengths;
}

const built = new Map<string, Uint8Array>();

/**
 * A valid image for spec. Images are cached by spec (XS runs these tests and hashing is slow
 * there): treat the result as read-only and use breakImage() for a changed copy.
 */
export function buildImage(spec: ImageSpec = {}): Uint8Array {
  const key = JSON.stringify(spec);
  let image = built.get(key);
  if (!image) built.set(key, (image = makeImage(spec)));
  return image;
}

function makeImage(spec: ImageSpec): Uint8Array {
  const project = spec.project ?? "xs_esp32";
  const version = spec.version ?? "1.0.0";
  const hashAppended = spec.hashAppended ?? true;
  const size = spec.size ?? 4096;
  const count = spec.segments ?? Math.max(1, Math.min(3, Math.floor(size / 1024)));
  if (count < 1 || count > 16) throw new Error("segments must be 1..16");
  const fixed = HEADER + SEG_HEADER * count + 1 + (hashAppended ? 32 : 0);
  const lengths = segmentLengths(count, Math.floor((size - fixed - 15) / 4) * 4);
  let body = HEADER;
  for (const length of lengths) body += SEG_HEADER + length;
  const unhashed = (body + 1 + 15) & ~15;
  const total = unhashed + (hashAppended ? 32 : 0);
  const out = new Uint8Array(total);

  out[0] = 0xe9;
  out[1] = count;
  out[2] = 2; // DIO
  out[3] = 0x20; // 40 MHz, 4 MB
  putU32(out, 4, 0x40081234); // entry address
  out[8] = 0xee; // WP pin: not used
  out[12] = (spec.chipId ?? 0) & 0xff;
  out[13] = ((spec.chipId ?? 0) >> 8) & 0xff;
  out[23] = hashAppended ? 1 : 0;

  let at = HEADER;
  let xor = 0xef;
  let x = (spec.seed ?? 1) * 2654435761 || 1;
  for (let s = 0; s < count; s++) {
    putU32(out, at, LOAD_ADDRESSES[s % LOAD_ADDRESSES.length] + s * 0x10000);
    putU32(out, at + 4, lengths[s]);
    at += SEG_HEADER;
    const start = at;
    for (let i = 0; i < lengths[s]; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      out[at++] = x & 0xff;
    }
    if (s === 0) {
      out.fill(0, start, start + DESC);
      putU32(out, start, 0xabcd5432);
      putText(out, start + 16, version, 32);
      putText(out, start + 48, project, 32);
      putText(out, start + 80, "12:00:00", 16);
      putText(out, start + 96, "Jan  1 2025", 16);
      putText(out, start + 112, "v5.4.1", 32);
    }
    for (let i = start; i < at; i++) xor ^= out[i];
  }
  out[unhashed - 1] = xor;
  if (hashAppended) out.set(sha256(out.subarray(0, unhashed)), unhashed);
  return out;
}

/** Where each segment's data starts and how long it is, read back from an image. */
export function segmentsOf(image: Uint8Array): { start: number; length: number }[] {
  const out: { start: number; length: number }[] = [];
  let at = HEADER;
  for (let s = 0; s < image[1]; s++) {
    const length = (image[at + 4] | (image[at + 5] << 8) | (image[at + 6] << 16) | (image[at + 7] << 24)) >>> 0;
    out.push({ start: at + SEG_HEADER, length });
    at += SEG_HEADER + length;
  }
  return out;
}

/** A copy of image broken in one way. */
export function breakImage(image: Uint8Array, how: Breakage): Uint8Array {
  const out = image.slice();
  const segments = segmentsOf(image);
  switch (how) {
    case "magic":
      out[0] = 0x7f;
      return out;
    case "html": {
      const page = "<!DOCTYPE html><html><body><h1>Not Found</h1></body></html>\n";
      const bytes = new Uint8Array(page.length);
      for (let i = 0; i < page.length; i++) bytes[i] = page.charCodeAt(i);
      return bytes;
    }
    case "no-segments":
      out[1] = 0;
      return out;
    case "many-segments":
      out[1] = 40;
      return out;
    case "descriptor-magic":
      out[HEADER + SEG_HEADER] ^= 0xff;
      return out;
    case "unaligned-segment":
      out[segments[segments.length - 1].start - 4] += 1;
      return out;
    case "huge-segment":
      putU32(out, segments[segments.length - 1].start - 4, 64 << 20);
      return out;
    case "checksum": {
      const last = segments[segments.length - 1];
      out[last.start + (last.length >> 1)] ^= 0x5a;
      return out;
    }
    case "hash":
      if (image[23] === 0) throw new Error("image has no appended hash");
      out[out.length - 1] ^= 1;
      return out;
    case "truncated":
      return image.slice(0, image.length - 100);
    case "trailing": {
      const longer = new Uint8Array(image.length + 16);
      longer.set(image);
      return longer;
    }
  }
}
