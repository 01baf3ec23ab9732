/*
 * Time and names on the device host, on XS over the SDK stand-ins: ModdableWallClock (Time.set
 * takes whole seconds, the rest is kept), ModdableResolver (Net.resolve), and the core's SNTP
 * client and mDNS responder over ModdableUdp: the multicast socket joins 224.0.0.251 on 5353,
 * probes, announces and answers there; the SNTP request goes out on its own port and the
 * reply sets the device's clock through Time.set.
 */

import { TimerClock } from "hosts/moddable/clock";
import { ModdableResolver } from "hosts/moddable/resolver";
import { ModdableUdp } from "hosts/moddable/udp";
import { ModdableWallClock } from "hosts/moddable/wall-clock";
import { DeviceClock } from "../../../modules/clock/device-clock";
import { NOT_BEFORE_MS } from "../../../modules/clock/build-date";
import { DNS_TYPE, encodeDnsMessage, parseDnsMessage } from "../../../modules/dns/dns-packet";
import { Logger } from "../../../modules/log/logger";
import { MdnsResponder } from "../../../modules/mdns/mdns-responder";
import { SntpClient } from "../../../modules/time/sntp-client";
import * as assert from "../../support/assert";
import { ntpReply } from "../../support/ntp-script";
import { assertQuiet, clock, machine, resetDevice, wire } from "../standins/control";

const REAL = Date.UTC(2027, 0, 2, 3, 4, 5, 678);

describe("Moddable host on XS: time and names", () => {
  beforeEach(() => resetDevice());
  afterEach(() => assertQuiet());

  it("ModdableWallClock: Time.set gets the nearest whole second, now() keeps the milliseconds", () => {
    const wall = new ModdableWallClock();
    wall.set(REAL);
    assert.equal(clock.wallSeconds, Math.round(REAL / 1000));
    assert.ok(Math.abs(wall.now() - REAL) < 50, `now() ${wall.now() - REAL} ms off`);
    wall.set(REAL - 86_400_000);
    assert.ok(Math.abs(wall.now() - (REAL - 86_400_000)) < 50, "set back a day");
  });

  it("ModdableResolver: names through Net.resolve, later; an address as itself; a failure as a rejection", async () => {
    wire.hosts.set("pool.ntp.org", "10.9.8.7");
    const resolver = new ModdableResolver();
    let settled = false;
    const pending = resolver.resolve("pool.ntp.org").then((a) => {
      settled = true;
      return a;
    });
    assert.equal(settled, false, "not inside the call");
    await machine.advance(20);
    assert.equal(await pending, "10.9.8.7");
    assert.equal(await resolver.resolve("10.1.2.3"), "10.1.2.3");
    const failing = resolver.resolve("nowhere.example");
    await machine.advance(20);
    await assert.rejects(failing, /nowhere\.example/);
  });

  it("SNTP over ModdableUdp: the request goes to the server, the reply sets the clock with Time.set", async () => {
    const timers = new TimerClock();
    const device = new DeviceClock(new ModdableWallClock());
    const lines: string[] = [];
    const sntp = new SntpClient({
      udp: new ModdableUdp(),
      clock: timers,
      deviceClock: device,
      log: new Logger({ write: (_l, line) => void lines.push(line) }, true),
      servers: () => ["10.0.0.123"],
      notBeforeMs: NOT_BEFORE_MS,
      random: (n) => Uint8Array.from({ length: n }, (_, i) => i * 31 + 7),
    });
    sntp.start();
    assert.ok(await machine.until(() => wire.sent.some((d) => d.port === 123), 1000), "a request sent");
    const request = wire.sent.find((d) => d.port === 123);
    assert.ok(request);
    assert.equal(request.address, "10.0.0.123");
    assert.equal(request.bytes.length, 48);
    wire.sendUdp(ntpReply(request.bytes, { timeMs: REAL }), { port: request.from }, { address: "10.0.0.123", port: 123 });
    await machine.advance(10);
    assert.equal(device.valid, true, lines.join("\n"));
    assert.equal(clock.wallSeconds, Math.round(REAL / 1000), "Time.set");
    assert.equal(wire.udpSockets.size, 0, "the socket is closed between syncs");
    sntp.stop();
  });

  it("mDNS over ModdableUdp: joins 224.0.0.251:5353, probes and announces there, answers a query and a legacy one", async () => {
    const responder = new MdnsResponder({ udp: new ModdableUdp(), clock: new TimerClock(), log: new Logger({ write: () => undefined }, false) });
    responder.start({ hostname: "iot-123f2a", addresses: ["192.168.1.50"], services: [{ type: "_http._tcp", port: 80, txt: ["path=/"] }] });
    const socket = [...wire.udpSockets][0];
    assert.equal(socket.port, 5353);
    assert.deepEqual(socket.groups, ["224.0.0.251"]);
    await machine.advance(3000);
    assert.equal(responder.status().state, "claimed");
    const out = wire.sent.filter((d) => d.address === "224.0.0.251" && d.port === 5353).map((d) => parseDnsMessage(d.bytes));
    assert.equal(out.filter((m) => !m.response).length, 3, "three probes");
    assert.equal(out.filter((m) => m.response).length, 2, "two announcements");
    const before = wire.sent.length;
    const query = encodeDnsMessage({ id: 9, flags: 0, questions: [{ name: "iot-123f2a.local", type: DNS_TYPE.A }] });
    assert.equal(wire.sendUdp(query, { port: 5353, group: "224.0.0.251" }, { address: "192.168.1.20", port: 5353 }), 1);
    await machine.advance(10);
    const answer = wire.sent.slice(before).map((d) => ({ to: `${d.address}:${d.port}`, m: parseDnsMessage(d.bytes) }));
    assert.deepEqual(answer.map((a) => [a.to, a.m.answers[0]?.data]), [["224.0.0.251:5353", "192.168.1.50"]]);
    wire.sendUdp(query, { port: 5353 }, { address: "192.168.1.20", port: 40000 });
    await machine.advance(10);
    const legacy = wire.sent.at(-1);
    assert.equal(`${legacy?.address}:${legacy?.port}`, "192.168.1.20:40000");
    responder.stop();
    assert.equal(wire.udpSockets.size, 0);
  });
});
