/*
 * The simulated device's WiFi, black box, over real HTTP and real DNS (UDP, Node's resolver):
 * - `npm start -- --networks FILE --dns-port N` as its own process: with nothing saved it is a
 *   captive portal (every name resolves to the AP, every probe and foreign Host gets a 302,
 *   the device's own names get the page) and lists the networks of the file;
 * - an app with the policy's waits shortened, in-process: settings saved from the portal are
 *   tried without a reboot (connected with the new address, wrong password, not found), the
 *   AP and its DNS close after success, and changes to the networks file are followed (the
 *   router leaves: the portal comes back; it returns: the device rejoins and closes it).
 */

import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startSimulator, type Simulator } from "../../hosts/node/simulator";
import { PROBE_PATHS } from "../../modules/wifi/captive-portal";
import { startSimulatorProcess, type SimulatorProcess } from "../support/simulator-process";
import { freeUdpPort, getJson, http, resolverFor, until } from "../support/wifi-http";

interface AirNetwork {
  ssid: string;
  password: string;
  rssi: number;
  ip?: string;
  hidden?: boolean;
}

const HOME: AirNetwork = { ssid: "Home", password: "correct horse", rssi: -48, ip: "192.168.1.23" };
const CAFE: AirNetwork = { ssid: "Cafe", password: "", rssi: -71 };

function writeAir(file: string, networks: AirNetwork[]): void {
  writeFileSync(file, JSON.stringify({ networks }, null, 2));
}

describe("simulator WiFi: captive portal (npm start --networks --dns-port)", function () {
  this.timeout(60_000);
  let sim: SimulatorProcess;
  let dir: string;
  let dnsPort: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "iot-wifi-"));
    const file = join(dir, "networks.json");
    writeAir(file, [
      CAFE,
      HOME,
      { ssid: "Home", password: "correct horse", rssi: -80 },
      { ssid: "", password: "hidden-pass", rssi: -30, hidden: true },
    ]);
    dnsPort = await freeUdpPort();
    sim = await startSimulatorProcess({ args: ["--networks", file, "--dns-port", String(dnsPort)] });
  });
  after(async () => {
    await sim?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("boots with nothing saved into access point mode, named after the app and the MAC", async () => {
    const status = await getJson(sim.url, "/api/status");
    assert.deepEqual(status.network, { mode: "ap", ssid: "", ip: "192.168.4.1", apIp: "192.168.4.1", configured: false });
    assert.match(status.wifi.accessPoint.ssid, /^IoT-Demo-Controller-[0-9A-F]{4}$/);
    assert.equal(status.wifi.accessPoint.secured, false);
    assert.ok(sim.output.some((l) => /portal DNS answers every name with 192\.168\.4\.1/.test(l)), "DNS started");
  });

  it("its DNS answers every A question with the AP address", async () => {
    const resolver = resolverFor(dnsPort);
    for (const name of ["connectivitycheck.gstatic.com", "clients3.google.com", "captive.apple.com", "www.msftconnecttest.com", "detectportal.firefox.com", "example.org"]) {
      assert.deepEqual(await resolver.resolve4(name), ["192.168.4.1"], name);
    }
  });

  it("answers every OS probe with a 302 to the portal, never 204 or Success", async () => {
    const probes: [string, string][] = [
      ["connectivitycheck.gstatic.com", "/generate_204"],
      ["clients1.google.com", "/gen_204"],
      ["captive.apple.com", "/hotspot-detect.html"],
      ["www.apple.com", "/library/test/success.html"],
      ["www.msftconnecttest.com", "/connecttest.txt"],
      ["www.msftncsi.com", "/ncsi.txt"],
      ["www.msftconnecttest.com", "/redirect"],
      ["detectportal.firefox.com", "/success.txt"],
      ["detectportal.firefox.com", "/canonical.html"],
    ];
    for (const [host, path] of probes) {
      assert.ok(PROBE_PATHS.includes(path));
      for (const asHost of [host, "192.168.4.1"]) {
        const reply = await http(sim.url, "GET", path, { host: asHost });
        assert.equal(reply.status, 302, `${asHost}${path}`);
        assert.equal(reply.headers.location, "http://192.168.4.1/");
        assert.doesNotMatch(reply.body, /success/i);
      }
    }
  });

  it("redirects any other Host, serves the device's own names", async () => {
    for (const host of ["example.com", "neverssl.com", "10.1.2.3"]) {
      const reply = await http(sim.url, "GET", "/some/page?x=1", { host });
      assert.equal(reply.status, 302, host);
      assert.equal(reply.headers.location, "http://192.168.4.1/");
    }
    const status = await getJson(sim.url, "/api/status");
    for (const host of ["192.168.4.1", `${status.hostname}.local`, new URL(sim.url).host]) {
      const reply = await http(sim.url, "GET", "/", { host });
      assert.equal(reply.status, 200, host);
      assert.match(reply.body, /id="wifi-form"/);
    }
  });

  it("GET /api/networks lists the file's networks: strongest first, once each, hidden left out", async () => {
    const list = await until(async () => {
      const r = await getJson(sim.url, "/api/networks");
      return r.scanning ? undefined : r;
    }, "a finished scan");
    assert.deepEqual(list.networks, [
      { ssid: "Home", rssi: -48, secured: true },
      { ssid: "Cafe", rssi: -71, secured: false },
    ]);
  });
});

describe("simulator WiFi: saving, recovery and the networks file (fast app, in-process)", function () {
  this.timeout(60_000);
  let sim: Simulator;
  let dir: string;
  let file: string;
  let dnsPort: number;
  const lines: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "iot-wifi-fast-"));
    file = join(dir, "networks.json");
    writeAir(file, [CAFE]);
    dnsPort = await freeUdpPort();
    sim = await startSimulator({
      port: 0,
      stateDir: join(dir, "state"),
      app: resolve(import.meta.dirname, "../fixtures/wifi-app.ts"),
      networksFile: file,
      dnsPort,
      logSink: (_level, line) => void lines.push(line),
    });
  });
  after(async () => {
    await sim?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const status = () => getJson(sim.url, "/api/status");
  const save = (json: unknown) => http(sim.url, "POST", "/api/wifi", { host: "192.168.4.1", json });
  const trial = async (ssid: string) => {
    const st = await status();
    return st.wifi.trial?.ssid === ssid && st.wifi.trial.outcome !== "trying" ? st : undefined;
  };

  it("reports a network that is not there, then a wrong password; the portal stays open", async () => {
    let reply = await save({ ssid: "Home", password: "correct horse" });
    assert.equal(reply.status, 202);
    let st = await until(() => trial("Home"), "the outcome");
    assert.deepEqual(st.wifi.trial, { ssid: "Home", outcome: "not-found" });
    assert.equal(st.network.mode, "ap+station");

    writeAir(file, [CAFE, HOME]);
    await until(() => lines.some((l) => /networks on the air: "Cafe", "Home"/.test(l)), "the file re-read");
    reply = await save({ ssid: "Home", password: "battery staple" });
    assert.equal(reply.status, 202);
    st = await until(() => trial("Home"), "the outcome");
    assert.deepEqual(st.wifi.trial, { ssid: "Home", outcome: "wrong-password" });
    assert.equal(st.network.lastDisconnectReason, "wrong-password");
    assert.deepEqual(await resolverFor(dnsPort).resolve4("example.com"), ["192.168.4.1"], "the portal DNS still answers");
  });

  it("connects without a reboot, shows the new address, then closes the AP and its DNS", async () => {
    const reply = await save({ ssid: "Home", password: "correct horse" });
    assert.equal(reply.status, 202);
    const st = await until(() => trial("Home"), "the outcome");
    assert.deepEqual(st.wifi.trial, { ssid: "Home", outcome: "connected", ip: "192.168.1.23" });
    assert.equal(st.network.mode, "ap+station");
    assert.ok(st.wifi.accessPoint.closesInMs > 0);
    await until(async () => (await status()).network.mode === "station", "the AP closed");
    const after = await status();
    assert.deepEqual(after.network, { mode: "station", ssid: "Home", ip: "192.168.1.23", rssi: -48, lastDisconnectReason: "wrong-password", configured: true });
    assert.equal(sim.boots, 1, "no reboot");
    // Closed, not silent: the port refuses (a resolver timing out would mean it still listens).
    await assert.rejects(resolverFor(dnsPort).resolve4("example.com"), (e: NodeJS.ErrnoException) => e.code === "ECONNREFUSED");
    // Off the portal, a name the router's DNS gave the device is served, not redirected.
    assert.equal((await http(sim.url, "GET", "/", { host: "greenhouse.fritz.box" })).status, 200);
    assert.doesNotMatch(JSON.stringify(after), /correct horse|battery staple/);
  });

  it("follows the networks file: the router leaves, the portal opens, the router returns, the device rejoins", async () => {
    writeAir(file, [CAFE]);
    // Lost, then the retries find nothing: either reason may be the latest by the time we look.
    const lost = await until(async () => {
      const st = await status();
      return st.network.mode !== "station" ? st : undefined;
    }, "the loss noticed");
    assert.match(lost.network.lastDisconnectReason, /^(lost|not-found)$/);
    await until(async () => (await status()).network.mode === "ap+station", "the AP open again");
    assert.deepEqual(await resolverFor(dnsPort).resolve4("captive.apple.com"), ["192.168.4.1"]);
    assert.equal((await http(sim.url, "GET", "/hotspot-detect.html", { host: "captive.apple.com" })).status, 302);

    writeAir(file, [CAFE, HOME]);
    await until(async () => (await status()).network.mode === "station", "rejoined, AP closed", 20_000);
    const back = await status();
    assert.equal(back.network.ssid, "Home");
    assert.equal(back.wifi.accessPoint.open, false);
    assert.equal(sim.boots, 1);
  });

  it("keeps the saved network across a reboot and joins it at boot", async () => {
    await sim.restart();
    await until(async () => (await status()).network.mode === "station", "joined after the reboot");
    assert.equal(sim.boots, 2);
    const st = await status();
    assert.equal(st.network.ssid, "Home");
    assert.equal(st.wifi.accessPoint.open, false);
  });
});
