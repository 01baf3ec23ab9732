/*
 * MdnsResponder: claims <hostname>.local and answers for it and the device's services
 * (RFC 6762 multicast DNS, RFC 6763 DNS-SD), over the host's Udp: the same code on the device
 * (port 5353, group 224.0.0.251) and in the simulator (its --mdns-port on loopback).
 *
 * - start(config) opens the socket and probes: after 0-250 ms, three queries 250 ms apart for
 *   the host name and each service instance name (QU, ANY, the proposed A and SRV records in the
 *   authority section). Nobody objects within 250 ms of the last: the names are claimed and
 *   announced twice, a second apart (A, SRV, TXT with cache-flush; the PTRs).
 * - A response that holds one of the names with other data while probing is a conflict: the
 *   responder tries <hostname>-2, -3 ... and says so in status(). Another host probing the same
 *   name at the same moment is told apart by comparing the proposed records (RFC 6762 8.2): the
 *   lexicographically later wins; the loser probes again a second later. Our own datagrams,
 *   heard back over multicast loopback, hold the same data: never a conflict. After the claim, a
 *   record for our unique names with other data sends the responder back to probing (section 9).
 * - Queries are answered once the names are claimed: A for the host name (with the address of
 *   the interface the asker is on: the access point's for a phone on the portal), an NSEC
 *   saying "A only" for AAAA, PTR for each service type (with SRV, TXT and A as additional
 *   records), SRV and TXT for each instance, the service types for _services._dns-sd._udp.
 *   Known answers the asker lists (with at least half their TTL left) are left out. Questions
 *   with the unicast bit, and queries from a port other than the mDNS port (legacy one-shot
 *   resolvers such as `dig -p 5353`), get a unicast reply (the latter with the query's id and
 *   question, TTLs at most 10 s); the rest a multicast one, at most once a second per record
 *   set unless it defends a probe.
 * - update(config): a new hostname re-probes at once (also in the middle of a probe), new
 *   addresses or services are announced again. stop() says goodbye (TTL 0) and closes.
 * - Malformed packets, queries for other names and anything else unexpected are ignored and
 *   logged once each.
 */

import {
  DNS_FLAG_AUTHORITATIVE,
  DNS_FLAG_RESPONSE,
  DNS_TYPE,
  DnsFormatError,
  encodeDnsMessage,
  ipv4Bytes,
  parseDnsMessage,
  sameName,
  type DnsMessage,
  type DnsRecord,
  type DnsRecordOut,
} from "../dns/dns-packet";
import type { Clock, TimerId } from "../host/clock";
import type { Udp, UdpSocket } from "../host/udp";
import type { Logger } from "../log/logger";
import { errorText } from "../log/logger";

export const MDNS_GROUP = "224.0.0.251";
export const MDNS_PORT = 5353;
/** TTLs of RFC 6762 section 10: host-name records 120 s, the others 75 minutes. */
const HOST_TTL = 120;
const OTHER_TTL = 4500;
const LEGACY_TTL = 10;
const SERVICES = "_services._dns-sd._udp.local";

export interface MdnsService {
  /** "_http._tcp" */
  readonly type: string;
  readonly port: number;
  /** "key=value" strings (read each time a record is made: a getter may build them then). */
  readonly txt: readonly string[];
}

export interface MdnsConfig {
  /** The name wanted (without .local). */
  readonly hostname: string;
  /** The device's addresses: the station's, then the access point's while it is open. */
  readonly addresses: readonly string[];
  readonly services: readonly MdnsService[];
}

export interface MdnsResponderOptions {
  udp: Udp;
  clock: Clock;
  log: Logger;
  port?: number;
  host?: string;
  /** 0 <= n < 1, for the probe's random delay. */
  random?: () => number;
  /** Called whenever status() changes. */
  onChange?: () => void;
}

export interface MdnsStatus {
  state: "off" | "starting" | "probing" | "claimed" | "failed";
  /** The name claimed (or being probed), with .local. */
  name: string | null;
  /** The name asked for, when another had to be taken. */
  wanted: string;
  /** Why the name differs from the one asked for. */
  conflict: string | null;
  addresses: readonly string[];
  services: readonly string[];
  error: string | null;
}

function sameSubnet(a: string, b: string): boolean {
  const x = ipv4Bytes(a);
  const y = ipv4Bytes(b);
  return !!x && !!y && x[0] === y[0] && x[1] === y[1] && x[2] === y[2];
}

/** The same services in the same order: types, ports and TXT strings (a TXT may be a getter). */
function sameServices(a: readonly MdnsService[], b: readonly MdnsService[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.type !== y.type || x.port !== y.port) return false;
    const xt = x.txt;
    const yt = y.txt;
    if (xt.length !== yt.length) return false;
    for (let j = 0; j < xt.length; j++) if (xt[j] !== yt[j]) return false;
  }
  return true;
}

/** Orders two records by class, type, then rdata bytes (RFC 6762 section 8.2). */
function compareRecords(a: { type: number; rdata: Uint8Array }, b: { type: number; rdata: Uint8Array }): number {
  if (a.type !== b.type) return a.type - b.type;
  const n = Math.min(a.rdata.length, b.rdata.length);
  for (let i = 0; i < n; i++) if (a.rdata[i] !== b.rdata[i]) return a.rdata[i] - b.rdata[i];
  return a.rdata.length - b.rdata.length;
}

/** The rdata bytes of a record, uncompressed (how RFC 6762 section 8.2 compares them). */
function rdataOf(record: DnsRecordOut): Uint8Array {
  const bytes = encodeDnsMessage({ flags: 0, answers: [{ ...record, name: "x" }] });
  // Header 12, name "x" 3, type/class/ttl/length 10.
  return bytes.subarray(25);
}

/** A record received, as one to send: its names uncompressed (undefined for types we never send). */
function asOut(record: DnsRecord): DnsRecordOut | undefined {
  const d = record.data;
  const base = { name: record.name, ttl: record.ttl };
  if (record.type === DNS_TYPE.A && typeof d === "string") return { ...base, type: DNS_TYPE.A, address: d };
  if (record.type === DNS_TYPE.PTR && typeof d === "string") return { ...base, type: DNS_TYPE.PTR, target: d };
  if (record.type === DNS_TYPE.SRV && d && typeof d === "object" && "port" in d) return { ...base, type: DNS_TYPE.SRV, priority: d.priority, weight: d.weight, port: d.port, target: d.target };
  if (record.type === DNS_TYPE.TXT && Array.isArray(d)) return { ...base, type: DNS_TYPE.TXT, strings: d as readonly string[] };
  return undefined;
}

/** The received record's rdata as it would be sent uncompressed (its raw bytes for other types). */
function canonical(record: DnsRecord): { type: number; rdata: Uint8Array } {
  const out = asOut(record);
  return { type: record.type, rdata: out ? rdataOf(out) : record.rdata };
}

export class MdnsResponder {
  readonly #o: MdnsResponderOptions;
  readonly #port: number;
  #socket: UdpSocket | undefined;
  #config: MdnsConfig | undefined;
  #state: MdnsStatus["state"] = "off";
  #name = "";
  #suffix = 1;
  #conflict: string | undefined;
  #error: string | undefined;
  #timer: TimerId | undefined;
  #probes = 0;
  /** When the recent conflicts were (made by the first). */
  #conflicts: number[] | undefined;
  /** When each multicast record set last went out (clock ms); made by the first. */
  #lastMulticast: Map<string, number> | undefined;
  /** Messages already logged once (made by the first). */
  #logged: Set<string> | undefined;
  #generation = 0;

  constructor(options: MdnsResponderOptions) {
    this.#o = options;
    this.#port = options.port ?? MDNS_PORT;
  }

  status(): MdnsStatus {
    const config = this.#config;
    return {
      state: this.#state,
      name: this.#name ? `${this.#name}.local` : null,
      wanted: config?.hostname ?? "",
      conflict: this.#conflict ?? null,
      addresses: config?.addresses ?? [],
      services: config?.services.map((s) => s.type) ?? [],
      error: this.#error ?? null,
    };
  }

  start(config: MdnsConfig): void {
    if (this.#socket) {
      this.update(config);
      return;
    }
    this.#config = config;
    this.#name = config.hostname;
    this.#suffix = 1;
    this.#conflict = undefined;
    this.#error = undefined;
    this.#state = "starting";
    const generation = ++this.#generation;
    const socket = this.#o.udp.open({ port: this.#port, host: this.#o.host, multicast: MDNS_GROUP, ttl: 255 }, (bytes, address, port) => {
      if (generation === this.#generation) this.receive(bytes, address, port);
    });
    this.#socket = socket;
    socket.ready.then(
      () => {
        if (generation === this.#generation) this.probe(true);
      },
      (e: unknown) => {
        if (generation !== this.#generation) return;
        this.#socket = undefined;
        this.#state = "failed";
        this.#error = `no mDNS socket on port ${this.#port}: ${errorText(e)}`;
        // Once: every later change of name or network tries again, and fails the same way.
        this.logOnce(this.#error, "warn", `${this.#error}: hostname.local is not announced`);
        this.changed();
      },
    );
    this.changed();
  }

  /** New name, addresses or services: re-probes for a new name, re-announces the rest. */
  update(config: MdnsConfig): void {
    const before = this.#config;
    if (!this.#socket || !before) {
      this.start(config);
      return;
    }
    if (before.addresses.join() !== config.addresses.join()) {
      // Other interfaces: the group was joined on those that had an address when the socket
      // opened (the device joins per interface), so a new socket joins on today's, and the
      // name is probed again there (RFC 6762 section 8: on every new link).
      this.stop();
      this.start(config);
      return;
    }
    const renamed = !sameName(before.hostname, config.hostname);
    const same = !renamed && before.addresses.join() === config.addresses.join() && sameServices(before.services, config.services);
    if (same) return;
    if (this.#state === "claimed") this.send(this.multicast(), this.records(before.addresses[0] ?? "", 0), true);
    this.#config = config;
    if (renamed) {
      if (this.#state === "probing" || this.#state === "starting") this.logOnce(`renamed ${config.hostname}`, "info", `the hostname changed to ${config.hostname} while ${this.#name}.local was being probed: probing the new name`);
      this.#name = config.hostname;
      this.#suffix = 1;
      this.#conflict = undefined;
      this.probe(true);
    } else if (this.#state === "claimed") this.announce(0);
    this.changed();
  }

  stop(): void {
    this.#generation++;
    this.#o.clock.clear(this.#timer);
    this.#timer = undefined;
    const socket = this.#socket;
    if (socket && this.#state === "claimed" && this.#config) {
      try {
        this.send(this.multicast(), this.records(this.#config.addresses[0] ?? "", 0), true);
      } catch {
        // A goodbye that cannot go out: caches expire the records in their own time.
      }
    }
    this.#socket = undefined;
    socket?.close();
    this.#state = "off";
    this.#lastMulticast = undefined;
    this.changed();
  }

  private changed(): void {
    this.#o.onChange?.();
  }

  private logOnce(key: string, level: "debug" | "info" | "warn", message: string): void {
    const logged = (this.#logged ??= new Set());
    if (logged.has(key)) return;
    if (logged.size >= 64) logged.clear();
    logged.add(key);
    this.#o.log[level](message);
  }

  private multicast(): { address: string; port: number } {
    return { address: MDNS_GROUP, port: this.#port };
  }

  private instance(service: MdnsService): string {
    return `${this.#name}.${service.type}.local`;
  }

  private hostName(): string {
    return `${this.#name}.local`;
  }

  /** The address to give someone at `from`: the interface's on its subnet, else the first. */
  private addressFor(from: string): string {
    const addresses = this.#config?.addresses ?? [];
    for (const a of addresses) if (sameSubnet(a, from)) return a;
    return addresses[0] ?? "";
  }

  // ---- probing -------------------------------------------------------------------------

  private setTimer(ms: number, callback: () => void): void {
    this.#o.clock.clear(this.#timer);
    const generation = this.#generation;
    this.#timer = this.#o.clock.set(() => {
      this.#timer = undefined;
      if (generation === this.#generation) callback();
    }, ms);
  }

  private probe(fresh: boolean, delayMs?: number): void {
    this.#state = "probing";
    this.#probes = 0;
    this.#lastMulticast = undefined;
    const wait = delayMs ?? (fresh ? Math.floor((this.#o.random?.() ?? Math.random()) * 250) : 0);
    this.setTimer(wait, () => this.probeStep());
    this.changed();
  }

  private proposed(): DnsRecordOut[] {
    const config = this.#config;
    if (!config) return [];
    const out: DnsRecordOut[] = [];
    const address = config.addresses[0];
    if (address) out.push({ name: this.hostName(), type: DNS_TYPE.A, ttl: HOST_TTL, address });
    for (const s of config.services) out.push({ name: this.instance(s), type: DNS_TYPE.SRV, ttl: HOST_TTL, port: s.port, target: this.hostName() });
    return out;
  }

  private probeStep(): void {
    const config = this.#config;
    if (!config) return;
    if (this.#probes === 3) {
      this.#state = "claimed";
      this.#o.log.info(`claimed ${this.hostName()} (${config.addresses.join(", ")})${this.#conflict ? `: ${this.#conflict}` : ""}`);
      this.changed();
      this.announce(0);
      return;
    }
    this.#probes++;
    const questions = [{ name: this.hostName(), type: DNS_TYPE.ANY, unicast: true }];
    for (const s of config.services) questions.push({ name: this.instance(s), type: DNS_TYPE.ANY, unicast: true });
    this.setTimer(250, () => this.probeStep());
    this.encodeAndSend(this.multicast(), () => encodeDnsMessage({ flags: 0, questions, authorities: this.proposed() }));
  }

  private announce(n: number): void {
    if (this.#state !== "claimed" || !this.#config) return;
    this.send(this.multicast(), this.records(this.#config.addresses[0] ?? "", OTHER_TTL), true);
    if (n < 1) this.setTimer(1000, () => this.announce(n + 1));
  }

  private conflicted(why: string): void {
    const now = this.#o.clock.now();
    const conflicts = (this.#conflicts = (this.#conflicts ?? []).filter((t) => now - t < 10_000));
    conflicts.push(now);
    const taken = this.hostName();
    this.#suffix++;
    // A label holds 63 bytes: a long hostname gives up its end to the suffix.
    const tail = `-${this.#suffix}`;
    this.#name = `${(this.#config?.hostname ?? this.#name).slice(0, 63 - tail.length)}${tail}`;
    this.#conflict = `${taken} is taken on this network (${why}): using ${this.hostName()}`;
    this.#o.log.warn(this.#conflict);
    // RFC 6762 section 8.1: after 15 conflicts in 10 s, wait 5 s before probing again.
    this.probe(true, conflicts.length >= 15 ? 5000 : undefined);
  }

  // ---- records -------------------------------------------------------------------------

  /** Every record of the device, for an announcement or a goodbye (ttl 0). */
  private records(address: string, ttl: number): DnsRecordOut[] {
    const config = this.#config;
    if (!config) return [];
    const hostTtl = ttl === 0 ? 0 : HOST_TTL;
    const out: DnsRecordOut[] = [];
    if (address) out.push({ name: this.hostName(), type: DNS_TYPE.A, ttl: hostTtl, cacheFlush: true, address });
    for (const s of config.services) {
      out.push({ name: `${s.type}.local`, type: DNS_TYPE.PTR, ttl, target: this.instance(s) });
      out.push({ name: this.instance(s), type: DNS_TYPE.SRV, ttl: hostTtl, cacheFlush: true, port: s.port, target: this.hostName() });
      out.push({ name: this.instance(s), type: DNS_TYPE.TXT, ttl, cacheFlush: true, strings: s.txt });
      out.push({ name: SERVICES, type: DNS_TYPE.PTR, ttl, target: `${s.type}.local` });
    }
    return out;
  }

  private sendMessage(to: { address: string; port: number }, bytes: Uint8Array): void {
    try {
      this.#socket?.send(bytes, to.address, to.port);
    } catch (e) {
      this.logOnce(`send ${to.address}`, "warn", `an mDNS datagram to ${to.address}:${to.port} could not be sent: ${errorText(e)}`);
    }
  }

  private send(to: { address: string; port: number }, answers: DnsRecordOut[], multicast: boolean, additionals: DnsRecordOut[] = []): void {
    if (!answers.length) return;
    if (multicast) {
      const key = answers.map((r) => `${r.type} ${r.name}`).join("|");
      (this.#lastMulticast ??= new Map()).set(key, this.#o.clock.now());
    }
    this.encodeAndSend(to, () => encodeDnsMessage({ flags: DNS_FLAG_RESPONSE | DNS_FLAG_AUTHORITATIVE, answers, additionals }));
  }

  /** A record DNS cannot carry (an app's TXT string over 255 bytes): logged once, never thrown into a timer. */
  private encodeAndSend(to: { address: string; port: number }, encode: () => Uint8Array): void {
    let bytes: Uint8Array;
    try {
      bytes = encode();
    } catch (e) {
      this.logOnce(`encode ${errorText(e)}`, "warn", `an mDNS packet could not be made: ${errorText(e)}`);
      return;
    }
    this.sendMessage(to, bytes);
  }

  // ---- receiving -----------------------------------------------------------------------

  private receive(bytes: Uint8Array, address: string, port: number): void {
    let message: DnsMessage;
    try {
      message = parseDnsMessage(bytes);
    } catch (e) {
      const why = e instanceof DnsFormatError ? e.message : errorText(e);
      this.logOnce(`malformed ${why}`, "info", `ignored a malformed mDNS packet from ${address}:${port}: ${why}`);
      return;
    }
    try {
      if (message.response) this.response(message);
      else if (message.opcode === 0) this.query(message, address, port);
    } catch (e) {
      this.logOnce(`failed ${errorText(e)}`, "warn", `an mDNS packet from ${address}:${port} could not be handled: ${errorText(e)}`);
    }
  }

  /** Names this device holds (or probes) uniquely: the host name and each instance. */
  private uniqueNames(): string[] {
    const config = this.#config;
    if (!config || !this.#name) return [];
    return [this.hostName(), ...config.services.map((s) => this.instance(s))];
  }

  /** True when `record` is one of ours, with the data we would send. */
  private isOurs(record: DnsRecord): boolean {
    for (const mine of [...this.proposed(), ...this.records("", 1)]) {
      if (mine.type !== record.type || !sameName(mine.name, record.name)) continue;
      if (compareRecords({ type: mine.type, rdata: rdataOf(mine) }, canonical(record)) === 0) return true;
    }
    // An A record with any of our addresses is ours too (one per interface).
    if (record.type === DNS_TYPE.A && sameName(record.name, this.hostName()))
      return (this.#config?.addresses ?? []).includes(typeof record.data === "string" ? record.data : "");
    return false;
  }

  private response(message: DnsMessage): void {
    if (this.#state !== "probing" && this.#state !== "claimed") return;
    const names = this.uniqueNames();
    for (const record of [...message.answers, ...message.additionals]) {
      if (!names.some((n) => sameName(n, record.name))) continue;
      if (record.type !== DNS_TYPE.A && record.type !== DNS_TYPE.SRV && record.type !== DNS_TYPE.TXT && record.type !== DNS_TYPE.ANY) continue;
      if (this.isOurs(record)) continue;
      if (record.ttl === 0) continue; // someone's goodbye
      if (this.#state === "probing") {
        this.conflicted(`another device answered for ${record.name}`);
        return;
      }
      // Section 9: a unique record of ours with other data: probe again, the other may give way.
      this.logOnce(`conflict ${record.name}`, "warn", `another device claims ${record.name}: probing it again`);
      this.probe(false);
      return;
    }
  }

  private query(message: DnsMessage, address: string, port: number): void {
    const config = this.#config;
    if (!config) return;
    if (this.#state === "probing") {
      this.tieBreak(message);
      return;
    }
    if (this.#state !== "claimed") return;
    const legacy = port !== this.#port;
    const from = this.addressFor(address);
    const answers: DnsRecordOut[] = [];
    const additionals: DnsRecordOut[] = [];
    const add = (list: DnsRecordOut[], record: DnsRecordOut): void => {
      for (const r of [...answers, ...additionals]) if (r.type === record.type && sameName(r.name, record.name) && JSON.stringify(r) === JSON.stringify(record)) return;
      list.push(record);
    };
    const known = (record: DnsRecordOut): boolean =>
      message.answers.some((k) => k.type === record.type && sameName(k.name, record.name) && k.ttl * 2 >= record.ttl && compareRecords({ type: record.type, rdata: rdataOf(record) }, canonical(k)) === 0);
    const a = (): DnsRecordOut | undefined => (from ? { name: this.hostName(), type: DNS_TYPE.A, ttl: HOST_TTL, cacheFlush: true, address: from } : undefined);
    const srv = (s: MdnsService): DnsRecordOut => ({ name: this.instance(s), type: DNS_TYPE.SRV, ttl: HOST_TTL, cacheFlush: true, port: s.port, target: this.hostName() });
    const txt = (s: MdnsService): DnsRecordOut => ({ name: this.instance(s), type: DNS_TYPE.TXT, ttl: OTHER_TTL, cacheFlush: true, strings: s.txt });
    let unicast = legacy;
    let multicastAsked = false;
    let other = false;
    for (const q of message.questions) {
      const any = q.type === DNS_TYPE.ANY;
      let matched = true;
      if (sameName(q.name, this.hostName())) {
        const record = a();
        if ((q.type === DNS_TYPE.A || any) && record) add(answers, record);
        else if (q.type === DNS_TYPE.AAAA) add(answers, { name: this.hostName(), type: DNS_TYPE.NSEC, ttl: HOST_TTL, cacheFlush: true, next: this.hostName(), types: [DNS_TYPE.A] });
      } else if (sameName(q.name, SERVICES) && (q.type === DNS_TYPE.PTR || any)) {
        for (const s of config.services) {
          const record: DnsRecordOut = { name: SERVICES, type: DNS_TYPE.PTR, ttl: OTHER_TTL, target: `${s.type}.local` };
          if (!known(record)) add(answers, record);
        }
      } else {
        matched = false;
        for (const s of config.services) {
          if (sameName(q.name, `${s.type}.local`) && (q.type === DNS_TYPE.PTR || any)) {
            matched = true;
            const record: DnsRecordOut = { name: `${s.type}.local`, type: DNS_TYPE.PTR, ttl: OTHER_TTL, target: this.instance(s) };
            if (known(record)) continue;
            add(answers, record);
            add(additionals, srv(s));
            add(additionals, txt(s));
            const host = a();
            if (host) add(additionals, host);
          } else if (sameName(q.name, this.instance(s))) {
            matched = true;
            if (q.type === DNS_TYPE.SRV || any) add(answers, srv(s));
            if (q.type === DNS_TYPE.TXT || any) add(answers, txt(s));
            const host = a();
            if ((q.type === DNS_TYPE.SRV || any) && host) add(additionals, host);
          }
        }
      }
      if (!matched) {
        other = true;
        continue;
      }
      if (q.unicast) unicast = true;
      else multicastAsked = true;
    }
    if (other && !answers.length) this.logOnce("other names", "debug", `queries for names other than ${this.hostName()} are not answered (first from ${address})`);
    if (!answers.length) return;
    // Answers for the asker's own records only (never forwarded to another address).
    if (legacy) {
      const capped = (list: DnsRecordOut[]): DnsRecordOut[] => list.map((r) => ({ ...r, ttl: Math.min(r.ttl, LEGACY_TTL), cacheFlush: false }));
      this.encodeAndSend({ address, port }, () =>
        encodeDnsMessage({
          id: message.id,
          flags: DNS_FLAG_RESPONSE | DNS_FLAG_AUTHORITATIVE | (message.flags & 0x0100),
          questions: message.questions.map((q) => ({ name: q.name, type: q.type })),
          answers: capped(answers),
          additionals: capped(additionals),
        }),
      );
      return;
    }
    if (unicast && !multicastAsked) {
      this.send({ address, port }, answers, false, additionals);
      return;
    }
    const key = answers.map((r) => `${r.type} ${r.name}`).join("|");
    const last = this.#lastMulticast?.get(key);
    const defending = message.authorities.length > 0;
    if (!defending && last !== undefined && this.#o.clock.now() - last < 1000) return;
    this.send(this.multicast(), answers, true, additionals);
  }

  /** Another host probes one of our names at the same time (RFC 6762 section 8.2). */
  private tieBreak(message: DnsMessage): void {
    const names = this.uniqueNames();
    for (const name of names) {
      if (!message.questions.some((q) => sameName(q.name, name))) continue;
      const theirs = message.authorities
        .filter((r) => sameName(r.name, name))
        .map(canonical)
        .sort(compareRecords);
      if (!theirs.length) continue;
      const ours = this.proposed()
        .filter((r) => sameName(r.name, name))
        .map((r) => ({ type: r.type, rdata: rdataOf(r) }))
        .sort(compareRecords);
      let order = 0;
      for (let i = 0; i < Math.min(ours.length, theirs.length) && order === 0; i++) order = compareRecords(ours[i], theirs[i]);
      if (order === 0) order = ours.length - theirs.length;
      if (order < 0) {
        this.logOnce(`tie ${name}`, "info", `another device probes ${name} at the same time with later data: probing again in 1 s`);
        this.probe(false, 1000);
        return;
      }
    }
  }
}
