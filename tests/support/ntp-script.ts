/*
 * NTP replies made to order, for a scripted server (honest or hostile) on any Udp: the reply a
 * real server gives a request (mode 4, the request's transmit time as originate, the time asked
 * for), and every way to spoil it. Engine-neutral: the core tests run it over MemoryUdp, the
 * Node tests over real loopback sockets.
 */

import type { Udp, UdpSocket } from "../../modules/host/udp";

const NTP_UNIX_OFFSET = 2_208_988_800;

export interface ReplyShape {
  /** The server's time, ms since 1970. */
  timeMs: number;
  stratum?: number;
  mode?: number;
  version?: number;
  leap?: number;
  /** A kiss-of-death code (stratum 0). */
  kiss?: string;
  /** Originate bytes other than the request's transmit time (a stale or forged reply). */
  originate?: Uint8Array;
  /** Zero transmit time. */
  noTime?: boolean;
  length?: number;
}

function writeTimestamp(out: Uint8Array, at: number, ms: number): void {
  const seconds = Math.floor(ms / 1000) + NTP_UNIX_OFFSET;
  const fraction = Math.floor(((ms % 1000) / 1000) * 4_294_967_296);
  const s = seconds % 4_294_967_296;
  out[at] = (s >>> 24) & 0xff;
  out[at + 1] = (s >>> 16) & 0xff;
  out[at + 2] = (s >>> 8) & 0xff;
  out[at + 3] = s & 0xff;
  out[at + 4] = (fraction >>> 24) & 0xff;
  out[at + 5] = (fraction >>> 16) & 0xff;
  out[at + 6] = (fraction >>> 8) & 0xff;
  out[at + 7] = fraction & 0xff;
}

export function ntpReply(request: Uint8Array, shape: ReplyShape): Uint8Array {
  const out = new Uint8Array(48);
  const stratum = shape.kiss !== undefined ? 0 : (shape.stratum ?? 2);
  out[0] = ((shape.leap ?? (shape.kiss !== undefined ? 3 : 0)) << 6) | ((shape.version ?? 4) << 3) | (shape.mode ?? 4);
  out[1] = stratum;
  out[2] = 6;
  out[3] = 0xec;
  if (shape.kiss !== undefined) for (let i = 0; i < 4; i++) out[12 + i] = shape.kiss.charCodeAt(i) || 0;
  else out.set([127, 127, 1, 1], 12);
  writeTimestamp(out, 16, shape.timeMs - 60_000);
  out.set(shape.originate ?? request.subarray(40, 48), 24);
  writeTimestamp(out, 32, shape.timeMs);
  if (!shape.noTime) writeTimestamp(out, 40, shape.timeMs);
  return shape.length !== undefined ? out.slice(0, shape.length) : out;
}

export interface ScriptedServer {
  readonly socket: UdpSocket;
  /** Every request received, with where it came from. */
  readonly requests: { bytes: Uint8Array; address: string; port: number }[];
  close(): void;
}

/**
 * A server on `port` that answers each request with what `answer` returns: one datagram, several
 * (sent in order), or nothing (silence). `address` is where its own socket binds.
 */
export function scriptedNtpServer(
  udp: Udp,
  port: number,
  answer: (request: Uint8Array, n: number) => Uint8Array | Uint8Array[] | undefined,
  address?: string,
): ScriptedServer {
  const requests: ScriptedServer["requests"] = [];
  const socket = udp.open({ port, host: address }, (bytes, from, fromPort) => {
    const copy = bytes.slice();
    requests.push({ bytes: copy, address: from, port: fromPort });
    const out = answer(copy, requests.length);
    if (!out) return;
    for (const datagram of Array.isArray(out) ? out : [out]) socket.send(datagram, from, fromPort);
  });
  return { socket, requests, close: () => socket.close() };
}
