/*
 * What a failed TLS handshake's certificates say, for a reason a person can act on: the
 * device's TLS stack (Moddable's SecureSocket) only answers "auth err", so the device host
 * hands the server's chain here and says which rule it broke.
 *
 * - certificateFacts(der) reads an X.509 certificate (RFC 5280) just far enough: its validity
 *   dates and its subjectAltName DNS names and IPv4 addresses. Undefined for bytes it cannot
 *   read: a diagnosis never throws.
 * - chainProblem(chain, serverName, now): a broken date or name rule, else undefined.
 * - tlsFailure(chain, serverName, now) names the first broken rule, in TLS_ERRORS' words: a
 *   certificate whose dates do not include now, a leaf whose names do not match serverName
 *   (one "*" as the whole leftmost label, as the SDK matches), else an untrusted chain.
 */

import { TLS_ERRORS } from "../host/tcp";

export interface CertificateFacts {
  readonly notBefore: number;
  readonly notAfter: number;
  /** DNS names and IPv4 addresses of the subjectAltName extension. */
  readonly names: readonly string[];
}

interface Element {
  readonly tag: number;
  /** Where the contents begin and end. */
  readonly start: number;
  readonly end: number;
}

function element(bytes: Uint8Array, at: number, limit: number): Element | undefined {
  if (at + 2 > limit) return undefined;
  const tag = bytes[at];
  let length = bytes[at + 1];
  let start = at + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count < 1 || count > 3 || start + count > limit) return undefined;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[start + i];
    start += count;
  }
  const end = start + length;
  return end <= limit ? { tag, start, end } : undefined;
}

function children(bytes: Uint8Array, parent: Element): Element[] {
  const out: Element[] = [];
  for (let at = parent.start; at < parent.end; ) {
    const child = element(bytes, at, parent.end);
    if (!child) return out;
    out.push(child);
    at = child.end;
  }
  return out;
}

function ascii(bytes: Uint8Array, from: number, to: number): string {
  let out = "";
  for (let i = from; i < to; i++) out += String.fromCharCode(bytes[i]);
  return out;
}

/** UTCTime (YYMMDDHHMMSSZ) or GeneralizedTime (YYYYMMDDHHMMSSZ) to ms. */
function time(bytes: Uint8Array, e: Element): number | undefined {
  const text = ascii(bytes, e.start, e.end);
  if (!text.endsWith("Z")) return undefined;
  let year: number;
  let rest: string;
  if (e.tag === 0x17 && text.length === 13) {
    year = Number(text.slice(0, 2));
    year += year < 50 ? 2000 : 1900;
    rest = text.slice(2);
  } else if (e.tag === 0x18 && text.length === 15) {
    year = Number(text.slice(0, 4));
    rest = text.slice(4);
  } else return undefined;
  const n = (i: number): number => Number(rest.slice(i, i + 2));
  const ms = Date.UTC(year, n(0) - 1, n(2), n(4), n(6), n(8));
  return Number.isFinite(ms) ? ms : undefined;
}

/** 2.5.29.17, subjectAltName, as DER OID content bytes. */
const SAN_OID = Object.freeze([0x55, 0x1d, 0x11]);

export function certificateFacts(der: Uint8Array): CertificateFacts | undefined {
  const top = element(der, 0, der.length);
  if (!top || top.tag !== 0x30) return undefined;
  const tbs = children(der, top)[0];
  if (!tbs || tbs.tag !== 0x30) return undefined;
  const fields = children(der, tbs);
  let i = fields[0]?.tag === 0xa0 ? 1 : 0; // the optional [0] version
  i += 3; // serialNumber, signature, issuer
  const validity = fields[i];
  if (!validity || validity.tag !== 0x30) return undefined;
  const [from, to] = children(der, validity);
  const notBefore = from && time(der, from);
  const notAfter = to && time(der, to);
  if (notBefore === undefined || notAfter === undefined) return undefined;
  const names: string[] = [];
  const extensions = fields.find((f) => f.tag === 0xa3);
  const list = extensions && children(der, extensions)[0];
  for (const extension of list ? children(der, list) : []) {
    const parts = children(der, extension);
    const oid = parts[0];
    if (!oid || oid.tag !== 0x06 || oid.end - oid.start !== 3) continue;
    if (der[oid.start] !== SAN_OID[0] || der[oid.start + 1] !== SAN_OID[1] || der[oid.start + 2] !== SAN_OID[2]) continue;
    const value = parts[parts.length - 1];
    const sequence = value && value.tag === 0x04 ? element(der, value.start, value.end) : undefined;
    if (!sequence) continue;
    for (const name of children(der, sequence)) {
      if (name.tag === 0x82) names.push(ascii(der, name.start, name.end).toLowerCase());
      else if (name.tag === 0x87 && name.end - name.start === 4) names.push(Array.from(der.subarray(name.start, name.end)).join("."));
    }
  }
  return { notBefore, notAfter, names };
}

/** Does the certificate name serverName? One "*" as the whole leftmost label matches one label. */
export function namesMatch(names: readonly string[], serverName: string): boolean {
  const name = serverName.toLowerCase();
  for (const candidate of names) {
    if (candidate === name) return true;
    if (candidate.startsWith("*.") && candidate.indexOf("*", 1) < 0) {
      const dot = name.indexOf(".");
      if (dot > 0 && name.slice(dot) === candidate.slice(1)) return true;
    }
  }
  return false;
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Why a chain the TLS stack refused was refused, in TLS_ERRORS' words. */
export function tlsFailure(chain: readonly Uint8Array[], serverName: string, now: number): string {
  return chainProblem(chain, serverName, now) ?? `${TLS_ERRORS.untrusted}: the chain does not end in a root certificate this device trusts (self-signed, or another issuer)`;
}

/**
 * A rule the chain breaks that a signature check does not see: a certificate out of its dates,
 * a leaf for other names. The device host asks this of chains the SDK accepted too: SDK 8.2.3's
 * ssl_cert.js skips an expired leaf and then accepts the chain when the certificate after it
 * leads to a trusted root (tests/moddable/standins/securesocket.ts keeps that behaviour).
 */
export function chainProblem(chain: readonly Uint8Array[], serverName: string, now: number): string | undefined {
  const facts = chain.map(certificateFacts);
  for (let i = 0; i < facts.length; i++) {
    const f = facts[i];
    if (!f) continue;
    const which = i === 0 ? "the server's certificate" : `certificate ${i + 1} of the chain`;
    if (now >= f.notAfter) return `${TLS_ERRORS.dates}: ${which} expired on ${day(f.notAfter)} (the device's clock says ${day(now)})`;
    if (now < f.notBefore) return `${TLS_ERRORS.dates}: ${which} is not valid before ${day(f.notBefore)} (the device's clock says ${day(now)})`;
  }
  const leaf = facts[0];
  if (leaf && !namesMatch(leaf.names, serverName))
    return `${TLS_ERRORS.name}: the certificate is for ${leaf.names.slice(0, 4).join(", ") || "no name"}, not ${serverName}`;
  return undefined;
}
