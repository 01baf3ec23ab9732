/*
 * The SNTP client against scripted servers on MemoryUdp with virtual time: an honest server
 * sets the clock exactly; every kind of bad reply (garbage, wrong mode, stale originate,
 * unsynchronised, stratum 16, a time before the build, a reply from another port) is refused,
 * logged once, and never sets the clock; kiss-of-death RATE and DENY are honoured; silence
 * falls over to the next server and backs off. Runs on Node and on XS.
 */

import { DeviceClock } from "../../modules/clock/device-clock";
import { NOT_BEFORE_MS } from "../../modules/clock/build-date";
import type { ClockEvent } from "../../modules/events";
import { Logger } from "../../modules/log/logger";
import { SNTP_TIMING, SntpClient, parseServer } from "../../modules/time/sntp-client";
import { ntpToMs, readSntpReply, sntpRequest } from "../../modules/time/sntp-packet";
import * as assert from "../support/assert";
import { LOOPBACK, MemoryUdp } from "../support/memory-udp";
import { ntpReply, scriptedNtpServer } from "../support/ntp-script";
import { VirtualClock } from "../support/virtual-clock";
import { VirtualWallClock } from "../support/virtual-wall-clock";

const REAL_TIME = Date.UTC(2027, 2, 14, 9, 26, 53, 589);

interface Rig {
  clock: VirtualClock;
  wall: VirtualWallClock;
  device: DeviceClock;
  udp: MemoryUdp;
  lines: string[];
  events: ClockEvent[];
  client: SntpClient;
  servers: string[];
}

function rig(servers: string[], options: { resolve?: Record<string, string> } = {}): Rig {
  const clock = new VirtualClock(1000);
  const wall = new VirtualWallClock(clock, 5000);
  const events: ClockEvent[] = [];
  const device = new DeviceClock(wall, (e) => events.push(e));
  const udp = new MemoryUdp();
  const lines: string[] = [];
  const log = new Logger({ write: (_level, line) => void lines.push(line) }, true);
  let seed = 7;
  const r: Rig = {
    clock,
    wall,
    device,
    udp,
    lines,
    events,
    servers,
    client: new SntpClient({
      udp,
      clock,
      deviceClock: device,
      log,
      servers: () => r.servers,
      notBeforeMs: NOT_BEFORE_MS,
      random: (n) => Uint8Array.from({ length: n }, () => (seed = (seed * 73 + 41) & 0xff)),
      resolver: options.resolve
        ? {
            resolve: (name) => {
              const address = options.resolve?.[name];
              return address ? Promise.resolve(address) : Promise.reject(new Error(`${name} does not resolve`));
            },
          }
        : undefined,
    }),
  };
  return r;
}

/** The server's time follows the virtual clock, starting at REAL_TIME. */
function honest(r: Rig, port: number) {
  const start = r.clock.now();
  return scriptedNtpServer(r.udp, port, (request) => ntpReply(request, { timeMs: REAL_TIME + (r.clock.now() - start) }));
}

function count(lines: string[], text: string): number {
  return lines.filter((l) => l.includes(text)).length;
}

describe("SNTP packets", () => {
  it("asks as a version 4 client with a random transmit time, and reads NTP times in both eras", () => {
    const nonce = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const request = sntpRequest(nonce);
    assert.equal(request.length, 48);
    assert.equal(request[0], 0x23);
    assert.deepEqual(Array.from(request.subarray(40)), Array.from(nonce));
    assert.equal(Array.from(request.subarray(0, 40)).filter((b, i) => i > 0 && b !== 0).length, 0, "nothing else told");
    const reply = ntpReply(request, { timeMs: REAL_TIME });
    assert.equal(ntpToMs(reply, 40), REAL_TIME);
    const after2036 = ntpReply(request, { timeMs: Date.UTC(2040, 0, 1) });
    assert.equal(ntpToMs(after2036, 40), Date.UTC(2040, 0, 1), "era 1");
    const read = readSntpReply(reply, nonce, NOT_BEFORE_MS);
    assert.equal(read.kind, "time");
  });

  it("refuses every reply that must not set a clock, saying why", () => {
    const nonce = Uint8Array.of(9, 9, 9, 9, 9, 9, 9, 9);
    const request = sntpRequest(nonce);
    const cases: [string, Uint8Array][] = [
      ["short", ntpReply(request, { timeMs: REAL_TIME, length: 47 })],
      ["mode", ntpReply(request, { timeMs: REAL_TIME, mode: 3 })],
      ["mode", ntpReply(request, { timeMs: REAL_TIME, mode: 5 })],
      ["version", ntpReply(request, { timeMs: REAL_TIME, version: 0 })],
      ["originate", ntpReply(request, { timeMs: REAL_TIME, originate: new Uint8Array(8) })],
      ["kiss", ntpReply(request, { timeMs: REAL_TIME, kiss: "RATE" })],
      ["stratum", ntpReply(request, { timeMs: REAL_TIME, stratum: 16 })],
      ["unsynchronised", ntpReply(request, { timeMs: REAL_TIME, leap: 3 })],
      ["no-time", ntpReply(request, { timeMs: REAL_TIME, noTime: true })],
      ["before-build", ntpReply(request, { timeMs: Date.UTC(2001, 0, 1) })],
    ];
    for (const [kind, bytes] of cases) assert.equal(readSntpReply(bytes, nonce, NOT_BEFORE_MS).kind, kind, kind);
  });

  it("reads server entries: names, addresses, ports", () => {
    assert.deepEqual(parseServer("pool.ntp.org"), { host: "pool.ntp.org", port: 123 });
    assert.deepEqual(parseServer(" 127.0.0.1:12123 "), { host: "127.0.0.1", port: 12123 });
    for (const bad of ["", "a..b", "-a.b", "host:0", "host:99999", "host:", "ho st", "a_b.c", "x".repeat(64)]) assert.equal(parseServer(bad), undefined, bad);
  });
});

describe("SNTP client", () => {
  it("sets the clock from an honest server: exact time, the correction, the event, no socket left", async () => {
    const r = rig([`${LOOPBACK}:123`]);
    const server = honest(r, 123);
    assert.equal(r.device.iso(), null, "no date before the time is valid");
    r.client.start();
    await r.clock.advance(10);
    assert.equal(r.device.valid, true);
    assert.equal(r.device.now(), REAL_TIME + 10);
    assert.equal(r.device.source, "sntp");
    assert.equal(r.device.status().server, `${LOOPBACK}:123`);
    assert.equal(r.device.offsetMs, REAL_TIME - 5000);
    assert.equal(r.events.length, 1);
    assert.equal(r.events[0].source, "sntp");
    assert.equal(server.requests.length, 1);
    const clientPort = server.requests[0].port;
    assert.deepEqual(r.udp.closed, [clientPort], "the client's socket is closed after the sync");
    assert.equal(r.client.status().state, "idle");
    assert.equal(r.client.status().nextSyncIn, SNTP_TIMING.resyncMs / 1000);
    r.client.stop();
    server.close();
  });

  it("resynchronises every few hours, and stop() leaves no timer", async () => {
    const r = rig([`${LOOPBACK}:123`]);
    const server = honest(r, 123);
    r.client.start();
    await r.clock.advance(10);
    await r.clock.advance(SNTP_TIMING.resyncMs);
    assert.equal(server.requests.length, 2);
    r.client.stop();
    assert.equal(r.clock.pending, 0);
    server.close();
  });

  it("refuses every bad reply, logs each kind once, and takes the next server's good one", async () => {
    const r = rig([`${LOOPBACK}:1001`, `${LOOPBACK}:1002`]);
    const spoilers = [
      (q: Uint8Array) => Uint8Array.of(1, 2, 3),
      (q: Uint8Array) => ntpReply(q, { timeMs: REAL_TIME + 99e9, mode: 3 }),
      (q: Uint8Array) => ntpReply(q, { timeMs: REAL_TIME + 99e9, originate: Uint8Array.of(1, 1, 1, 1, 1, 1, 1, 1) }),
      (q: Uint8Array) => ntpReply(q, { timeMs: REAL_TIME + 99e9, leap: 3 }),
      (q: Uint8Array) => ntpReply(q, { timeMs: REAL_TIME + 99e9, stratum: 16 }),
      (q: Uint8Array) => ntpReply(q, { timeMs: Date.UTC(1999, 0, 1) }),
    ];
    // Every request gets every spoiled reply, twice over.
    const hostile = scriptedNtpServer(r.udp, 1001, (q) => [...spoilers.map((f) => f(q)), ...spoilers.map((f) => f(q))]);
    const good = honest(r, 1002);
    r.client.start();
    await r.clock.advance(SNTP_TIMING.timeoutMs * SNTP_TIMING.tries + 10);
    assert.equal(hostile.requests.length, SNTP_TIMING.tries, "the hostile server was asked again, then given up");
    assert.equal(r.wall.sets.length, 1, "only the good reply set the clock");
    assert.ok(Math.abs(r.device.now() - (REAL_TIME + r.clock.now() - 1000)) < 5, "to the good server's time");
    for (const why of ["bytes, not 48", "not 4 (server)", "stale or forged", "not synchronised", "stratum 16", "before this firmware was built"])
      assert.equal(count(r.lines, why), 1, `"${why}" logged once`);
    assert.equal(count(r.lines, "no answer"), 1);
    hostile.close();
    good.close();
    r.client.stop();
  });

  it("ignores a datagram from another address or port, even one that looks right", async () => {
    const r = rig([`${LOOPBACK}:123`]);
    // A forger on another port answers the request it saw, with the right nonce.
    const forger = r.udp.open({ port: 4444 }, () => undefined);
    const server = scriptedNtpServer(r.udp, 123, (q, n) => {
      forger.send(ntpReply(q, { timeMs: REAL_TIME + 3600_000 }), LOOPBACK, server.requests[n - 1].port);
      return undefined;
    });
    r.client.start();
    await r.clock.advance(SNTP_TIMING.timeoutMs * SNTP_TIMING.tries + 10);
    assert.equal(r.device.valid, false);
    assert.equal(count(r.lines, "not the time server asked"), 1);
    forger.close();
    server.close();
    r.client.stop();
  });

  it("falls over to the next server when one never answers, then backs off, doubling, when none does", async () => {
    const r = rig([`${LOOPBACK}:1001`, `${LOOPBACK}:1002`]);
    const times = { a: [] as number[], b: [] as number[] };
    const a = scriptedNtpServer(r.udp, 1001, () => void times.a.push(r.clock.now()));
    const b = scriptedNtpServer(r.udp, 1002, () => void times.b.push(r.clock.now()));
    r.client.start();
    const perServer = SNTP_TIMING.timeoutMs * SNTP_TIMING.tries;
    await r.clock.advance(perServer + 1);
    assert.equal(a.requests.length, 2);
    assert.equal(b.requests.length, 1, "the next server is asked at once");
    await r.clock.advance(perServer);
    assert.match(r.client.status().lastError ?? "", /no answer/);
    assert.equal(r.client.status().state, "waiting");
    for (let sync = 0; sync < 8; sync++) {
      // Straight to the next round (the status says when), then through it.
      await r.clock.advance((r.client.status().nextSyncIn ?? 0) * 1000 + 500);
      await r.clock.advance(2 * perServer);
    }
    const pauses: number[] = [];
    for (let k = 0; k < 8; k++) {
      const failedAt = times.b[2 * k + 1] + SNTP_TIMING.timeoutMs;
      pauses.push((times.a[2 * (k + 1)] - failedAt) / 1000);
    }
    assert.deepEqual(pauses.slice(0, 4), [15, 30, 60, 120], "back-off doubles from 15 s");
    assert.deepEqual(pauses.slice(6), [900, 900], "up to 15 min");
    assert.equal(count(r.lines, "1001: no answer"), 1, "logged once");
    assert.equal(r.device.valid, false);
    r.client.stop();
    a.close();
    b.close();
  });

  it("honours kiss-of-death: RATE rests the server (doubling), DENY ends it until the servers change", async () => {
    const r = rig([`${LOOPBACK}:1001`, `${LOOPBACK}:1002`, `${LOOPBACK}:1003`]);
    const rate = scriptedNtpServer(r.udp, 1001, (q) => ntpReply(q, { timeMs: REAL_TIME, kiss: "RATE" }));
    const deny = scriptedNtpServer(r.udp, 1002, (q) => ntpReply(q, { timeMs: REAL_TIME, kiss: "DENY" }));
    const good = honest(r, 1003);
    r.client.start();
    await r.clock.advance(10);
    assert.equal(r.device.valid, true, "the third server set the clock at once");
    assert.equal(rate.requests.length, 1, "one request to a server that said RATE");
    assert.equal(deny.requests.length, 1);
    assert.deepEqual(r.client.status().refused.map((x) => x.code), ["RATE", "DENY"]);
    for (let i = 0; i < 3; i++) await r.clock.advance(SNTP_TIMING.resyncMs);
    assert.equal(deny.requests.length, 1, "DENY: never asked again");
    assert.ok(rate.requests.length >= 2, "RATE: asked again once rested");
    r.client.setServersChanged();
    await r.clock.advance(10);
    assert.equal(deny.requests.length, 2, "asked again after the servers changed");
    assert.equal(count(r.lines, "DENY"), 2, "logged once per refusal");
    r.client.stop();
    for (const s of [rate, deny, good]) s.close();
  });

  it("resolves names, and logs a name that does not resolve once", async () => {
    const r = rig(["nowhere.example", "time.example:123"], { resolve: { "time.example": LOOPBACK } });
    const server = honest(r, 123);
    r.client.start();
    await r.clock.advance(10);
    assert.equal(r.device.valid, true);
    assert.equal(count(r.lines, "nowhere.example: does not resolve"), 1);
    r.client.stop();
    server.close();
  });

  it("without a resolver, a name is an error the status names, and nothing is sent", async () => {
    const r = rig(["pool.ntp.org"]);
    r.client.start();
    await r.clock.advance(10);
    assert.match(r.client.status().lastError ?? "", /cannot resolve names/);
    r.client.stop();
  });
});
