/*
 * X.509 certificates as DER bytes, made by hand for the tests that run where no certificate
 * library does (the device host on XS): the structure RFC 5280 gives them (version, serial,
 * algorithm, issuer, validity, subject, key, subjectAltName, AKI/SKI), with a key and a
 * signature that are only bytes. Engine-neutral. What it makes is checked against node:crypto's
 * X509Certificate (tests/node/certificate-facts.test.ts), so the shapes are real.
 */

function length(n: number): number[] {
  if (n < 0x80) return [n];
  if (n < 0x100) return [0x81, n];
  if (n < 0x10000) return [0x82, n >> 8, n & 0xff];
  return [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
}

function tlv(tag: number, content: readonly number[]): number[] {
  return [tag, ...length(content.length), ...content];
}

function seq(...parts: number[][]): number[] {
  return tlv(0x30, parts.flat());
}

function ascii(text: string): number[] {
  return Array.from(text, (c) => c.charCodeAt(0));
}

function utcTime(ms: number): number[] {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, "0");
  const year = d.getUTCFullYear();
  const text = `${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}Z`;
  return year >= 2050 ? tlv(0x18, ascii(`${year}${text}`)) : tlv(0x17, ascii(`${two(year % 100)}${text}`));
}

function name(cn: string): number[] {
  // Name ::= SEQUENCE OF SET OF AttributeTypeAndValue (commonName 2.5.4.3, UTF8String)
  return seq(tlv(0x31, seq(tlv(0x06, [0x55, 0x04, 0x03]), tlv(0x0c, ascii(cn)))));
}

function hexBytes(hex: string): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < hex.length; i += 2) out.push(parseInt(hex.slice(i, i + 2), 16));
  return out;
}

export interface DerCertificateSpec {
  names: readonly string[];
  notBefore: number;
  notAfter: number;
  /** Hex key identifiers. */
  ski: string;
  aki: string;
  issuer?: string;
}

export function derCertificate(spec: DerCertificateSpec): Uint8Array {
  const sha256WithRsa = seq(tlv(0x06, [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b]), [0x05, 0x00]);
  const rsaKey = seq(seq(tlv(0x06, [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]), [0x05, 0x00]), tlv(0x03, [0x00, ...seq(tlv(0x02, [0x00, 0xc1, 0x23, 0x45]), tlv(0x02, [0x01, 0x00, 0x01]))]));
  const sans = spec.names.map((n) => (/^[0-9.]+$/.test(n) ? tlv(0x87, n.split(".").map(Number)) : tlv(0x82, ascii(n))));
  const extension = (oid: number[], value: number[]) => seq(tlv(0x06, oid), tlv(0x04, value));
  const extensions = tlv(0xa3, seq(
    extension([0x55, 0x1d, 0x11], seq(...sans)),
    extension([0x55, 0x1d, 0x0e], tlv(0x04, hexBytes(spec.ski))),
    extension([0x55, 0x1d, 0x23], seq(tlv(0x80, hexBytes(spec.aki)))),
  ));
  const tbs = seq(
    tlv(0xa0, tlv(0x02, [0x02])),
    tlv(0x02, [0x01, 0x23]),
    sha256WithRsa,
    name(spec.issuer ?? "Test Root"),
    seq(utcTime(spec.notBefore), utcTime(spec.notAfter)),
    name(spec.names[0] ?? "none"),
    rsaKey,
    extensions,
  );
  return new Uint8Array(seq(tbs, sha256WithRsa, tlv(0x03, [0x00, 0xde, 0xad, 0xbe, 0xef])));
}
