/*
 * The Radio contract against the device's ModdableRadio (hosts/moddable/radio.ts) over the SDK
 * wifi and net stand-ins (ESP32's driver as xs6wifi.c drives it: five silent retries, sticky
 * disconnect reasons, the echo of a disconnect, scans refused while joining), on XS, on the
 * stand-in machine's clock. Then what only the device's radio must cope with.
 */

import { TimerClock } from "hosts/moddable/clock";
import { ModdableRadio } from "hosts/moddable/radio";
import Net from "net";
import type { RadioEvent } from "../../../modules/host/radio";
import { radioContract } from "../../contract/radio-contract";
import * as assert from "../../support/assert";
import { air, assertQuiet, machine, resetDevice } from "../standins/control";

function makeRadio(): ModdableRadio {
  return new ModdableRadio({ clock: new TimerClock(), mac: "24:0a:c4:12:3f:2a" });
}

radioContract("ModdableRadio over the wifi and net stand-ins", () => {
  resetDevice();
  return {
    radio: makeRadio(),
    clock: machine,
    put: (n) => air.put({ ssid: n.ssid, password: n.password, rssi: n.rssi, hidden: n.hidden }),
    remove: (ssid) => air.remove(ssid),
    // Six attempts of an absent network (a full channel scan each), and the drain after a stop.
    settleMs: 15_000,
  };
});

describe("ModdableRadio: what the ESP32 driver does to it", () => {
  let radio: ModdableRadio;
  let events: RadioEvent[];

  beforeEach(() => {
    resetDevice();
    radio = makeRadio();
    events = [];
    radio.listen((e) => void events.push(e));
  });

  afterEach(() => {
    radio.close();
    machine.run(5_000);
    assertQuiet();
  });

  it("starts the station at construction (mode 1) and opens the access point alongside (mode 3)", () => {
    machine.run(100);
    assert.equal(Net.get("IP", "ap"), undefined);
    const address = radio.openAccessPoint({ ssid: "Device-3F2A" });
    assert.equal(address, "192.168.4.1");
    assert.deepEqual(air.calls.slice(0, 2), ["init sta", "mode sta"]);
    assert.equal(air.mode, "apsta");
    radio.closeAccessPoint();
    assert.equal(air.mode, "sta");
  });

  it("reports a network lost after a join that needed a retry as lost, not as a wrong password", () => {
    // One 4-way handshake timeout, retried silently by the driver, then a good join: the SDK
    // keeps gDisconnectReason at -1 from then on, so the later loss arrives with -1 too.
    air.put({ ssid: "Flaky", password: "correct horse", rssi: -60, handshakeFailures: 1 });
    radio.connect({ ssid: "Flaky", password: "correct horse" });
    machine.run(10_000);
    assert.deepEqual(events.map((e) => e.type), ["connected", "got-ip"]);
    events.length = 0;
    air.remove("Flaky");
    machine.run(10_000);
    assert.deepEqual(events, [{ type: "disconnected", reason: "lost" }]);
  });

  it("reports a refused password after the driver's five retries, once", () => {
    air.put({ ssid: "Home", password: "correct horse", rssi: -50 });
    radio.connect({ ssid: "Home", password: "wrong one!" });
    machine.run(15_000);
    assert.deepEqual(events, [{ type: "disconnected", reason: "wrong-password" }]);
    assert.equal(air.calls.filter((c) => c === "connect Home").length, 6, "one attempt and five retries");
  });

  it("lists scan results strongest first without hidden networks, and refuses to scan while joining", () => {
    air.put({ ssid: "Weak", password: "", rssi: -85 });
    air.put({ ssid: "Strong", password: "x-secret-1", rssi: -40 });
    air.put({ ssid: "Hidden", password: "x-secret-2", rssi: -30, hidden: true });
    machine.run(100);
    let seen: string[] = [];
    radio.scan((error, networks) => void (seen = error ? [`error: ${error.message}`] : networks.map((n) => `${n.ssid} ${n.secured}`)));
    machine.run(5_000);
    assert.deepEqual(seen, ["Strong true", "Weak false"]);
    radio.connect({ ssid: "Strong", password: "x-secret-1" });
    let refused = "";
    radio.scan((error) => void (refused = error?.message ?? "no error"));
    machine.run(100);
    assert.match(refused, /scan request failed|joining/);
  });

  it("reports access point clients joining and leaving", () => {
    radio.openAccessPoint({ ssid: "Device-3F2A", password: "a-long-password" });
    machine.run(100);
    assert.ok(air.apClient("aa:bb:cc:00:00:01", true));
    machine.run(100);
    assert.ok(air.apClient("aa:bb:cc:00:00:01", false));
    machine.run(100);
    assert.deepEqual(events, [{ type: "ap-client", joined: true }, { type: "ap-client", joined: false }]);
  });
});
