/*
 * Reads back what a server wrote on a connection, byte for byte, on any engine: the status, the
 * headers (lower-cased names), the body (chunks decoded), how many chunks it came in, and
 * whether it was complete (Content-Length reached, or the last chunk seen).
 */

import { utf8Decode } from "../../modules/text/utf8";

export interface HttpReply {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
  text: string;
  /** Chunks of a chunked body (0 for a body with a Content-Length). */
  chunks: number;
  complete: boolean;
  /** Everything, as received. */
  raw: Uint8Array;
}

function indexOfCrlf(bytes: Uint8Array, from: number): number {
  for (let i = from; i + 1 < bytes.length; i++) if (bytes[i] === 13 && bytes[i + 1] === 10) return i;
  return -1;
}

function ascii(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += String.fromCharCode(b);
  return out;
}

export function parseHttpReply(raw: Uint8Array): HttpReply {
  const reply: HttpReply = { status: 0, headers: {}, body: new Uint8Array(0), text: "", chunks: 0, complete: false, raw };
  let at = indexOfCrlf(raw, 0);
  if (at < 0) return reply;
  const m = /^HTTP\/1\.[01] ([0-9]{3})/.exec(ascii(raw.subarray(0, at)));
  reply.status = m ? Number(m[1]) : 0;
  let pos = at + 2;
  for (;;) {
    at = indexOfCrlf(raw, pos);
    if (at < 0) return reply;
    if (at === pos) break;
    const line = utf8Decode(raw.subarray(pos, at));
    const c = line.indexOf(":");
    if (c > 0) reply.headers[line.slice(0, c).trim().toLowerCase()] = line.slice(c + 1).trim();
    pos = at + 2;
  }
  pos = at + 2;
  const parts: Uint8Array[] = [];
  if (reply.headers["transfer-encoding"] === "chunked") {
    for (;;) {
      at = indexOfCrlf(raw, pos);
      if (at < 0) break;
      const size = parseInt(ascii(raw.subarray(pos, at)), 16);
      if (!Number.isFinite(size)) break;
      if (size === 0) {
        reply.complete = indexOfCrlf(raw, at + 2) === at + 2;
        break;
      }
      if (at + 2 + size > raw.length) break;
      parts.push(raw.subarray(at + 2, at + 2 + size));
      reply.chunks++;
      pos = at + 2 + size + 2;
    }
  } else {
    const length = Number(reply.headers["content-length"] ?? raw.length - pos);
    parts.push(raw.subarray(pos, Math.min(raw.length, pos + length)));
    reply.complete = raw.length - pos >= length;
  }
  let total = 0;
  for (const p of parts) total += p.length;
  const body = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    body.set(p, o);
    o += p.length;
  }
  reply.body = body;
  try {
    reply.text = utf8Decode(body);
  } catch {
    reply.text = "";
  }
  return reply;
}
