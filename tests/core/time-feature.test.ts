/*
 * The time feature in a manager: SNTP starts when the station has an address and stops when it
 * loses it, the network's offered servers go first, GET /api/status has `time`, the page has
 * its card, bad settings are a 400 naming the key, the demo's gmt_time is null until the clock
 * is valid and right after, and a host whose clock is already right runs no SNTP at all.
 * MemoryUdp, virtual time. Runs on Node and on XS.
 */

import type { NetworkStatus } from "../../modules/host/network";
import { IotManager } from "../../modules/manager";
import * as assert from "../support/assert";
import { bodyJson, bodyText, jsonRequest, request } from "../support/http-request";
import { LOOPBACK, MemoryUdp } from "../support/memory-udp";
import { ntpReply, scriptedNtpServer } from "../support/ntp-script";
import { createTestHost, type TestHost } from "../support/test-host";
import { VirtualWallClock } from "../support/virtual-wall-clock";

const REAL = Date.UTC(2027, 6, 1, 10, 0, 0);

interface Device {
  host: TestHost;
  udp: MemoryUdp;
  iot: IotManager;
  net: { status: NetworkStatus };
}

function device(options: { source?: string; offered?: string[] } = {}): Device {
  const base = createTestHost();
  const udp = new MemoryUdp();
  const net = { status: { mode: "station", ssid: "Home", ip: "192.168.1.50", ntpServers: options.offered ?? [`${LOOPBACK}:123`] } as NetworkStatus };
  const host: TestHost = Object.assign(base, {
    udp,
    wallClock: new VirtualWallClock(base.clock, options.source ? REAL : 0, options.source),
    network: { status: () => net.status },
  });
  const iot = new IotManager({ title: "T", version: "1.0.0", mdns: false }, host);
  iot.config.set("ntp_servers", "");
  return { host, udp, iot, net };
}

/** GET /api/status (while the device has the address the test requests name), else the same object directly. */
function status(d: Device): Record<string, any> {
  if (d.net.status.ip === "") return JSON.parse(JSON.stringify(d.iot.status())) as Record<string, any>;
  return bodyJson(d.iot.handle(request("GET", "/api/status"))) as Record<string, any>;
}

describe("time feature", () => {
  it("sets the clock by SNTP once the station has an address: status, event, page", async () => {
    const d = device();
    const server = scriptedNtpServer(d.udp, 123, (q) => ntpReply(q, { timeMs: REAL + d.host.clock.now() }));
    const events: string[] = [];
    d.iot.events.on("clock", (e) => events.push(e.source));
    void d.iot.run();
    const before = status(d).time;
    assert.equal(before.valid, false);
    assert.equal(before.lastSync, null);
    assert.equal(d.iot.clock.iso(), null);
    await d.host.clock.advance(50);
    const after = status(d).time;
    assert.equal(after.valid, true, JSON.stringify(after));
    assert.equal(after.source, "sntp");
    assert.equal(after.server, `${LOOPBACK}:123`);
    assert.equal(typeof after.offsetMs, "number");
    assert.ok(Math.abs(Date.parse(after.lastSync) - REAL) < 100, after.lastSync);
    assert.equal(Math.abs(Date.parse(after.utc) - (REAL + d.host.clock.now())) < 1000, true);
    assert.match(after.summary, /synchronised with 127\.0\.0\.1:123/);
    assert.deepEqual(events, ["sntp"]);
    const page = bodyText(d.iot.handle(request("GET", "/")));
    assert.match(page, /<section class="card mb-3" id="time">/);
    assert.match(page, /data-status="time.local">2027-07-01 10:00:00 UTC</);
    d.iot.stop();
    assert.equal(d.host.clock.pending, 0, "no timer left");
    server.close();
  });

  it("escapes the card's values: a clock source the app names is text", () => {
    const d = device();
    void d.iot.run();
    let page = bodyText(d.iot.handle(request("GET", "/")));
    assert.match(page, /data-status="time.local">-<\/td>[\s\S]*data-status="time.offsetMs">-<\/td>/, "no value yet: a dash");
    d.iot.clock.set(REAL, `<img src=x onerror=alert(1)> & "gps"`);
    page = bodyText(d.iot.handle(request("GET", "/")));
    assert.notMatch(page, /<img src=x/);
    assert.match(page, /data-status="time.summary">set by &lt;img src=x onerror=alert\(1\)&gt; &amp; &quot;gps&quot;<\/td>/);
    assert.match(page, /data-status="time.utc">2027-07-01T10:00:00\.\d{3}Z<\/td>/);
    d.iot.stop();
  });

  it("local time follows the timezone setting; a malformed one is a 400 naming the key", async () => {
    const d = device({ source: "host" });
    void d.iot.run();
    let res = d.iot.handle(jsonRequest("POST", "/api/config", { timezone: "CET-1CEST,M3.5.0,M10.5.0/3" }));
    assert.equal(res.status, 200);
    assert.match(status(d).time.local, /^2027-07-01 12:00:0\d CEST$/);
    assert.equal(d.iot.clock.local().hour, 12);
    res = d.iot.handle(jsonRequest("POST", "/api/config", { timezone: "CET-1CEST,M3.5.0" }));
    assert.equal(res.status, 400);
    const body = bodyJson(res) as { error: string; key: string };
    assert.equal(body.key, "timezone");
    assert.match(body.error, /two rules/);
    assert.equal(d.iot.config.get("timezone"), "CET-1CEST,M3.5.0,M10.5.0/3", "nothing saved");
    res = d.iot.handle(jsonRequest("POST", "/api/config", { ntp_servers: "pool.ntp.org, bad name" }));
    assert.equal(res.status, 400);
    assert.equal((bodyJson(res) as { key: string }).key, "ntp_servers");
    res = d.iot.handle(jsonRequest("POST", "/api/config", { ntp_servers: "a.example,b.example,c.example,d.example,e.example" }));
    assert.equal(res.status, 400, "at most four");
    d.iot.stop();
  });

  it("a host whose clock is right at boot runs no SNTP: valid at once, from the host", async () => {
    const d = device({ source: "host" });
    const events: string[] = [];
    d.iot.events.on("clock", (e) => events.push(e.source));
    void d.iot.run();
    await d.host.clock.advance(10_000);
    assert.equal(d.udp.opened.length, 0, "no socket");
    const t = status(d).time;
    assert.equal(t.valid, true);
    assert.equal(t.source, "host");
    assert.equal(t.sntp, null);
    assert.deepEqual(events, ["host"], "the clock event once at start");
    d.iot.stop();
  });

  it("waits for an address, stops when it goes, and starts again when it is back", async () => {
    const d = device();
    d.net.status = { mode: "connecting", ssid: "Home", ip: "" };
    const server = scriptedNtpServer(d.udp, 123, (q) => ntpReply(q, { timeMs: REAL }));
    void d.iot.run();
    await d.host.clock.advance(5000);
    assert.equal(server.requests.length, 0, "nothing before the station has an address");
    assert.match(status(d).time.summary, /waiting for a network/);
    d.net.status = { mode: "station", ssid: "Home", ip: "192.168.1.50", ntpServers: [`${LOOPBACK}:123`] };
    // The WiFi feature calls networkChanged(); without one, the test announces it the same way.
    d.iot.events.emit("network", d.net.status);
    await d.host.clock.advance(10);
    assert.equal(server.requests.length, 1);
    assert.equal(d.iot.clock.valid, true);
    d.net.status = { mode: "offline", ssid: "", ip: "" };
    d.iot.events.emit("network", d.net.status);
    assert.equal(status(d).time.sntp.state, "stopped");
    assert.equal(d.iot.clock.valid, true, "a valid time stays valid");
    d.iot.stop();
    server.close();
  });

  it("the demo's task: gmt_time is null until the clock is valid, then the right time", async () => {
    const d = device();
    const server = scriptedNtpServer(d.udp, 123, (q, n) => (n < 2 ? undefined : ntpReply(q, { timeMs: REAL + d.host.clock.now() })));
    d.iot.addTask(async () => {
      for (;;) {
        d.iot.data.set("gmt_time", d.iot.clock.iso());
        await d.iot.sleep(3000);
      }
    }, "alive");
    void d.iot.run();
    await d.host.clock.advance(10);
    assert.equal(d.iot.data.get("gmt_time"), null, "null while the first request goes unanswered");
    await d.host.clock.advance(6000);
    const gmt = d.iot.data.get("gmt_time");
    assert.equal(typeof gmt, "string");
    assert.ok(Math.abs(Date.parse(gmt as string) - (REAL + d.host.clock.now())) <= 3000, String(gmt));
    d.iot.stop();
    server.close();
  });
});
