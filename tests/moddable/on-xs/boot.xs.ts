/*
 * The whole device on XS: hosts/moddable/boot.ts (the manifest's "main") builds the Moddable
 * host over the stand-ins and starts the demo app, main.ts, exactly as on an ESP32 with
 * nothing saved in flash. Then it is used the way a person does: a phone on the setup access
 * point asks for pages and names (the portal's DNS), then saves the home network, which the
 * device joins without a reboot. The tests share that one boot, in order (boot.ts runs once).
 * And what must hold for the build: no SDK native is called while the modules load (the
 * device preloads them at build time, where a native call fails the build).
 */

import * as assert from "../../support/assert";
import { answeredAddress, dnsQuery } from "../../support/dns-query";
import { parseHttpReply, type HttpReply } from "../../support/http-reply";
import { air, chip, machine, resetDevice, wire } from "../standins/control";

async function get(path: string, host = "192.168.4.1", body?: string): Promise<HttpReply> {
  const peer = wire.dial(80, { remote: "192.168.4.2" });
  if (body === undefined) peer.send(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
  else peer.send(`POST ${path} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  assert.ok(await machine.until(() => peer.closed, 10_000), `${path} answered`);
  return parseHttpReply(peer.bytes());
}

describe("the device booted on XS: boot.ts, the Moddable host and main.ts over the stand-ins", () => {
  it("calls no SDK native while its modules load", () => {
    // Recorded until the first resetDevice(): every test file (and what it imports) has loaded by then.
    assert.deepEqual(machine.callsAtLoad, []);
  });

  it("boots with empty flash into the setup access point and serves the app's page and data", async () => {
    resetDevice({ format: true });
    await import("hosts/moddable/boot");
    await machine.advance(5_000);
    assert.equal(machine.uncaught.length, 0, `uncaught: ${machine.uncaught.join("; ")}`);
    assert.equal(air.mode, "apsta", "the access point alongside the station");
    assert.match(air.apConfig?.ssid ?? "", /3F2A$/i);
    const data = await get("/data");
    assert.equal(data.status, 200);
    const values = JSON.parse(data.text) as Record<string, string>;
    assert.equal(values["Key 0"], "0");
    assert.ok("Counter" in values, "the app's task ran on the device's timers");
    const page = await get("/");
    assert.equal(page.status, 200);
    assert.match(page.text, /IoT Demo Controller/);
    const status = JSON.parse((await get("/api/status")).text) as { platform?: string; hostname?: string };
    assert.equal(status.platform, "esp32");
    assert.equal(status.hostname, `iot-${chip.mac.slice(3).map((b) => b.toString(16).padStart(2, "0")).join("")}`);
    const probe = await get("/generate_204", "connectivitycheck.gstatic.com");
    assert.equal(probe.status, 302, "the captive portal answers the phone's probe");
    // The portal's DNS, on the device's UDP socket: every name is the access point.
    const sentBefore = wire.sent.length;
    assert.equal(wire.sendUdp(dnsQuery("connectivitycheck.gstatic.com"), { port: 53 }, { address: "192.168.4.2", port: 5353 }), 1, "a socket is bound to port 53");
    await machine.advance(100);
    const replies = wire.sent.slice(sentBefore).filter((d) => d.address === "192.168.4.2" && d.port === 5353);
    assert.equal(replies.length, 1, "one answer, to the asker");
    assert.equal(answeredAddress(replies[0].bytes), "192.168.4.1");
  });

  it("joins the network saved through the portal, without a reboot, then closes the access point", async () => {
    air.put({ ssid: "Home", password: "correct horse", rssi: -52, ip: "192.168.1.77" });
    const saved = await get("/api/wifi", "192.168.4.1", JSON.stringify({ ssid: "Home", password: "correct horse" }));
    assert.equal(saved.status, 202, saved.text);
    await machine.advance(30_000);
    const status = JSON.parse((await get("/api/status", "192.168.1.77")).text) as { network?: { mode?: string; ssid?: string; ip?: string } };
    assert.deepEqual([status.network?.mode, status.network?.ssid, status.network?.ip], ["station", "Home", "192.168.1.77"]);
    assert.equal(air.mode, "sta", "the access point closed");
    assert.equal(machine.uncaught.length, 0, `uncaught: ${machine.uncaught.join("; ")}`);
    assert.deepEqual(machine.faults, []);
  });

  it("on the home network, answers an Echo's SSDP search to the group with the station's LOCATION", async () => {
    assert.equal(wire.joined.get("239.255.255.250"), 1, "the interface joined the SSDP group (native/multicast.c)");
    const search = "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\nST: urn:schemas-upnp-org:device:basic:1\r\n\r\n";
    const before = wire.sent.length;
    const bytes = new Uint8Array(search.length);
    for (let i = 0; i < search.length; i++) bytes[i] = search.charCodeAt(i);
    assert.equal(wire.sendUdp(bytes, { port: 1900, group: "239.255.255.250" }, { address: "192.168.1.30", port: 50000 }), 1);
    await machine.advance(1_100);
    const answers = wire.sent.slice(before).filter((d) => d.address === "192.168.1.30" && d.port === 50000);
    assert.equal(answers.length, 1, "one answer, by unicast to the Echo");
    const text = String.fromCharCode(...answers[0].bytes);
    assert.match(text, /\r\nLOCATION: http:\/\/192\.168\.1\.77:80\/description\.xml\r\n/);
    const description = await get("/description.xml", "192.168.1.77");
    assert.equal(description.status, 200);
    assert.match(description.text, /<modelName>Philips hue bridge 2012<\/modelName>/);
  });
});
