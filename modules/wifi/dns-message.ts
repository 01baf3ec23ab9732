/*
 * The captive portal's DNS answers, as bytes: what portal-dns.ts sends back for each UDP
 * datagram it receives, on every host.
 *
 * - A standard query with one question of type A (or ANY), class IN, gets that question back
 *   with one A record: the address answer(name) gives. The name is passed lower-cased.
 * - Any other question type (AAAA, HTTPS, ...) gets NOERROR with no records, at once: a phone
 *   that asks for AAAA and A together then moves on instead of waiting for a timeout.
 * - EDNS records in the query are ignored and none is sent back (the reply always fits 512
 *   bytes). Moddable's own dns/server copies the query's additional section into its reply,
 *   which makes the OPT record read as the answer; that is why the hosts do not use it.
 * - A datagram that is a response, is shorter than a header, or whose question cannot be read
 *   gets FORMERR when its header can be answered, and nothing otherwise (undefined).
 * - Other opcodes get NOTIMP.
 * Names are read by the core's one DNS codec (dns/dns-packet.ts).
 */

import { dnsLower, ipv4Bytes, readDnsName } from "../dns/dns-packet";

export { ipv4Bytes };

/** The IPv4 address to answer for a name, or undefined to answer with no address. */
export type DnsAnswer = (name: string) => string | undefined;

const TYPE_A = 1;
const TYPE_ANY = 255;
const CLASS_IN = 1;
const RCODE_FORMERR = 1;
const RCODE_NOTIMP = 4;

function header(query: Uint8Array, rcode: number, questions: number, answers: number): Uint8Array {
  const out = new Uint8Array(12);
  out[0] = query[0];
  out[1] = query[1];
  // QR=1, the query's opcode, AA=1, the query's RD; RA=1 since every name is "resolved".
  out[2] = 0x80 | (query[2] & 0x78) | 0x04 | (query[2] & 0x01);
  out[3] = 0x80 | rcode;
  out[5] = questions;
  out[7] = answers;
  return out;
}

/** Reads the question's name (lower-cased) through the core's codec; undefined if malformed. */
function readName(query: Uint8Array, start: number): { name: string; end: number } | undefined {
  try {
    const read = readDnsName(query, start);
    return { name: dnsLower(read.name), end: read.end };
  } catch {
    return undefined;
  }
}

/** The reply to one DNS datagram, or undefined when it deserves none. */
export function dnsReply(query: Uint8Array, answer: DnsAnswer, ttlSeconds = 30): Uint8Array | undefined {
  if (query.length < 12) return undefined;
  if (query[2] & 0x80) return undefined; // a response: never answer one (no loops between servers)
  const opcode = (query[2] >> 3) & 0x0f;
  if (opcode !== 0) return header(query, RCODE_NOTIMP, 0, 0);
  const qdcount = (query[4] << 8) | query[5];
  if (qdcount !== 1) return header(query, RCODE_FORMERR, 0, 0);
  const read = readName(query, 12);
  if (!read || read.end + 4 > query.length) return header(query, RCODE_FORMERR, 0, 0);
  const qtype = (query[read.end] << 8) | query[read.end + 1];
  const qclass = (query[read.end + 2] << 8) | query[read.end + 3];
  const questionEnd = read.end + 4;

  let address: number[] | undefined;
  if ((qtype === TYPE_A || qtype === TYPE_ANY) && qclass === CLASS_IN) {
    const text = answer(read.name);
    address = text === undefined ? undefined : ipv4Bytes(text);
  }
  const question = query.subarray(12, questionEnd);
  const out = new Uint8Array(12 + question.length + (address ? 16 : 0));
  out.set(header(query, 0, 1, address ? 1 : 0), 0);
  out.set(question, 12);
  if (address) {
    let i = 12 + question.length;
    const ttl = Math.max(0, Math.min(0x7fffffff, Math.floor(ttlSeconds)));
    // Name: a pointer to the question's name at offset 12; type A, class IN, TTL, 4 bytes.
    const record = [0xc0, 12, 0, TYPE_A, 0, CLASS_IN, (ttl >>> 24) & 0xff, (ttl >>> 16) & 0xff, (ttl >>> 8) & 0xff, ttl & 0xff, 0, 4];
    for (const b of record) out[i++] = b;
    for (const b of address) out[i++] = b;
  }
  return out;
}
