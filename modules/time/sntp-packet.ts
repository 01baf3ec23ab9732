/*
 * SNTP packets (RFC 4330, the client side of RFC 5905): the request the client sends and the
 * checks every reply must pass before its time may set a clock.
 *
 * - sntpRequest(nonce) is 48 bytes: LI 0, version 4, mode 3 (client), every field zero but the
 *   transmit timestamp, which holds 8 random bytes (RFC 9109's advice: the client's own time
 *   tells an observer nothing useful, a random value makes a reply impossible to forge blind).
 * - readSntpReply(bytes, nonce, notBeforeMs) returns the server's receive and transmit times
 *   (ms since 1970) or why the reply is refused: shorter than 48 bytes, a mode other than 4
 *   (server), a version other than 1-4, an originate timestamp that is not the nonce (stale, or
 *   forged), stratum 0 (a kiss-of-death, with its 4-letter code: RATE, DENY, RSTR...), stratum
 *   16 or more, leap indicator 3 (the server is not synchronised), a transmit time of zero or
 *   before notBeforeMs (the build date: no real server is behind it).
 * - NTP timestamps are seconds since 1900; era 1 (from 2036-02-07) is told apart by the top bit
 *   of the seconds, as RFC 4330 section 3 says, so the client keeps working after 2036.
 */

/** Seconds from 1900 (NTP's epoch) to 1970. */
const NTP_UNIX_OFFSET = 2_208_988_800;
const TWO_32 = 4_294_967_296;

export const SNTP_PACKET_BYTES = 48;

export type SntpRefusal =
  | { readonly kind: "short" | "mode" | "version" | "originate" | "stratum" | "unsynchronised" | "no-time" | "before-build"; readonly detail: string }
  | { readonly kind: "kiss"; readonly code: string; readonly detail: string };

export interface SntpTimes {
  readonly kind: "time";
  /** The server's receive and transmit times, ms since 1970. */
  readonly receiveMs: number;
  readonly transmitMs: number;
  readonly stratum: number;
  /** Root delay plus root dispersion (the server's own uncertainty), in ms. */
  readonly rootMs: number;
}

export function sntpRequest(nonce: Uint8Array): Uint8Array {
  const out = new Uint8Array(SNTP_PACKET_BYTES);
  out[0] = (0 << 6) | (4 << 3) | 3;
  out.set(nonce.subarray(0, 8), 40);
  return out;
}

function u32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) >>> 0) + (bytes[at + 1] << 16) + (bytes[at + 2] << 8) + bytes[at + 3];
}

/** An NTP timestamp (64 bits at `at`) as ms since 1970; 0 stays 0. */
export function ntpToMs(bytes: Uint8Array, at: number): number {
  const seconds = u32(bytes, at);
  const fraction = u32(bytes, at + 4);
  if (seconds === 0 && fraction === 0) return 0;
  // Era 0 has the top bit set until 2036; a clear top bit is era 1 (RFC 4330 section 3).
  const era = seconds >= 0x80000000 ? 0 : TWO_32;
  return (seconds + era - NTP_UNIX_OFFSET) * 1000 + (fraction / TWO_32) * 1000;
}

/** A 32-bit NTP short format (16.16 seconds) as ms. */
function shortToMs(bytes: Uint8Array, at: number): number {
  return (u32(bytes, at) / 65536) * 1000;
}

function kissCode(bytes: Uint8Array): string {
  let code = "";
  for (let i = 12; i < 16; i++) {
    const b = bytes[i];
    if (b >= 0x20 && b < 0x7f) code += String.fromCharCode(b);
  }
  return code.trim() || "?";
}

export function readSntpReply(bytes: Uint8Array, nonce: Uint8Array, notBeforeMs: number): SntpTimes | SntpRefusal {
  if (bytes.length < SNTP_PACKET_BYTES) return { kind: "short", detail: `${bytes.length} bytes, not 48` };
  const leap = bytes[0] >> 6;
  const version = (bytes[0] >> 3) & 7;
  const mode = bytes[0] & 7;
  if (mode !== 4) return { kind: "mode", detail: `mode ${mode}, not 4 (server)` };
  if (version < 1 || version > 4) return { kind: "version", detail: `version ${version}` };
  for (let i = 0; i < 8; i++)
    if (bytes[24 + i] !== nonce[i]) return { kind: "originate", detail: "its originate time is not the request's (a stale or forged reply)" };
  const stratum = bytes[1];
  if (stratum === 0) {
    const code = kissCode(bytes);
    return { kind: "kiss", code, detail: `kiss-of-death ${code}` };
  }
  if (stratum > 15) return { kind: "stratum", detail: `stratum ${stratum}: the server has no time to give` };
  if (leap === 3) return { kind: "unsynchronised", detail: "leap indicator 3: the server's clock is not synchronised" };
  const transmitMs = ntpToMs(bytes, 40);
  if (transmitMs === 0) return { kind: "no-time", detail: "a transmit time of zero" };
  if (transmitMs < notBeforeMs) return { kind: "before-build", detail: `a time (${new Date(transmitMs).toISOString()}) before this firmware was built` };
  const receiveMs = ntpToMs(bytes, 32) || transmitMs;
  return { kind: "time", receiveMs, transmitMs, stratum, rootMs: shortToMs(bytes, 4) + shortToMs(bytes, 8) };
}
