/*
 * SsdpResponder: answers the SSDP searches an Echo sends to find Hue bridges, over the host's
 * Udp, the way a bridge does.
 *
 * - Listens on UDP port 1900 (the simulator moves it: --ssdp-port), joined to the group
 *   239.255.255.250 where the host can join one.
 * - Answers an M-SEARCH (MAN "ssdp:discover") for ssdp:all, upnp:rootdevice,
 *   urn:schemas-upnp-org:device:basic:1 (any case: Echos write "basic", the description
 *   "Basic") and this bridge's own uuid; any other search, and anything that is no M-SEARCH, is
 *   ignored. ssdp:all gets three answers (root device, uuid, basic), as a bridge sends them.
 * - Each answer goes by unicast to the sender, after a random delay within the search's MX
 *   (capped at 5 s, UPnP 1.1; none when there is no MX, as for a unicast search), with
 *   LOCATION http://<ip>:<web port>/description.xml, SERVER ... IpBridge/1.24.0, hue-bridgeid,
 *   ST and USN.
 * - Nothing is answered while the device has no address a client could use (offline, or only
 *   its own access point), and at most `maxPending` (8) answers wait at once: a flood of searches
 *   costs a bounded number of timers, the rest are dropped.
 * - A datagram longer than 1500 bytes is dropped unread; one that breaks the parser is ignored.
 * start() opens the socket (its ready says which port, or why not); stop() closes it and
 * clears every pending timer.
 */

import type { Clock, TimerId } from "../host/clock";
import type { Udp, UdpSocket } from "../host/udp";
import { bridgeIdOf, bridgeUuid } from "./hue-bridge";

export const SSDP_PORT = 1900;
export const SSDP_GROUP = "239.255.255.250";
export const SSDP_SERVER = "Linux/3.14.0 UPnP/1.0 IpBridge/1.24.0";
const BASIC = "urn:schemas-upnp-org:device:basic:1";
const MAX_DATAGRAM = 1500;

export interface MSearch {
  readonly st: string;
  /** Seconds the searcher waits for answers; 0 when it gave none. */
  readonly mx: number;
}

/** The search in a datagram's text, or undefined when it is no M-SEARCH for SSDP discovery. */
export function parseMSearch(text: string): MSearch | undefined {
  const lines = text.split("\n");
  const first = lines[0].trim().toUpperCase();
  if (first !== "M-SEARCH * HTTP/1.1" && first !== "M-SEARCH * HTTP/1.0") return undefined;
  let st: string | undefined;
  let man: string | undefined;
  let mx = 0;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "") break;
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === "st") st = value;
    else if (name === "man") man = value;
    else if (name === "mx") {
      const n = Number(value);
      mx = Number.isInteger(n) && n > 0 ? Math.min(n, 5) : 0;
    }
  }
  if (st === undefined || st === "" || man === undefined) return undefined;
  const bare = man.startsWith('"') && man.endsWith('"') && man.length >= 2 ? man.slice(1, -1) : man;
  if (bare.toLowerCase() !== "ssdp:discover") return undefined;
  return { st, mx };
}

/** The [ST, USN] pairs a bridge answers a search for st with (none for a search not for it). */
export function answersFor(st: string, uuid: string): [string, string][] {
  const lower = st.toLowerCase();
  const root: [string, string] = ["upnp:rootdevice", `uuid:${uuid}::upnp:rootdevice`];
  const own: [string, string] = [`uuid:${uuid}`, `uuid:${uuid}`];
  if (lower === "ssdp:all") return [root, own, [BASIC, `uuid:${uuid}`]];
  if (lower === "upnp:rootdevice") return [root];
  if (lower === BASIC) return [[st, `uuid:${uuid}`]];
  if (lower === `uuid:${uuid}`) return [own];
  return [];
}

export function ssdpAnswer(st: string, usn: string, location: string, bridgeId: string): string {
  return (
    "HTTP/1.1 200 OK\r\n" +
    `HOST: ${SSDP_GROUP}:${SSDP_PORT}\r\n` +
    "EXT:\r\n" +
    "CACHE-CONTROL: max-age=100\r\n" +
    `LOCATION: ${location}\r\n` +
    `SERVER: ${SSDP_SERVER}\r\n` +
    `hue-bridgeid: ${bridgeId}\r\n` +
    `ST: ${st}\r\n` +
    `USN: ${usn}\r\n` +
    "\r\n"
  );
}

function asciiText(bytes: Uint8Array): string {
  // SSDP is ASCII; anything else becomes U+FFFD-free Latin-1 that simply will not match.
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += 256) parts.push(String.fromCharCode(...bytes.subarray(i, Math.min(bytes.length, i + 256))));
  return parts.join("");
}

function asciiBytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0x7f;
  return bytes;
}

export interface SsdpResponderOptions {
  readonly udp: Udp;
  readonly clock: Clock;
  readonly port: number;
  /** The group to join; none when the host should not join one. */
  readonly multicast?: string;
  /** The MAC's 12 digits: the bridge's names (bridgeUuid, bridgeIdOf) are made from them per answer, not held. */
  readonly mac: string;
  /** Its location(): where the description is served now, undefined while the device has no usable address (an object, not a bound function). */
  readonly site: { location(): { ip: string; port: number } | undefined };
  /** 0..1; Math.random by default (tests pass their own). */
  readonly random?: () => number;
  readonly maxPending?: number;
}

// Helper methods are TypeScript-private, not #private: XS gives every instance one slot per #method.
export class SsdpResponder {
  readonly #options: SsdpResponderOptions;
  #socket: UdpSocket | undefined;
  /** The answers waiting for their delay; none kept while nothing waits. */
  #pending: Set<TimerId> | undefined;
  #answered = 0;
  #port = 0;

  constructor(options: SsdpResponderOptions) {
    this.#options = options;
  }

  get running(): boolean {
    return this.#socket !== undefined;
  }

  /** The bound port while running (0 before it is known, and on a host that cannot say). */
  get port(): number {
    return this.#port;
  }

  /** Searches answered since start. */
  get answered(): number {
    return this.#answered;
  }

  start(): Promise<number> {
    this.stop();
    const { udp, port, multicast } = this.#options;
    const socket = udp.open({ port, multicast, ttl: multicast ? 2 : undefined }, (bytes, address, from) => this.datagram(socket, bytes, address, from));
    this.#socket = socket;
    return socket.ready.then(
      (bound) => {
        if (this.#socket === socket) this.#port = bound;
        return bound;
      },
      (e: unknown) => {
        if (this.#socket === socket) this.#socket = undefined;
        throw e;
      },
    );
  }

  stop(): void {
    for (const timer of this.#pending ?? []) this.#options.clock.clear(timer);
    this.#pending = undefined;
    const socket = this.#socket;
    this.#socket = undefined;
    this.#port = 0;
    socket?.close();
  }

  private datagram(socket: UdpSocket, bytes: Uint8Array, address: string, port: number): void {
    if (this.#socket !== socket || bytes.length > MAX_DATAGRAM) return;
    let search: MSearch | undefined;
    try {
      search = parseMSearch(asciiText(bytes));
    } catch {
      return;
    }
    if (!search) return;
    const { mac, clock } = this.#options;
    const answers = answersFor(search.st, bridgeUuid(mac));
    if (answers.length === 0 || (this.#pending?.size ?? 0) >= (this.#options.maxPending ?? 8)) return;
    const pending = (this.#pending ??= new Set());
    const delay = search.mx > 0 ? Math.floor((this.#options.random ?? Math.random)() * search.mx * 1000) : 0;
    const timer = clock.set(() => {
      pending.delete(timer);
      if (pending.size === 0 && this.#pending === pending) this.#pending = undefined;
      this.reply(socket, answers, address, port);
    }, delay);
    pending.add(timer);
  }

  private reply(socket: UdpSocket, answers: readonly [string, string][], address: string, port: number): void {
    if (this.#socket !== socket) return;
    const where = this.#options.site.location();
    if (!where) return;
    const location = `http://${where.ip}:${where.port}/description.xml`;
    const bridgeId = bridgeIdOf(this.#options.mac);
    try {
      for (const [st, usn] of answers) socket.send(asciiBytes(ssdpAnswer(st, usn, location, bridgeId)), address, port);
      this.#answered++;
    } catch {
      // An answer that cannot be sent (a sender on port 0) is lost; the next search is answered.
    }
  }
}
