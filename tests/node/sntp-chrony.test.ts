/*
 * The core's SNTP client over the simulator's real UDP sockets, against a real NTP server
 * (chronyd on a loopback port, serving this machine's time moved by an hour) and a scripted
 * hostile one on loopback (silence, garbage, wrong mode, stale originate, kiss-of-death). The
 * clock must land on chrony's time and nothing else. Node only; this machine's clock is never
 * changed.
 */

import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import { DeviceClock } from "../../modules/clock/device-clock";
import { NOT_BEFORE_MS } from "../../modules/clock/build-date";
import { Logger } from "../../modules/log/logger";
import { SntpClient } from "../../modules/time/sntp-client";
import { NodeClock } from "../../hosts/node/clock";
import { NodeUdp } from "../../hosts/node/udp";
import { NodeWallClock } from "../../hosts/node/wall-clock";
import { startChrony, freeUdpPort, type Chrony } from "../support/chrony";
import { ntpReply, scriptedNtpServer } from "../support/ntp-script";
import { randomBytes } from "node:crypto";

async function until(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await delay(10);
  }
  return true;
}

describe("SNTP against chrony (real NTP server on loopback)", function () {
  this.timeout(60_000);
  let chrony: Chrony;
  let clock: NodeClock;
  let udp: NodeUdp;

  before(async () => {
    chrony = await startChrony({ offsetSeconds: 3600 });
  });
  after(async () => {
    await chrony?.stop();
  });
  beforeEach(() => {
    clock = new NodeClock();
    udp = new NodeUdp();
  });
  afterEach(() => {
    clock.shutdown();
    udp.shutdown();
  });

  function client(servers: string[], lines: string[], device: DeviceClock): SntpClient {
    return new SntpClient({
      udp,
      clock,
      deviceClock: device,
      log: new Logger({ write: (_l, line) => void lines.push(line) }, true),
      servers: () => servers,
      notBeforeMs: NOT_BEFORE_MS,
      random: (n) => new Uint8Array(randomBytes(n)),
      timing: { timeoutMs: 400 },
    });
  }

  it("sets an unset clock (1970) to chrony's time, an hour ahead of this machine's, within a few ms", async () => {
    const device = new DeviceClock(new NodeWallClock({ trustHost: false, startMs: 0 }));
    const lines: string[] = [];
    const sntp = client([`127.0.0.1:${chrony.port}`], lines, device);
    sntp.start();
    assert.ok(await until(() => device.valid, 5000), `the clock was set: ${lines.join("\n")}`);
    const want = await chrony.offsetMs();
    assert.ok(Math.abs(want - 3600_000) < 2000, `chrony serves an hour ahead (${want} ms)`);
    const ahead = device.now() - Date.now();
    assert.ok(Math.abs(ahead - want) < 50, `the clock is ${ahead} ms ahead, chrony ${want} ms`);
    assert.equal(device.source, "sntp");
    assert.ok(Math.abs((device.offsetMs ?? 0) - (Date.now() + want)) < 5000, "the correction from 1970");
    assert.ok((sntp.status().delayMs ?? 99) < 50, "a loopback round trip");
    sntp.stop();
  });

  it("survives a hostile server that answers everything wrongly, then takes chrony's time", async () => {
    const hostilePort = await freeUdpPort();
    const silentPort = await freeUdpPort();
    const hostile = scriptedNtpServer(
      udp,
      hostilePort,
      (q) => [
        Uint8Array.of(0xff),
        new Uint8Array(48).fill(0xe4),
        ntpReply(q, { timeMs: Date.now() + 9e9, mode: 3 }),
        ntpReply(q, { timeMs: Date.now() + 9e9, originate: new Uint8Array(8).fill(7) }),
        ntpReply(q, { timeMs: Date.now() + 9e9, leap: 3 }),
        ntpReply(q, { timeMs: Date.now() + 9e9, stratum: 16 }),
        ntpReply(q, { timeMs: 1000 }),
      ],
      "127.0.0.1",
    );
    const kiss = await freeUdpPort();
    const denier = scriptedNtpServer(udp, kiss, (q) => ntpReply(q, { timeMs: Date.now(), kiss: "DENY" }), "127.0.0.1");
    const silent = scriptedNtpServer(udp, silentPort, () => undefined, "127.0.0.1");
    await Promise.all([hostile.socket.ready, denier.socket.ready, silent.socket.ready]);
    const wall = new NodeWallClock({ trustHost: false, startMs: 0 });
    const device = new DeviceClock(wall);
    const lines: string[] = [];
    const sntp = client([`127.0.0.1:${silentPort}`, `127.0.0.1:${hostilePort}`, `127.0.0.1:${kiss}`, `127.0.0.1:${chrony.port}`], lines, device);
    sntp.start();
    assert.ok(await until(() => device.valid, 10_000), `the clock was set: ${lines.join("\n")}`);
    const want = await chrony.offsetMs();
    assert.ok(Math.abs(device.now() - Date.now() - want) < 50, "chrony's time, nobody else's");
    assert.equal(silent.requests.length, 2, "silence: asked twice");
    assert.equal(denier.requests.length, 1);
    assert.equal(lines.filter((l) => l.includes("no answer")).length, 2, "silence, and only bad replies, are no answer: once per server");
    for (const why of ["not 48", "mode 3", "stale or forged", "not synchronised", "stratum 16", "before this firmware", "DENY"])
      assert.equal(lines.filter((l) => l.includes(why)).length, 1, `"${why}" logged once:\n${lines.join("\n")}`);
    sntp.stop();
    for (const s of [hostile, denier, silent]) s.close();
  });
});
