/*
 * The small parts of the WiFi feature: the captive portal's redirect rule, the scan list, and
 * the access point's name and password. Runs on Node and on XS.
 */

import { accessPointName, checkAccessPointPassword, macTail } from "../../modules/wifi/access-point-name";
import { isDeviceHost, PROBE_PATHS, portalRedirect, type PortalView } from "../../modules/wifi/captive-portal";
import { hostName } from "../../modules/http/host-header";
import { visibleNetworks } from "../../modules/wifi/scan-list";
import * as assert from "../support/assert";
import { request } from "../support/http-request";
import { utf8Length } from "../../modules/text/utf8";

const OPEN: PortalView = { apOpen: true, apAddress: "192.168.4.1", stationIp: "", hostname: "greenhouse" };

describe("captive portal rule", () => {
  it("lists the probes of Android, Apple, Windows and Firefox", () => {
    for (const path of ["/generate_204", "/gen_204", "/hotspot-detect.html", "/library/test/success.html", "/connecttest.txt", "/ncsi.txt", "/redirect", "/success.txt", "/canonical.html"])
      assert.ok(PROBE_PATHS.includes(path), path);
  });

  it("reads the Host header's name", () => {
    assert.equal(hostName("Example.COM:8080"), "example.com");
    assert.equal(hostName("[::1]:80"), "::1");
    assert.equal(hostName(undefined), "");
  });

  it("knows the device's own names", () => {
    for (const own of ["192.168.4.1", "greenhouse", "greenhouse.local", "localhost", "127.0.0.1", "::1", ""]) assert.ok(isDeviceHost(own, OPEN), own);
    assert.ok(isDeviceHost("192.168.1.9", { ...OPEN, stationIp: "192.168.1.9" }));
    for (const other of ["example.com", "greenhouse.lan", "192.168.1.9"]) assert.ok(!isDeviceHost(other, OPEN), other);
  });

  it("redirects nothing while the access point is closed", () => {
    const closed = { ...OPEN, apOpen: false };
    assert.equal(portalRedirect(request("GET", "/generate_204", { headers: { host: "example.com" } }), closed), undefined);
  });

  it("redirects with 302, cache disabled, to the AP's page", () => {
    const res = portalRedirect(request("GET", "/anything", { headers: { host: "example.com" } }), OPEN);
    assert.equal(res?.status, 302);
    assert.equal(res?.headers?.location, "http://192.168.4.1/");
    assert.equal(res?.headers?.["cache-control"], "no-store");
  });

  it("leaves alone a client on the station's network (an IPv4-mapped address too)", () => {
    const view = { ...OPEN, stationIp: "192.168.1.9" };
    const req = request("GET", "/", { headers: { host: "greenhouse.lan" } });
    req.remote = "::ffff:192.168.1.40";
    assert.equal(portalRedirect(req, view), undefined);
    req.remote = "192.168.4.2";
    assert.equal(portalRedirect(req, view)?.status, 302);
  });
});

describe("scan list", () => {
  it("keeps the strongest sighting per SSID, strongest first, ties by name, hidden and nameless out", () => {
    const list = visibleNetworks([
      { ssid: "B", rssi: -60, secured: true, hidden: false },
      { ssid: "A", rssi: -60, secured: false, hidden: false },
      { ssid: "B", rssi: -40, secured: true, hidden: false },
      { ssid: "", rssi: -20, secured: true, hidden: false },
      { ssid: "Secret", rssi: -10, secured: true, hidden: true },
      { ssid: "C", rssi: Number.NaN, secured: true, hidden: false },
    ]);
    assert.deepEqual(list, [
      { ssid: "B", rssi: -40, secured: true },
      { ssid: "A", rssi: -60, secured: false },
      { ssid: "C", rssi: -100, secured: true },
    ]);
  });

  it("caps the list", () => {
    const many = Array.from({ length: 50 }, (_, i) => ({ ssid: `n${i}`, rssi: -i, secured: true, hidden: false }));
    assert.equal(visibleNetworks(many).length, 30);
    assert.equal(visibleNetworks(many, 3)[2].ssid, "n2");
  });
});

describe("access point name and password", () => {
  it("is the title, cleaned, plus the MAC's last two bytes", () => {
    assert.equal(macTail("24:0a:c4:12:3f:2a"), "3F2A");
    assert.equal(accessPointName("Greenhouse", "24:0a:c4:12:3f:2a"), "Greenhouse-3F2A");
    assert.equal(accessPointName("IoT Device", "24:0a:c4:12:3f:2a"), "IoT-Device-3F2A");
    assert.equal(accessPointName("<b>Températures & co</b>", "24:0a:c4:12:3f:2a"), "b-Temp-ratures-co-b-3F2A");
    assert.equal(accessPointName("", "24:0a:c4:12:3f:2a"), "Device-3F2A");
    assert.equal(accessPointName("iot-123f2a", "24:0a:c4:12:3f:2a"), "iot-123f2a", "a hostname with the tail is kept");
  });

  it("always fits 32 bytes", () => {
    const name = accessPointName("x".repeat(100), "24:0a:c4:12:3f:2a");
    assert.ok(utf8Length(name) <= 32, name);
    assert.match(name, /-3F2A$/);
  });

  it("accepts no password (open) or one WPA2 accepts, refuses the rest", () => {
    assert.equal(checkAccessPointPassword(undefined), "");
    assert.equal(checkAccessPointPassword(""), "");
    assert.equal(checkAccessPointPassword("12345678"), "12345678");
    for (const bad of ["1234567", "x".repeat(64), "pässword-1", "tab\there1"]) assert.throws(() => checkAccessPointPassword(bad), /8 to 63/, bad);
  });
});
