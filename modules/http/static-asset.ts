/*
 * Static assets: the page's stylesheet and script, and its fixed markup, as UTF-8 bytes made
 * once, when the module loads. On the device that is at build time (the module is preloaded):
 * the bytes and their tag then sit in flash, and serving them costs no heap and no encoding.
 * Only pure JavaScript runs here (the core's UTF-8 encoder and CRC-32): preloading cannot call
 * a native.
 *
 * - fixedBytes(text): the UTF-8 of fixed markup, for a page's fragments (response-writer.ts
 *   writes bytes fragments as they are).
 * - staticAsset(text, type): the bytes, their content type and a strong ETag made from their
 *   CRC-32 and length ("a1b2c3d4-1f40"): any change to the text changes it.
 * - assetResponse(request, parts, tag, type): 200 with the parts as the body, or 304 when the
 *   request's If-None-Match names the tag. Cached for a year and immutable when the URL carries
 *   the tag (?v=<tag>, what the page links), else revalidated each time (no-cache).
 */

import type { HttpBody, HttpRequest, HttpResponse } from "../http/http-message";
import { crc32 } from "../text/crc32";
import { utf8Encode } from "../text/utf8";

export interface StaticAsset {
  readonly bytes: Uint8Array;
  /** The strong ETag's value, quotes included. */
  readonly etag: string;
  /** The ETag without its quotes: what a URL carries as ?v=. */
  readonly tag: string;
  readonly type: string;
}

export function fixedBytes(text: string): Uint8Array {
  return utf8Encode(text);
}

/** The tag of bytes: CRC-32 and length, in hex; seed chains several parts into one tag. */
export function bytesTag(bytes: Uint8Array, seed = 0): { crc: number; length: number } {
  return { crc: crc32(bytes, seed), length: bytes.length };
}

export function tagText(crc: number, length: number): string {
  return `${(crc >>> 0).toString(16).padStart(8, "0")}-${length.toString(16)}`;
}

export function staticAsset(text: string, type: string): StaticAsset {
  const bytes = utf8Encode(text);
  const tag = tagText(crc32(bytes), bytes.length);
  return Object.freeze({ bytes, etag: `"${tag}"`, tag, type });
}

/** True when an If-None-Match header names the tag (or is "*"). */
export function matchesTag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  for (const part of header.split(",")) {
    const value = part.trim();
    if (value === "*" || value === etag || value === `W/${etag}`) return true;
  }
  return false;
}

/** The query's v= value, "" when none. */
function versionAsked(query: string): string {
  for (const pair of query.split("&")) if (pair.startsWith("v=")) return pair.slice(2);
  return "";
}

export function assetResponse(request: HttpRequest, body: HttpBody, tag: string, type: string): HttpResponse {
  const etag = `"${tag}"`;
  const headers: Record<string, string> = {
    "content-type": type,
    etag,
    // A URL with the tag names these bytes for ever; any other is checked each time it is used.
    "cache-control": versionAsked(request.query) === tag ? "public, max-age=31536000, immutable" : "no-cache",
    "x-content-type-options": "nosniff",
  };
  if (matchesTag(request.headers["if-none-match"], etag)) return { status: 304, headers };
  return { status: 200, headers, body };
}
