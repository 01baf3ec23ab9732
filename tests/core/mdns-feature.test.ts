/*
 * The mDNS feature in a manager: it waits for the web server's port and an address, advertises
 * _http._tcp (and _prometheus-http._tcp with the metrics feature), follows a hostname change
 * without a reboot, says goodbye when switched off, includes the access point's address while
 * it is open, and shows itself in GET /api/status and on the page. MemoryUdp, virtual time.
 * Runs on Node and on XS.
 */

import { DNS_TYPE, encodeDnsMessage, parseDnsMessage } from "../../modules/dns/dns-packet";
import type { NetworkStatus } from "../../modules/host/network";
import { IotManager } from "../../modules/manager";
import * as assert from "../support/assert";
import { bodyJson, bodyText, jsonRequest, request } from "../support/http-request";
import { MemoryUdp } from "../support/memory-udp";
import { createTestHost, type TestHost } from "../support/test-host";

function device(network: NetworkStatus = { mode: "station", ssid: "Home", ip: "192.168.1.50" }) {
  const base = createTestHost();
  const udp = new MemoryUdp();
  const net = { status: network };
  const host: TestHost = Object.assign(base, { udp, network: { status: () => net.status } });
  const iot = new IotManager({ title: "T", version: "2.0.0", time: false, port: 8080 }, host);
  return { host, udp, iot, net };
}

function records(udp: MemoryUdp): { name: string; type: number; ttl: number; data: unknown }[] {
  return udp
    .sentFrom(5353)
    .map((d) => parseDnsMessage(d.bytes))
    .filter((m) => m.response)
    .flatMap((m) => m.answers.map((a) => ({ name: a.name, type: a.type, ttl: a.ttl, data: a.data })));
}

describe("mDNS feature", () => {
  it("claims hostname.local once serving, with _http._tcp on the server's port and the metrics service", async () => {
    const d = device();
    void d.iot.run();
    await d.host.clock.advance(3000);
    const st = (bodyJson(d.iot.handle(request("GET", "/api/status"))) as Record<string, any>).mdns;
    assert.equal(st.state, "claimed");
    assert.equal(st.name, "iot-123456.local");
    assert.equal(st.url, "http://iot-123456.local:8080/");
    assert.deepEqual(st.services, ["_http._tcp", "_prometheus-http._tcp"]);
    const all = records(d.udp);
    const srv = all.find((r) => r.type === DNS_TYPE.SRV && r.name === "iot-123456._http._tcp.local");
    assert.equal((srv?.data as { port: number }).port, 8080);
    const txt = all.find((r) => r.type === DNS_TYPE.TXT && r.name === "iot-123456._http._tcp.local");
    assert.deepEqual(txt?.data, ["version=2.0.0", "framework=0.1.0", "mac=24:0a:c4:12:34:56", "path=/"]);
    assert.deepEqual(all.find((r) => r.name === "iot-123456._prometheus-http._tcp.local" && r.type === DNS_TYPE.TXT)?.data, ["path=/metrics"]);
    const page = bodyText(d.iot.handle(request("GET", "/")));
    assert.match(page, /<a href="http:\/\/iot-123456\.local:8080\/">/);
    d.iot.stop();
    assert.equal(d.udp.isBound(5353), false);
    assert.equal(d.host.clock.pending, 0);
  });

  it("a hostname change is announced without a reboot; switching mdns off says goodbye", async () => {
    const d = device();
    void d.iot.run();
    await d.host.clock.advance(3000);
    assert.equal(d.iot.handle(jsonRequest("POST", "/api/config", { hostname: "greenhouse" })).status, 200);
    await d.host.clock.advance(3000);
    assert.equal((d.iot.status().mdns as { name: string }).name, "greenhouse.local");
    assert.ok(records(d.udp).some((r) => r.name === "greenhouse.local" && r.type === DNS_TYPE.A && r.data === "192.168.1.50"));
    const log = d.udp.sentFrom(5353);
    const before = log.length;
    assert.equal(d.iot.handle(jsonRequest("POST", "/api/config", { mdns: false })).status, 200);
    assert.equal(log.length, before, "nothing is sent from inside the request: the change is applied on a turn of its own");
    await d.host.clock.advance(1);
    const bye = parseDnsMessage(log[before].bytes);
    assert.ok(bye.answers.every((a) => a.ttl === 0) && bye.answers.some((a) => a.name === "greenhouse.local"));
    assert.equal((d.iot.status().mdns as { state: string }).state, "off");
    d.iot.stop();
  });

  it("while the access point is open, a phone on it gets the access point's address", async () => {
    const d = device({ mode: "ap+station", ssid: "Home", ip: "192.168.1.50", apIp: "192.168.4.1" });
    void d.iot.run();
    await d.host.clock.advance(3000);
    const query = encodeDnsMessage({ flags: 0, questions: [{ name: "iot-123456.local", type: DNS_TYPE.A, unicast: true }] });
    const [reply] = d.udp.deliver(5353, query, { address: "192.168.4.2", port: 5353 });
    assert.equal(parseDnsMessage(reply.bytes).answers[0].data, "192.168.4.1");
    assert.deepEqual((d.iot.status().mdns as { addresses: string[] }).addresses, ["192.168.1.50", "192.168.4.1"]);
    d.iot.stop();
  });

  it("without an address it waits; with one it claims", async () => {
    const d = device({ mode: "connecting", ssid: "Home", ip: "" });
    void d.iot.run();
    await d.host.clock.advance(3000);
    assert.equal(d.udp.isBound(5353), false);
    d.net.status = { mode: "station", ssid: "Home", ip: "192.168.1.50" };
    d.iot.events.emit("network", d.net.status);
    await d.host.clock.advance(3000);
    assert.equal((d.iot.status().mdns as { state: string }).state, "claimed");
    d.iot.stop();
  });
  it("opens its socket again when the addresses change, so the device joins the group on the station too", async () => {
    // The device's Udp joins 224.0.0.251 on the interfaces that have an address when the socket
    // opens (hosts/moddable/udp.ts): one opened in setup mode hears only the access point.
    const d = device({ mode: "ap", ssid: "", ip: "192.168.4.1", apIp: "192.168.4.1" });
    const opens: number[] = [];
    const open = d.udp.open.bind(d.udp);
    d.udp.open = (options, listener) => {
      opens.push(options.port ?? 0);
      return open(options, listener);
    };
    void d.iot.run();
    await d.host.clock.advance(3000);
    const inSetup = opens.filter((p) => p === 5353).length;
    assert.equal(inSetup, 1);
    d.net.status = { mode: "ap+station", ssid: "Home", ip: "192.168.1.50", apIp: "192.168.4.1" };
    d.iot.events.emit("network", d.net.status);
    await d.host.clock.advance(3000);
    d.net.status = { mode: "station", ssid: "Home", ip: "192.168.1.50" };
    d.iot.events.emit("network", d.net.status);
    await d.host.clock.advance(3000);
    assert.equal(opens.filter((p) => p === 5353).length, 3, "one socket per set of addresses");
    assert.equal((d.iot.status().mdns as { state: string }).state, "claimed");
    assert.ok(records(d.udp).some((r) => r.type === DNS_TYPE.A && r.data === "192.168.1.50" && r.ttl > 0));
    d.iot.stop();
  });
});
