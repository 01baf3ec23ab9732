/*
 * SntpClient: sets the device's clock from time servers (RFC 4330), over the host's Udp, the
 * same code on the device and in the simulator.
 *
 * - start() begins a sync at once; stop() ends everything (timers, the socket). Between syncs
 *   nothing is held: the socket is opened for a sync and closed after it.
 * - A sync asks the servers in order (servers(): "name[:port]" or "a.b.c.d[:port]", port 123 by
 *   default). Each gets `tries` requests, `timeoutMs` apart, each with a fresh random nonce;
 *   then the next server. A name is resolved through the host's Resolver first.
 * - A reply counts only when it comes from the server's address and port and passes every check
 *   of sntp-packet.ts. A refused reply never ends the wait (a forged one cannot silence the
 *   real server); it is logged once per server and reason.
 * - The first good reply sets the clock: offset = ((t2 - t1) + (t3 - t4)) / 2, with t1 and t4
 *   from the wall clock at sending and the monotonic clock's measure of the round trip. The
 *   next sync is `resyncMs` later (3 hours).
 * - When every server failed: a new sync after a back-off that doubles from `retryMs` (15 s) to
 *   `maxRetryMs` (15 min), so a device without internet asks rarely.
 * - Kiss-of-death (stratum 0, matching nonce): RATE makes the client leave that server alone
 *   for a while that doubles each time (from 1 min to the resync interval) and try the next at
 *   once; DENY and RSTR end every request to that server until the servers change (setServers)
 *   or the device restarts, as RFC 4330 section 8 requires; other codes count as no answer.
 */

import type { Clock, TimerId } from "../host/clock";
import type { Resolver } from "../host/resolver";
import type { Udp, UdpSocket } from "../host/udp";
import type { Logger } from "../log/logger";
import { errorText } from "../log/logger";
import { ipv4Bytes } from "../dns/dns-packet";
import type { DeviceClock } from "../clock/device-clock";
import { readSntpReply, sntpRequest } from "./sntp-packet";

export const NTP_PORT = 123;

export interface SntpTiming {
  timeoutMs: number;
  tries: number;
  resyncMs: number;
  retryMs: number;
  maxRetryMs: number;
  /** The first pause a RATE kiss imposes on its server. */
  rateMs: number;
}

export const SNTP_TIMING: Readonly<SntpTiming> = Object.freeze({
  timeoutMs: 2000,
  tries: 2,
  resyncMs: 3 * 3600_000,
  retryMs: 15_000,
  maxRetryMs: 15 * 60_000,
  rateMs: 60_000,
});

export interface SntpClientOptions {
  udp: Udp;
  clock: Clock;
  deviceClock: DeviceClock;
  resolver?: Resolver;
  log: Logger;
  /** The servers to ask, in order (re-read at every sync). */
  servers: () => readonly string[];
  notBeforeMs: number;
  /** 8 random bytes per request. */
  random: (n: number) => Uint8Array;
  timing?: Partial<SntpTiming>;
}

export interface SntpServerState {
  readonly server: string;
  /** Why the server is left alone: "DENY" or "RSTR" for good, "RATE" until restUntil. */
  kiss?: string;
  restUntil?: number;
  restMs?: number;
}

export interface SntpStatus {
  state: "idle" | "syncing" | "waiting" | "stopped";
  /** The server asked now, or that gave the last time. */
  server: string | null;
  /** What went wrong in the last sync, when it failed. */
  lastError: string | null;
  /** Seconds until the next sync. */
  nextSyncIn: number | null;
  /** Servers a kiss-of-death put aside. */
  refused: { server: string; code: string }[];
  /** Round trip of the last good reply, ms. */
  delayMs: number | null;
}

/** "host[:port]" split; undefined when it is neither an address nor a name. */
export function parseServer(entry: string): { host: string; port: number } | undefined {
  const text = entry.trim();
  const colon = text.lastIndexOf(":");
  let host = text;
  let port = NTP_PORT;
  if (colon >= 0) {
    host = text.slice(0, colon);
    const p = text.slice(colon + 1);
    if (p.length < 1 || p.length > 5) return undefined;
    for (const ch of p) if (ch < "0" || ch > "9") return undefined;
    port = Number(p);
    if (port < 1 || port > 65535) return undefined;
  }
  if (host.length < 1 || host.length > 253) return undefined;
  if (ipv4Bytes(host)) return { host, port };
  for (const label of host.split(".")) {
    if (label.length < 1 || label.length > 63 || label.startsWith("-") || label.endsWith("-")) return undefined;
    for (const ch of label) if (!((ch >= "a" && ch <= "z") || (ch >= "A" && ch <= "Z") || (ch >= "0" && ch <= "9") || ch === "-")) return undefined;
  }
  return { host, port };
}

interface Attempt {
  readonly server: string;
  readonly address: string;
  readonly port: number;
  nonce: Uint8Array;
  sentWall: number;
  sentMono: number;
  tries: number;
}

export class SntpClient {
  readonly #o: SntpClientOptions;
  readonly #timing: Readonly<SntpTiming>;
  /** Servers a kiss-of-death put aside (made by the first kiss). */
  #servers: Map<string, SntpServerState> | undefined;
  /** Messages already logged, so each problem is logged once (made by the first). */
  #logged: Set<string> | undefined;
  /** The first sync was logged at info (since the start or the servers' last change). */
  #syncLogged = false;
  #running = false;
  #timer: TimerId | undefined;
  #socket: UdpSocket | undefined;
  #attempt: Attempt | undefined;
  /** The servers left to ask in this sync; none held between syncs. */
  #queue: string[] | undefined;
  #generation = 0;
  #backoffMs = 0;
  #nextAt: number | undefined;
  #state: SntpStatus["state"] = "stopped";
  #server: string | undefined;
  #lastError: string | undefined;
  /** What each server of this sync failed with; none held between syncs. */
  #failures: string[] | undefined;
  #delayMs: number | undefined;

  constructor(options: SntpClientOptions) {
    this.#o = options;
    this.#timing = options.timing ? { ...SNTP_TIMING, ...options.timing } : SNTP_TIMING;
  }

  get running(): boolean {
    return this.#running;
  }

  /** Starts syncing now (a sync under way goes on). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.sync();
  }

  /** Syncs again now: the servers changed, or the network did. */
  syncNow(): void {
    if (!this.#running) return this.start();
    this.finish();
    this.sync();
  }

  /** Forgets kiss-of-death refusals and what was logged: the servers were changed by the user. */
  setServersChanged(): void {
    this.#servers = undefined;
    this.#logged = undefined;
    this.#syncLogged = false;
    this.#backoffMs = 0;
    this.syncNow();
  }

  stop(): void {
    this.#running = false;
    this.finish();
    this.#state = "stopped";
    this.#nextAt = undefined;
  }

  status(): SntpStatus {
    const refused: { server: string; code: string }[] = [];
    const now = this.#o.clock.now();
    for (const s of this.#servers?.values() ?? []) if (s.kiss && (s.kiss !== "RATE" || (s.restUntil ?? 0) > now)) refused.push({ server: s.server, code: s.kiss });
    return {
      state: this.#state,
      server: this.#server ?? null,
      lastError: this.#lastError ?? null,
      nextSyncIn: this.#nextAt === undefined ? null : Math.max(0, Math.round((this.#nextAt - now) / 1000)),
      refused,
      delayMs: this.#delayMs === undefined ? null : Math.round(this.#delayMs),
    };
  }

  private logOnce(key: string, level: "info" | "warn", message: string): void {
    const logged = (this.#logged ??= new Set());
    if (logged.has(key)) return;
    if (logged.size >= 64) {
      logged.clear();
      this.#syncLogged = false;
    }
    logged.add(key);
    this.#o.log[level](message);
  }

  private serverState(server: string): SntpServerState {
    const servers = (this.#servers ??= new Map());
    let s = servers.get(server);
    if (!s) servers.set(server, (s = { server }));
    return s;
  }

  /** Closes the socket and the timer of what is under way. */
  private finish(): void {
    this.#generation++;
    this.#o.clock.clear(this.#timer);
    this.#timer = undefined;
    this.#attempt = undefined;
    this.#queue = undefined;
    this.#failures = undefined;
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.close();
  }

  private schedule(ms: number): void {
    this.finish();
    this.#state = this.#o.deviceClock.valid ? "idle" : "waiting";
    this.#nextAt = this.#o.clock.now() + ms;
    this.#timer = this.#o.clock.set(() => {
      this.#timer = undefined;
      this.sync();
    }, ms);
  }

  private sync(): void {
    if (!this.#running) return;
    this.finish();
    this.#state = "syncing";
    this.#nextAt = undefined;
    const now = this.#o.clock.now();
    const queue: string[] = [];
    for (const server of this.#o.servers()) {
      const s = this.#servers?.get(server);
      if (s?.kiss === "DENY" || s?.kiss === "RSTR") continue;
      if (s?.kiss === "RATE" && (s.restUntil ?? 0) > now) continue;
      if (!queue.includes(server)) queue.push(server);
    }
    if (!queue.length) {
      this.failed(this.#o.servers().length ? "every time server refused this device (kiss-of-death) or asked it to wait" : "no time server is configured");
      return;
    }
    this.#queue = queue;
    const generation = this.#generation;
    const socket = this.#o.udp.open({}, (bytes, address, port) => this.reply(bytes, address, port));
    this.#socket = socket;
    socket.ready.then(
      () => {
        if (generation === this.#generation) this.next();
      },
      (e: unknown) => {
        if (generation === this.#generation) this.failed(`no UDP socket for SNTP: ${errorText(e)}`);
      },
    );
  }

  /** Moves to the next server of the queue, or gives up this sync. */
  private next(): void {
    const server = this.#queue?.shift();
    if (server === undefined) {
      this.failed(this.#failures?.join("; ") || "no server answered");
      return;
    }
    this.#server = server;
    const parsed = parseServer(server);
    if (!parsed) {
      this.fail(server, "not an address or a host name");
      return;
    }
    const generation = this.#generation;
    if (ipv4Bytes(parsed.host)) {
      this.send({ server, address: parsed.host, port: parsed.port, nonce: new Uint8Array(8), sentWall: 0, sentMono: 0, tries: 0 });
      return;
    }
    const resolver = this.#o.resolver;
    if (!resolver) {
      this.fail(server, "this host cannot resolve names: give an address");
      return;
    }
    resolver.resolve(parsed.host).then(
      (address) => {
        if (generation !== this.#generation) return;
        if (!ipv4Bytes(address)) this.fail(server, `resolved to ${address}, not an IPv4 address`);
        else this.send({ server, address, port: parsed.port, nonce: new Uint8Array(8), sentWall: 0, sentMono: 0, tries: 0 });
      },
      (e: unknown) => {
        if (generation === this.#generation) this.fail(server, `does not resolve (${errorText(e)})`);
      },
    );
  }

  /** This server failed for `why`: logged once, then the next. */
  private fail(server: string, why: string): void {
    (this.#failures ??= []).push(`${server}: ${why}`);
    this.logOnce(`${server} ${why}`, "warn", `time server ${server}: ${why}`);
    this.#attempt = undefined;
    this.#o.clock.clear(this.#timer);
    this.#timer = undefined;
    this.next();
  }

  private send(attempt: Attempt): void {
    const socket = this.#socket;
    if (!socket) return;
    attempt.tries++;
    attempt.nonce = this.#o.random(8).slice(0, 8);
    attempt.sentWall = this.#o.deviceClock.now();
    attempt.sentMono = this.#o.clock.now();
    this.#attempt = attempt;
    try {
      socket.send(sntpRequest(attempt.nonce), attempt.address, attempt.port);
    } catch (e) {
      this.fail(attempt.server, `cannot be sent to (${errorText(e)})`);
      return;
    }
    this.#o.clock.clear(this.#timer);
    this.#timer = this.#o.clock.set(() => {
      this.#timer = undefined;
      if (this.#attempt !== attempt) return;
      if (attempt.tries < this.#timing.tries) this.send(attempt);
      else this.fail(attempt.server, `no answer in ${(this.#timing.timeoutMs * this.#timing.tries) / 1000} s`);
    }, this.#timing.timeoutMs);
  }

  private reply(bytes: Uint8Array, address: string, port: number): void {
    const attempt = this.#attempt;
    if (!attempt) return;
    if (address !== attempt.address || port !== attempt.port) {
      this.logOnce(`stray ${address}:${port}`, "info", `ignored a datagram from ${address}:${port}, not the time server asked (${attempt.server})`);
      return;
    }
    const receivedMono = this.#o.clock.now();
    const reply = readSntpReply(bytes, attempt.nonce, this.#o.notBeforeMs);
    if (reply.kind === "kiss") {
      this.kissed(attempt, reply.code);
      return;
    }
    if (reply.kind !== "time") {
      this.logOnce(`${attempt.server} ${reply.kind}`, "warn", `time server ${attempt.server}: refused a reply: ${reply.detail}`);
      return;
    }
    const roundTrip = Math.max(0, receivedMono - attempt.sentMono);
    const t1 = attempt.sentWall;
    const t4 = t1 + roundTrip;
    const offset = (reply.receiveMs - t1 + (reply.transmitMs - t4)) / 2;
    this.#delayMs = Math.max(0, roundTrip - (reply.transmitMs - reply.receiveMs));
    const server = attempt.server;
    this.#attempt = undefined;
    try {
      this.#o.deviceClock.set(this.#o.deviceClock.now() + offset, "sntp", server);
    } catch (e) {
      this.fail(server, `gave a time the clock refused (${errorText(e)})`);
      return;
    }
    // Each problem may be logged again once it recurs after a good sync.
    const first = !this.#syncLogged;
    this.#logged = undefined;
    this.#syncLogged = true;
    this.#o.log[first ? "info" : "debug"](`clock set from ${server} (off by ${Math.round(offset)} ms, round trip ${Math.round(roundTrip)} ms)`);
    this.#lastError = undefined;
    this.#backoffMs = 0;
    this.schedule(this.#timing.resyncMs);
  }

  private kissed(attempt: Attempt, code: string): void {
    const s = this.serverState(attempt.server);
    if (code === "RATE") {
      s.restMs = Math.min(this.#timing.resyncMs, s.restMs ? s.restMs * 2 : this.#timing.rateMs);
      s.restUntil = this.#o.clock.now() + s.restMs;
      s.kiss = "RATE";
      this.fail(attempt.server, `asked this device to slow down (kiss-of-death RATE): left alone for ${Math.round(s.restMs / 1000)} s`);
    } else if (code === "DENY" || code === "RSTR") {
      s.kiss = code;
      this.fail(attempt.server, `refused this device (kiss-of-death ${code}): not asked again until the servers change`);
    } else this.fail(attempt.server, `sent kiss-of-death ${code}`);
  }

  private failed(why: string): void {
    this.#lastError = why;
    this.#backoffMs = this.#backoffMs ? Math.min(this.#timing.maxRetryMs, this.#backoffMs * 2) : this.#timing.retryMs;
    this.schedule(this.#backoffMs);
  }
}
