/*
 * The WiFi feature inside the manager, request in, response out, on a test host with the
 * device-like FakeRadio, a recording DNS server and a virtual clock: the captive portal's
 * redirects, the scan list, saving and trying settings without a reboot, the status, the page
 * section's escaping, and that no password ever comes back. Runs on Node and on XS.
 */

import type { HttpResponse } from "../../modules/http/http-message";
import { IotManager } from "../../modules/manager";
import { PROBE_PATHS } from "../../modules/wifi/captive-portal";
import { WIFI_TIMING } from "../../modules/wifi/wifi-policy";
import * as assert from "../support/assert";
import { FakeRadio, type AirNetwork } from "../support/fake-radio";
import { answeredAddress, dnsQuery } from "../support/dns-query";
import { MemoryUdp } from "../support/memory-udp";
import { bodyJson, bodyText, formRequest, jsonRequest, request } from "../support/http-request";
import { createTestHost, type TestHost } from "../support/test-host";

/** Asks the portal's DNS (UDP port 53) for a name's address, as a phone on the AP would. */
function askDns(udp: MemoryUdp, name: string): string | undefined {
  const [reply] = udp.deliver(53, dnsQuery(name));
  return reply ? answeredAddress(reply.bytes) : undefined;
}

interface Device {
  host: TestHost & { radio: FakeRadio; udp: MemoryUdp };
  radio: FakeRadio;
  udp: MemoryUdp;
  iot: IotManager;
  get(path: string, hostHeader?: string, remote?: string): HttpResponse;
  status(): Record<string, any>;
}

const HOME: AirNetwork = { ssid: "Home", password: "correct horse", rssi: -50, ip: "192.168.1.23" };

function device(options: { air?: AirNetwork[]; saved?: Record<string, string>; apPassword?: string } = {}): Device {
  const base = createTestHost();
  const radio = new FakeRadio(base.clock, { mac: base.system.info().mac, accessPointPassword: options.apPassword });
  for (const n of options.air ?? []) radio.put(n);
  const udp = new MemoryUdp();
  const host = Object.assign(base, { radio, udp });
  const iot = new IotManager({ title: "IoT Demo Controller", version: "1.0.0", time: false, mdns: false }, host);
  if (options.saved) iot.config.update(options.saved);
  void iot.run();
  const d: Device = {
    host,
    radio,
    udp,
    iot,
    get: (path, hostHeader = "192.168.4.1", remote) => {
      const req = request("GET", path, { headers: { host: hostHeader } });
      if (remote) req.remote = remote;
      return iot.handle(req);
    },
    // Asked by the address a browser would use now: the AP's while it is open, else the station's.
    status: () => bodyJson(d.get("/api/status", iot.network().apIp ?? (iot.network().ip || "localhost"))) as Record<string, any>,
  };
  return d;
}

function post(d: Device, value: unknown, hostHeader = "192.168.4.1"): HttpResponse {
  const req = jsonRequest("POST", "/api/wifi", value);
  req.headers.host = hostHeader;
  return d.iot.handle(req);
}

describe("WiFi feature: first boot, captive portal", () => {
  it("opens a recognisable, per-device, open access point and reports mode ap", () => {
    const d = device();
    assert.equal(d.radio.accessPoint?.ssid, "IoT-Demo-Controller-3456");
    assert.equal(d.radio.accessPoint?.password, "");
    const st = d.status();
    assert.deepEqual(st.network, { mode: "ap", ssid: "", ip: "192.168.4.1", configured: false, apIp: "192.168.4.1" });
    assert.equal(st.wifi.accessPoint.open, true);
    assert.equal(st.wifi.accessPoint.ssid, "IoT-Demo-Controller-3456");
  });

  it("serves portal DNS answering every name with the AP address", () => {
    const d = device();
    assert.deepEqual(d.udp.opened, [53]);
    assert.equal(askDns(d.udp, "connectivitycheck.gstatic.com"), "192.168.4.1");
    assert.equal(askDns(d.udp, "captive.apple.com"), "192.168.4.1");
  });

  it("answers every OS probe with a 302 to the portal, for the probe's host and for the device's", () => {
    const d = device();
    for (const path of PROBE_PATHS) {
      for (const hostHeader of ["connectivitycheck.gstatic.com", "192.168.4.1"]) {
        const res = d.get(path, hostHeader);
        assert.equal(res.status, 302, `${path} for ${hostHeader}`);
        assert.equal(res.headers?.location, "http://192.168.4.1/");
        assert.notMatch(bodyText(res), /success/i);
      }
    }
  });

  it("redirects any request for another host, keeps the device's own names", () => {
    const d = device();
    for (const other of ["example.com", "www.msftconnecttest.com:80", "10.0.0.1", "device.local"]) {
      const res = d.get("/", other);
      assert.equal(res.status, 302, other);
      assert.equal(res.headers?.location, "http://192.168.4.1/");
    }
    for (const own of ["192.168.4.1", "192.168.4.1:80", "iot-123456", "iot-123456.local", "IOT-123456.LOCAL", "localhost:8080"]) {
      assert.equal(d.get("/", own).status, 200, own);
    }
    assert.equal(d.get("/api/status", "example.com").status, 302);
  });
});

describe("WiFi feature: scan list", () => {
  it("GET /api/networks scans in the background; then strongest first, one per SSID, hidden left out", () => {
    const d = device({
      air: [
        { ssid: "Weak", password: "", rssi: -88 },
        { ssid: "Mesh", password: "meshmesh1", rssi: -71, copies: [-45, -80] },
        { ssid: "Hidden", password: "hidden-pass", rssi: -30, hidden: true },
        HOME,
      ],
    });
    const first = bodyJson(d.get("/api/networks")) as Record<string, unknown>;
    assert.deepEqual(first, { networks: [], scanning: true });
    d.host.clock.run(d.radio.timing.scanMs);
    const done = bodyJson(d.get("/api/networks")) as Record<string, unknown>;
    assert.deepEqual(done.networks, [
      { ssid: "Mesh", rssi: -45, secured: true },
      { ssid: "Home", rssi: -50, secured: true },
      { ssid: "Weak", rssi: -88, secured: false },
    ]);
    assert.equal(done.scanning, false);
    const scans = d.radio.calls.filter((c) => c === "scan").length;
    d.get("/api/networks");
    assert.equal(d.radio.calls.filter((c) => c === "scan").length, scans, "a fresh list is not rescanned");
    assert.equal((bodyJson(d.get("/api/networks?refresh=1")) as Record<string, unknown>).scanning, true);
  });

  it("reports a failed scan and keeps the last list", () => {
    const d = device({ air: [HOME] });
    d.get("/api/networks");
    d.host.clock.run(d.radio.timing.scanMs);
    d.radio.scan = (cb) => void d.host.clock.set(() => cb(new Error("scan request failed"), []), 10);
    d.get("/api/networks?refresh=1");
    d.host.clock.run(100);
    const res = bodyJson(d.get("/api/networks")) as Record<string, unknown>;
    assert.equal(res.error, "scan request failed");
    assert.deepEqual(res.networks, [{ ssid: "Home", rssi: -50, secured: true }]);
  });
});

describe("WiFi feature: saving from the portal", () => {
  it("tries the new network without a reboot, shows the new address, closes the AP and DNS after the grace", () => {
    const d = device({ air: [HOME] });
    const res = post(d, { ssid: "Home", password: "correct horse" });
    assert.equal(res.status, 202);
    assert.deepEqual(d.status().wifi.trial, { ssid: "Home", outcome: "trying" });
    d.host.clock.run(5_000);
    const st = d.status();
    assert.deepEqual(st.wifi.trial, { ssid: "Home", outcome: "connected", ip: "192.168.1.23" });
    assert.equal(st.network.mode, "ap+station");
    assert.ok(st.wifi.accessPoint.closesInMs > 0);
    d.host.clock.run(WIFI_TIMING.apCloseGraceMs);
    assert.equal(d.radio.accessPoint, undefined);
    assert.deepEqual(d.udp.closed, [53]);
    assert.deepEqual(d.status().network, { mode: "station", ssid: "Home", ip: "192.168.1.23", rssi: -50, configured: true });
    assert.equal(d.host.restarts, 0, "no reboot");
    // With the AP closed, names the router's DNS gives the device are no longer redirected.
    assert.equal(d.get("/", "greenhouse.fritz.box").status, 200);
  });

  it("reports a wrong password and a network that is not there", () => {
    const d = device({ air: [HOME] });
    post(d, { ssid: "Home", password: "typo-typo" });
    d.host.clock.run(d.radio.timing.wrongPasswordMs);
    assert.deepEqual(d.status().wifi.trial, { ssid: "Home", outcome: "wrong-password" });
    assert.equal(d.status().network.lastDisconnectReason, "wrong-password");
    post(d, { ssid: "Elsewhere", password: "whatever1" });
    d.host.clock.run(d.radio.timing.notFoundMs);
    assert.deepEqual(d.status().wifi.trial, { ssid: "Elsewhere", outcome: "not-found" });
    assert.ok(d.radio.accessPoint, "the portal stays open");
  });

  it("keeps the saved password when it is left out for the same SSID; a new SSID without one is open", () => {
    const d = device({ air: [HOME, { ssid: "Cafe", password: "", rssi: -70 }] });
    post(d, { ssid: "Home", password: "correct horse" });
    d.host.clock.run(5_000);
    post(d, { ssid: "Home" });
    assert.equal(d.iot.config.get("wifi_password"), "correct horse");
    post(d, { ssid: "Cafe" });
    assert.equal(d.iot.config.get("wifi_password"), "");
    d.host.clock.run(5_000);
    assert.equal(d.radio.joined, "Cafe");
  });

  it("saves a fallback network too", () => {
    const d = device({ air: [{ ssid: "Backup", password: "", rssi: -70 }] });
    post(d, { ssid: "Home", password: "correct horse", fallback_ssid: "Backup" });
    d.host.clock.runUntil(() => d.radio.joined === "Backup", 30_000, "joined the fallback");
    assert.equal(d.iot.config.get("wifi_fallback_ssid"), "Backup");
  });

  it("refuses what it cannot save, and saves nothing then", () => {
    const d = device();
    assert.equal(post(d, { ssid: "x".repeat(33) }).status, 400);
    assert.equal(post(d, { ssid: 42 }).status, 400);
    assert.equal(post(d, { password: "no ssid" }).status, 400);
    const notJson = request("POST", "/api/wifi", { body: "ssid=Home", headers: { host: "192.168.4.1", "content-type": "application/x-www-form-urlencoded" } });
    assert.equal(d.iot.handle(notJson).status, 415);
    assert.equal(d.iot.config.get("wifi_ssid"), "");
  });

  it("tries networks saved through the page's settings form and the config API too", () => {
    const d = device({ air: [HOME] });
    const form = formRequest("/config", "wifi_ssid=Home&wifi_password=correct+horse", "http://192.168.4.1");
    form.headers.host = "192.168.4.1";
    assert.equal(d.iot.handle(form).status, 303);
    d.host.clock.run(5_000);
    assert.equal(d.radio.joined, "Home");
    const api = jsonRequest("POST", "/api/config", { wifi_ssid: "" });
    api.headers.host = "192.168.1.23";
    assert.equal(d.iot.handle(api).status, 200);
    assert.equal(d.radio.joined, undefined, "forgetting the network leaves it");
    assert.equal(d.status().network.mode, "ap");
  });

  it("sends no password back, anywhere", () => {
    const d = device({ air: [HOME] });
    post(d, { ssid: "Home", password: "correct horse", fallback_ssid: "Backup", fallback_password: "fallback-secret" });
    d.host.clock.run(5_000);
    for (const path of ["/api/status", "/api/config", "/api/networks", "/", "/app.js"]) {
      assert.notMatch(bodyText(d.get(path)), /correct horse|fallback-secret/, path);
    }
    assert.notMatch(bodyText(post(d, { ssid: "Home" })), /correct horse/);
  });
});

describe("WiFi feature: boot with saved networks", () => {
  it("joins the saved network, never opens the AP or DNS, leaves other hosts alone", () => {
    const d = device({ air: [HOME], saved: { wifi_ssid: "Home", wifi_password: "correct horse" } });
    assert.equal(d.status().network.mode, "connecting");
    d.host.clock.run(5_000);
    d.host.clock.run(10 * 60_000);
    assert.equal(d.status().network.mode, "station");
    assert.deepEqual(d.udp.opened, []);
    assert.equal(d.radio.accessPoint, undefined);
    assert.equal(d.get("/", "greenhouse.lan").status, 200);
  });

  it("answers the OS probes on the station too, as GET-only paths: 302 to the page, OPTIONS, 405", () => {
    const d = device({ air: [HOME], saved: { wifi_ssid: "Home", wifi_password: "correct horse" } });
    d.host.clock.runUntil(() => d.status().network.mode === "station", 60_000, "joined");
    for (const path of PROBE_PATHS) {
      const res = d.get(path, "192.168.1.23");
      assert.equal(res.status, 302, path);
      assert.equal(res.headers?.location, "/");
      assert.equal(d.iot.handle(request("HEAD", path, { headers: { host: "192.168.1.23" } })).status, 302, `HEAD ${path}`);
    }
    const options = d.iot.handle(request("OPTIONS", "/generate_204", { headers: { host: "192.168.1.23" } }));
    assert.equal(options.status, 204);
    assert.equal(options.headers?.allow, "GET, HEAD");
    const posted = d.iot.handle(request("POST", "/hotspot-detect.html", { headers: { host: "192.168.1.23" } }));
    assert.equal(posted.status, 405);
    assert.equal(posted.headers?.allow, "GET, HEAD");
    assert.equal(d.get("/generate_204/x", "192.168.1.23").status, 404, "only the probe paths themselves");
  });

  it("a LAN client is not redirected while the AP is open alongside the station", () => {
    const d = device({ saved: { wifi_ssid: "Home", wifi_password: "correct horse" } });
    d.host.clock.run(WIFI_TIMING.portalAfterMs);
    d.radio.put(HOME);
    d.host.clock.runUntil(() => d.radio.joined === "Home", 60_000, "joined");
    assert.equal(d.status().network.mode, "ap+station");
    assert.equal(d.get("/", "greenhouse.lan", "192.168.1.77").status, 200, "from the router's network");
    assert.equal(d.get("/", "greenhouse.lan", "192.168.4.2").status, 302, "from the access point");
  });

  it("stop() leaves the network, closes the AP and DNS, and leaves no timer behind", () => {
    const d = device({ saved: { wifi_ssid: "Home", wifi_password: "correct horse" } });
    d.host.clock.run(WIFI_TIMING.portalAfterMs + 1_000);
    assert.ok(d.radio.accessPoint);
    d.iot.stop();
    assert.equal(d.radio.accessPoint, undefined);
    assert.deepEqual(d.udp.closed, [53]);
    d.radio.close();
    assert.equal(d.host.clock.pending, 0);
  });
});

describe("WiFi feature: access point password and page", () => {
  it("uses the maker's build-time password", () => {
    const d = device({ apPassword: "maker-secret-1" });
    assert.equal(d.radio.accessPoint?.password, "maker-secret-1");
    assert.notMatch(bodyText(d.get("/")), /maker-secret-1/);
  });

  it("refuses a maker password WPA2 would refuse, loudly, rather than open the AP", () => {
    const d = device({ apPassword: "short" });
    assert.equal(d.radio.accessPoint, undefined);
    assert.ok(d.host.lines.some((l) => l.level === "error" && /wifi.*8 to 63/.test(l.line)), "logged");
  });

  it("escapes a hostile saved SSID in the page and offers the scan and save controls", () => {
    const hostile = `<img src=x onerror=alert(1)>"'&`;
    const d = device({ saved: { wifi_ssid: hostile } });
    const page = bodyText(d.get("/?view=wifi", "localhost"));
    assert.notMatch(page, /<img src=x/);
    assert.match(page, /value="&lt;img src=x onerror=alert\(1\)&gt;&quot;&#39;&amp;"/);
    assert.match(page, /id="wifi-scan"/);
    assert.match(page, /id="wifi-form"/);
    assert.match(bodyText(d.get("/app.js", "localhost")), /\/api\/networks/);
  });

  it("puts the WiFi card first on the overview while setting up, on its own view once joined", async () => {
    const setup = bodyText(device().get("/"));
    assert.ok(setup.includes('id="wifi"') && setup.indexOf('id="wifi"') < setup.indexOf('id="status-title"'), "setup: WiFi card first on the overview");
    const d = device({ air: [HOME], saved: { wifi_ssid: "Home", wifi_password: "correct horse" } });
    await d.host.clock.advance(60_000);
    assert.equal(d.status().network.mode, "station");
    const joined = bodyText(d.get("/", "192.168.1.23"));
    assert.ok(!joined.includes('id="wifi"'), "joined: the WiFi card is on its own view only");
    assert.match(joined, /<a href="\/\?view=wifi">WiFi<\/a>/);
    assert.match(bodyText(d.get("/?view=wifi", "192.168.1.23")), /<td data-status="network.mode">station<\/td>/, "the mode, kept live by the page's script");
  });

  it("edits the WiFi keys in its card only, fallback included, never showing a password", () => {
    const d = device({ saved: { wifi_ssid: "Home", wifi_password: "pw-123456", wifi_fallback_ssid: "Cafe", wifi_fallback_password: "fb-123456" } });
    const page = bodyText(d.get("/?view=settings", "localhost")) + bodyText(d.get("/?view=wifi", "localhost"));
    assert.notMatch(page, /<legend[^>]*>WiFi<\/legend>/, "the settings form leaves the WiFi group to the card");
    assert.equal(page.split('name="wifi_ssid"').length, 2, "one SSID field on the page");
    assert.match(page, /id="wifi-fallback-ssid" name="wifi_fallback_ssid" value="Cafe"/);
    assert.match(page, /id="wifi-fallback-password" name="wifi_fallback_password" value="" [^>]*placeholder="saved \(leave empty to keep\)"/);
    assert.notMatch(page, /pw-123456|fb-123456/);
  });
});
