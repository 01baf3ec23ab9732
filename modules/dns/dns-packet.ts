/*
 * The DNS wire format (RFC 1035, with mDNS's bits from RFC 6762), read and written: the one DNS
 * codec of the core, used by the captive portal's DNS (wifi/dns-message.ts) and the mDNS
 * responder (mdns/).
 *
 * Reading (parseDnsMessage) promises:
 * - every name is read with compression pointers that point strictly backwards, at most 255
 *   bytes long and 128 labels, so a hostile packet can neither loop nor run away; labels are
 *   UTF-8 (RFC 6762 section 16) and compared by the caller in lower case (sameName);
 * - a record whose rdata runs past the packet, a name that does, a count the packet cannot hold:
 *   a DnsFormatError, never a half-read message;
 * - A, PTR, SRV, TXT and NSEC rdata is decoded; any other type keeps only its bytes.
 * - The class's top bit is mDNS's: unicast-response wanted (a question) or cache-flush (a record).
 * Writing (encodeDnsMessage) compresses every name it repeats and refuses a name or label that
 * DNS cannot carry (a TypeError, a bug of the caller, never of the network).
 */

import { utf8Decode, utf8Encode } from "../text/utf8";

export const DNS_TYPE = Object.freeze({ A: 1, PTR: 12, TXT: 16, AAAA: 28, SRV: 33, OPT: 41, NSEC: 47, ANY: 255 } as const);
export const DNS_CLASS_IN = 1;
/** The class's top bit: QU in a question, cache-flush in a record (RFC 6762 sections 5.4, 10.2). */
export const DNS_CLASS_TOP_BIT = 0x8000;
export const DNS_FLAG_RESPONSE = 0x8000;
export const DNS_FLAG_AUTHORITATIVE = 0x0400;
export const DNS_FLAG_TRUNCATED = 0x0200;

/** Longest name on the wire (RFC 1035 section 2.3.4). */
const MAX_NAME_BYTES = 255;
const MAX_LABELS = 128;

export class DnsFormatError extends Error {}
Object.defineProperty(DnsFormatError.prototype, "name", { value: "DnsFormatError" });

export interface DnsQuestion {
  readonly name: string;
  readonly type: number;
  /** The class without its top bit. */
  readonly qclass: number;
  /** mDNS: the asker wants the answer by unicast (QU). */
  readonly unicast: boolean;
}

export interface SrvData {
  readonly priority: number;
  readonly weight: number;
  readonly port: number;
  readonly target: string;
}

export interface NsecData {
  readonly next: string;
  readonly types: readonly number[];
}

/** Decoded rdata: A "a.b.c.d", PTR a name, SRV, TXT strings, NSEC; undefined for other types. */
export type DnsData = string | SrvData | readonly string[] | NsecData | undefined;

export interface DnsRecord {
  readonly name: string;
  readonly type: number;
  /** The class without its top bit. */
  readonly rclass: number;
  /** mDNS: the record replaces what caches hold for its name and type. */
  readonly cacheFlush: boolean;
  readonly ttl: number;
  readonly rdata: Uint8Array;
  readonly data: DnsData;
}

export interface DnsMessage {
  readonly id: number;
  readonly flags: number;
  readonly response: boolean;
  readonly opcode: number;
  readonly rcode: number;
  readonly questions: readonly DnsQuestion[];
  readonly answers: readonly DnsRecord[];
  readonly authorities: readonly DnsRecord[];
  readonly additionals: readonly DnsRecord[];
}

/** "192.168.4.1" as four bytes, or undefined when it is not a dotted IPv4 address. */
export function ipv4Bytes(address: string): number[] | undefined {
  const parts = address.split(".");
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const part of parts) {
    if (part.length < 1 || part.length > 3) return undefined;
    let n = 0;
    for (const ch of part) {
      if (ch < "0" || ch > "9") return undefined;
      n = n * 10 + (ch.charCodeAt(0) - 48);
    }
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

/** Lower case for ASCII letters only: DNS compares names that way (RFC 4343). */
export function dnsLower(name: string): string {
  let out = "";
  for (const ch of name) out += ch >= "A" && ch <= "Z" ? String.fromCharCode(ch.charCodeAt(0) + 32) : ch;
  return out;
}

export function sameName(a: string, b: string): boolean {
  return a.length === b.length && dnsLower(a) === dnsLower(b);
}

/**
 * Reads the name at `start`; returns it (labels joined by ".", "" for the root) and where the
 * name ends in the packet (after the first pointer, when there is one).
 */
export function readDnsName(bytes: Uint8Array, start: number): { name: string; end: number } {
  let i = start;
  let end = -1;
  let total = 1;
  let labels = 0;
  let name = "";
  // Each pointer must point before the label that holds it: no loop can form.
  let floor = start;
  for (;;) {
    if (i >= bytes.length) throw new DnsFormatError("a name runs past the end of the packet");
    const length = bytes[i];
    if (length === 0) {
      if (end < 0) end = i + 1;
      return { name, end };
    }
    if ((length & 0xc0) === 0xc0) {
      if (i + 1 >= bytes.length) throw new DnsFormatError("a compression pointer runs past the end of the packet");
      const target = ((length & 0x3f) << 8) | bytes[i + 1];
      if (target >= floor) throw new DnsFormatError("a compression pointer that does not point backwards");
      if (end < 0) end = i + 2;
      floor = target;
      i = target;
      continue;
    }
    if (length > 63) throw new DnsFormatError("a label of a reserved type");
    if (i + 1 + length > bytes.length) throw new DnsFormatError("a label runs past the end of the packet");
    total += length + 1;
    if (total > MAX_NAME_BYTES || ++labels > MAX_LABELS) throw new DnsFormatError("a name longer than 255 bytes");
    const label = utf8Decode(bytes.subarray(i + 1, i + 1 + length));
    name += name === "" ? label : `.${label}`;
    i += 1 + length;
  }
}

function u16(bytes: Uint8Array, at: number): number {
  if (at + 2 > bytes.length) throw new DnsFormatError("the packet ends inside a field");
  return (bytes[at] << 8) | bytes[at + 1];
}

function u32(bytes: Uint8Array, at: number): number {
  return u16(bytes, at) * 65536 + u16(bytes, at + 2);
}

function readData(bytes: Uint8Array, type: number, start: number, length: number): DnsData {
  const end = start + length;
  if (type === DNS_TYPE.A) {
    if (length !== 4) throw new DnsFormatError("an A record that is not 4 bytes");
    return `${bytes[start]}.${bytes[start + 1]}.${bytes[start + 2]}.${bytes[start + 3]}`;
  }
  if (type === DNS_TYPE.PTR) {
    const read = readDnsName(bytes, start);
    if (read.end > end) throw new DnsFormatError("a PTR name runs past its record");
    return read.name;
  }
  if (type === DNS_TYPE.SRV) {
    if (length < 7) throw new DnsFormatError("an SRV record too short");
    const read = readDnsName(bytes, start + 6);
    if (read.end > end) throw new DnsFormatError("an SRV target runs past its record");
    return Object.freeze({ priority: u16(bytes, start), weight: u16(bytes, start + 2), port: u16(bytes, start + 4), target: read.name });
  }
  if (type === DNS_TYPE.TXT) {
    const strings: string[] = [];
    for (let i = start; i < end; ) {
      const n = bytes[i];
      if (i + 1 + n > end) throw new DnsFormatError("a TXT string runs past its record");
      strings.push(utf8Decode(bytes.subarray(i + 1, i + 1 + n)));
      i += 1 + n;
    }
    return Object.freeze(strings);
  }
  if (type === DNS_TYPE.NSEC) {
    const read = readDnsName(bytes, start);
    if (read.end > end) throw new DnsFormatError("an NSEC name runs past its record");
    const types: number[] = [];
    for (let i = read.end; i < end; ) {
      if (i + 2 > end) throw new DnsFormatError("an NSEC bitmap runs past its record");
      const window = bytes[i];
      const n = bytes[i + 1];
      if (n < 1 || n > 32 || i + 2 + n > end) throw new DnsFormatError("an NSEC bitmap of a wrong length");
      for (let b = 0; b < n; b++)
        for (let bit = 0; bit < 8; bit++) if (bytes[i + 2 + b] & (0x80 >> bit)) types.push(window * 256 + b * 8 + bit);
      i += 2 + n;
    }
    return Object.freeze({ next: read.name, types: Object.freeze(types) });
  }
  return undefined;
}

function readRecords(bytes: Uint8Array, count: number, at: { i: number }): DnsRecord[] {
  const out: DnsRecord[] = [];
  for (let k = 0; k < count; k++) {
    const read = readDnsName(bytes, at.i);
    const type = u16(bytes, read.end);
    const rawClass = u16(bytes, read.end + 2);
    const ttl = u32(bytes, read.end + 4);
    const length = u16(bytes, read.end + 8);
    const start = read.end + 10;
    if (start + length > bytes.length) throw new DnsFormatError("a record's data runs past the end of the packet");
    out.push(
      Object.freeze({
        name: read.name,
        type,
        rclass: rawClass & 0x7fff,
        cacheFlush: (rawClass & DNS_CLASS_TOP_BIT) !== 0,
        ttl,
        rdata: bytes.slice(start, start + length),
        data: readData(bytes, type, start, length),
      }),
    );
    at.i = start + length;
  }
  return out;
}

/** The whole message; throws DnsFormatError when any part of it cannot be read. */
export function parseDnsMessage(bytes: Uint8Array): DnsMessage {
  if (bytes.length < 12) throw new DnsFormatError("shorter than a DNS header");
  const flags = u16(bytes, 2);
  const counts = [u16(bytes, 4), u16(bytes, 6), u16(bytes, 8), u16(bytes, 10)];
  // Every question takes 5 bytes at least, every record 11: a count beyond that is a lie.
  if (counts[0] * 5 + (counts[1] + counts[2] + counts[3]) * 11 > bytes.length - 12) throw new DnsFormatError("more entries than the packet can hold");
  const at = { i: 12 };
  const questions: DnsQuestion[] = [];
  for (let k = 0; k < counts[0]; k++) {
    const read = readDnsName(bytes, at.i);
    const rawClass = u16(bytes, read.end + 2);
    questions.push(Object.freeze({ name: read.name, type: u16(bytes, read.end), qclass: rawClass & 0x7fff, unicast: (rawClass & DNS_CLASS_TOP_BIT) !== 0 }));
    at.i = read.end + 4;
  }
  const answers = readRecords(bytes, counts[1], at);
  const authorities = readRecords(bytes, counts[2], at);
  const additionals = readRecords(bytes, counts[3], at);
  return Object.freeze({
    id: u16(bytes, 0),
    flags,
    response: (flags & DNS_FLAG_RESPONSE) !== 0,
    opcode: (flags >> 11) & 0x0f,
    rcode: flags & 0x0f,
    questions: Object.freeze(questions),
    answers: Object.freeze(answers),
    authorities: Object.freeze(authorities),
    additionals: Object.freeze(additionals),
  });
}

/** A record to write: its data by type. */
export type DnsRecordOut = {
  readonly name: string;
  readonly ttl: number;
  readonly cacheFlush?: boolean;
} & (
  | { readonly type: 1; readonly address: string }
  | { readonly type: 12; readonly target: string }
  | { readonly type: 16; readonly strings: readonly string[] }
  | { readonly type: 33; readonly priority?: number; readonly weight?: number; readonly port: number; readonly target: string }
  | { readonly type: 47; readonly next: string; readonly types: readonly number[] }
);

export interface DnsQuestionOut {
  readonly name: string;
  readonly type: number;
  readonly unicast?: boolean;
}

export interface DnsMessageOut {
  readonly id?: number;
  readonly flags: number;
  readonly questions?: readonly DnsQuestionOut[];
  readonly answers?: readonly DnsRecordOut[];
  readonly authorities?: readonly DnsRecordOut[];
  readonly additionals?: readonly DnsRecordOut[];
}

class Writer {
  readonly bytes: number[] = [];
  /** Lower-cased name suffix -> where it was written (pointers reach 14 bits). */
  readonly #names = new Map<string, number>();

  u16(n: number): void {
    this.bytes.push((n >>> 8) & 0xff, n & 0xff);
  }

  u32(n: number): void {
    this.u16(Math.floor(n / 65536) & 0xffff);
    this.u16(n & 0xffff);
  }

  name(name: string, compress = true): void {
    const labels = name === "" ? [] : name.split(".");
    let total = 1;
    for (let k = 0; k < labels.length; k++) {
      const suffix = dnsLower(labels.slice(k).join("."));
      const known = compress ? this.#names.get(suffix) : undefined;
      if (known !== undefined) {
        this.u16(0xc000 | known);
        return;
      }
      const label = utf8Encode(labels[k]);
      if (label.length < 1 || label.length > 63) throw new TypeError(`a DNS label must be 1 to 63 bytes: "${labels[k]}"`);
      total += label.length + 1;
      if (total > MAX_NAME_BYTES) throw new TypeError(`a DNS name must be at most 255 bytes: "${name}"`);
      if (compress && this.bytes.length < 0x3fff) this.#names.set(suffix, this.bytes.length);
      this.bytes.push(label.length);
      for (const b of label) this.bytes.push(b);
    }
    this.bytes.push(0);
  }

  record(record: DnsRecordOut): void {
    this.name(record.name);
    this.u16(record.type);
    this.u16(DNS_CLASS_IN | (record.cacheFlush ? DNS_CLASS_TOP_BIT : 0));
    this.u32(Math.max(0, Math.min(0x7fffffff, Math.floor(record.ttl))));
    const lengthAt = this.bytes.length;
    this.u16(0);
    const start = this.bytes.length;
    if (record.type === DNS_TYPE.A) {
      const address = ipv4Bytes(record.address);
      if (!address) throw new TypeError(`not an IPv4 address: "${record.address}"`);
      for (const b of address) this.bytes.push(b);
    } else if (record.type === DNS_TYPE.PTR) this.name(record.target);
    else if (record.type === DNS_TYPE.SRV) {
      this.u16(record.priority ?? 0);
      this.u16(record.weight ?? 0);
      this.u16(record.port);
      this.name(record.target);
    } else if (record.type === DNS_TYPE.TXT) {
      // An empty TXT record still holds one empty string (RFC 6763 section 6.1).
      const strings = record.strings.length ? record.strings : [""];
      for (const s of strings) {
        const bytes = utf8Encode(s);
        if (bytes.length > 255) throw new TypeError("a TXT string must be at most 255 bytes");
        this.bytes.push(bytes.length);
        for (const b of bytes) this.bytes.push(b);
      }
    } else {
      // NSEC: the next name uncompressed (RFC 4034 section 4.1.1), then window 0's bitmap.
      this.name(record.next, false);
      let highest = 0;
      for (const t of record.types) if (t < 256 && t > highest) highest = t;
      const length = (highest >> 3) + 1;
      const bitmap = new Uint8Array(length);
      for (const t of record.types) if (t < 256) bitmap[t >> 3] |= 0x80 >> (t & 7);
      this.bytes.push(0, length);
      for (const b of bitmap) this.bytes.push(b);
    }
    const length = this.bytes.length - start;
    this.bytes[lengthAt] = length >> 8;
    this.bytes[lengthAt + 1] = length & 0xff;
  }
}

export function encodeDnsMessage(message: DnsMessageOut): Uint8Array {
  const w = new Writer();
  const questions = message.questions ?? [];
  const answers = message.answers ?? [];
  const authorities = message.authorities ?? [];
  const additionals = message.additionals ?? [];
  w.u16(message.id ?? 0);
  w.u16(message.flags);
  w.u16(questions.length);
  w.u16(answers.length);
  w.u16(authorities.length);
  w.u16(additionals.length);
  for (const q of questions) {
    w.name(q.name);
    w.u16(q.type);
    w.u16(DNS_CLASS_IN | (q.unicast ? DNS_CLASS_TOP_BIT : 0));
  }
  for (const r of answers) w.record(r);
  for (const r of authorities) w.record(r);
  for (const r of additionals) w.record(r);
  return Uint8Array.from(w.bytes);
}
