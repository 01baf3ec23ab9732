/*
 * The Radio contract: the promises modules/host/radio.ts makes, checked against every radio on
 * a clock the test moves: the unit tests' FakeRadio and the simulator's SimulatedRadio on a
 * VirtualClock, and the device's ModdableRadio over the SDK wifi and net stand-ins on XS
 * (tests/moddable/on-xs/radio.xs.ts), on the stand-in machine's clock.
 * Engine-neutral: describe/it globals and tests/support/assert.ts only.
 */

import type { Radio, RadioEvent, RadioNetwork } from "../../modules/host/radio";
import * as assert from "../support/assert";
import type { VirtualClock } from "../support/virtual-clock";

export interface RadioSubject {
  readonly radio: Radio;
  /** Moves time synchronously, delivering what falls due (a VirtualClock, the stand-in machine). */
  readonly clock: Pick<VirtualClock, "run">;
  /** Puts a network on the air (password "" for an open one). */
  put(network: { ssid: string; password: string; rssi: number; hidden?: boolean }): void;
  /** Takes a network off the air. */
  remove(ssid: string): void;
  /** Virtual time within which the radio reports any attempt, scan or loss. */
  readonly settleMs: number;
}

interface Recorder {
  events: RadioEvent[];
  types(): string[];
}

function record(radio: Radio): Recorder {
  const events: RadioEvent[] = [];
  radio.listen((event) => void events.push(event));
  return {
    events,
    types: () =>
      events.map((e) =>
        e.type === "disconnected" ? `disconnected:${e.reason}` : e.type === "ap-client" ? `ap-client:${e.joined}` : e.type,
      ),
  };
}

const IPV4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

export function radioContract(label: string, make: () => RadioSubject): void {
  describe(`Radio contract: ${label}`, () => {
    let s: RadioSubject;
    let rec: Recorder;

    beforeEach(() => {
      s = make();
      s.put({ ssid: "Home", password: "correct horse", rssi: -48 });
      s.put({ ssid: "Cafe", password: "", rssi: -70 });
      rec = record(s.radio);
    });

    afterEach(() => {
      s.radio.close();
    });

    it("reports a join as connected then got-ip with an IPv4 address, never from inside connect()", () => {
      s.radio.connect({ ssid: "Home", password: "correct horse" });
      assert.deepEqual(rec.types(), [], "no event during the call");
      s.clock.run(s.settleMs);
      assert.deepEqual(rec.types(), ["connected", "got-ip"]);
      const got = rec.events[1];
      assert.ok(got.type === "got-ip" && IPV4.test(got.ip), "got-ip carries an IPv4 address");
      const station = s.radio.station();
      assert.equal(station?.ssid, "Home");
      assert.equal(station?.ip, got.type === "got-ip" ? got.ip : "");
    });

    it("joins an open network with an empty password", () => {
      s.radio.connect({ ssid: "Cafe", password: "" });
      s.clock.run(s.settleMs);
      assert.deepEqual(rec.types(), ["connected", "got-ip"]);
    });

    it("reports a refused password as disconnected: wrong-password", () => {
      s.radio.connect({ ssid: "Home", password: "battery staple" });
      s.clock.run(s.settleMs);
      assert.equal(rec.types().at(-1), "disconnected:wrong-password");
      assert.equal(s.radio.station(), undefined);
    });

    it("reports an absent network as disconnected: not-found", () => {
      s.radio.connect({ ssid: "Nowhere", password: "whatever1" });
      s.clock.run(s.settleMs);
      assert.deepEqual(rec.types(), ["disconnected:not-found"]);
      assert.equal(s.radio.station(), undefined);
    });

    it("connect() during an attempt replaces it: only the new attempt reports", () => {
      s.radio.connect({ ssid: "Nowhere", password: "whatever1" });
      s.clock.run(10);
      s.radio.connect({ ssid: "Cafe", password: "" });
      s.clock.run(s.settleMs);
      assert.deepEqual(rec.types(), ["connected", "got-ip"]);
      assert.equal(s.radio.station()?.ssid, "Cafe");
    });

    it("connect() while joined moves to the new network without reporting the old one's end", () => {
      s.radio.connect({ ssid: "Home", password: "correct horse" });
      s.clock.run(s.settleMs);
      rec.events.length = 0;
      s.radio.connect({ ssid: "Cafe", password: "" });
      s.clock.run(s.settleMs);
      assert.deepEqual(rec.types(), ["connected", "got-ip"]);
      assert.equal(s.radio.station()?.ssid, "Cafe");
    });

    it("disconnect() is silent, during an attempt and once joined", () => {
      s.radio.connect({ ssid: "Home", password: "correct horse" });
      s.clock.run(10);
      s.radio.disconnect();
      s.clock.run(s.settleMs);
      assert.deepEqual(rec.types(), []);
      s.radio.connect({ ssid: "Home", password: "correct horse" });
      s.clock.run(s.settleMs);
      rec.events.length = 0;
      s.radio.disconnect();
      s.clock.run(s.settleMs);
      assert.deepEqual(rec.types(), []);
      assert.equal(s.radio.station(), undefined);
    });

    it("reports a network that goes away once, as disconnected: lost", () => {
      s.radio.connect({ ssid: "Home", password: "correct horse" });
      s.clock.run(s.settleMs);
      rec.events.length = 0;
      s.remove("Home");
      s.clock.run(s.settleMs * 2);
      assert.deepEqual(rec.types(), ["disconnected:lost"]);
      assert.equal(s.radio.station(), undefined);
    });

    it("scans: calls back once, later, with every network, secured or not", () => {
      s.put({ ssid: "", password: "x-hidden-1", rssi: -80, hidden: true });
      let calls = 0;
      let seen: readonly RadioNetwork[] = [];
      s.radio.scan((error, networks) => {
        calls++;
        assert.equal(error, undefined);
        seen = networks;
      });
      assert.equal(calls, 0, "not from inside scan()");
      s.clock.run(s.settleMs);
      assert.equal(calls, 1);
      const home = seen.find((n) => n.ssid === "Home");
      const cafe = seen.find((n) => n.ssid === "Cafe");
      assert.ok(home && home.secured && home.rssi === -48 && !home.hidden, "Home is listed, secured");
      assert.ok(cafe && !cafe.secured, "Cafe is listed, open");
      for (const n of seen) if (n.ssid === "") assert.ok(n.hidden, "a nameless network is marked hidden");
      s.clock.run(s.settleMs);
      assert.equal(calls, 1, "exactly once");
    });

    it("scan during an attempt calls back once, with a list or an error", () => {
      s.radio.connect({ ssid: "Home", password: "correct horse" });
      let calls = 0;
      s.radio.scan(() => void calls++);
      s.clock.run(s.settleMs);
      assert.equal(calls, 1);
    });

    it("opens the access point alongside the station without disturbing it", () => {
      s.radio.connect({ ssid: "Home", password: "correct horse" });
      s.clock.run(s.settleMs);
      rec.events.length = 0;
      const address = s.radio.openAccessPoint({ ssid: "Device-3F2A" });
      assert.match(address, IPV4);
      s.clock.run(s.settleMs);
      assert.equal(s.radio.station()?.ssid, "Home");
      s.radio.closeAccessPoint();
      s.clock.run(s.settleMs);
      assert.equal(s.radio.station()?.ssid, "Home");
      assert.deepEqual(rec.types(), []);
    });

    it("joins a network while the access point is open, and scans then", () => {
      s.radio.openAccessPoint({ ssid: "Device-3F2A", password: "a-long-password" });
      s.radio.connect({ ssid: "Cafe", password: "" });
      s.clock.run(s.settleMs);
      assert.deepEqual(rec.types(), ["connected", "got-ip"]);
      let seen = 0;
      s.radio.scan((error, networks) => void (seen = error ? -1 : networks.length));
      s.clock.run(s.settleMs);
      assert.ok(seen >= 2, "the scan lists the networks");
    });

    it("refuses an access point password WPA2 would refuse", () => {
      assert.throws(() => s.radio.openAccessPoint({ ssid: "Device-3F2A", password: "short" }));
    });

    it("refuses an SSID longer than 32 bytes", () => {
      assert.throws(() => s.radio.connect({ ssid: "x".repeat(33), password: "" }));
    });

    it("stops reporting once the listener is removed", () => {
      s.radio.listen(undefined);
      s.radio.connect({ ssid: "Home", password: "correct horse" });
      s.clock.run(s.settleMs);
      assert.deepEqual(rec.types(), []);
    });

    it("has a MAC address", () => {
      assert.match(s.radio.mac, /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i);
    });
  });
}
