/*
 * The WiFi policy under a virtual clock, against the device-like FakeRadio: minutes of outages
 * run in milliseconds. Covers boot with nothing configured, primary only, primary absent and
 * fallback present, both absent then the primary returns, wrong password, a connection lost and
 * regained, a router slower than the device after a power cut, hung attempts, settings saved
 * from the portal, and scans that never overlap an attempt. Runs on Node and on XS.
 */

import type { RadioEvent, StationOptions } from "../../modules/host/radio";
import { WIFI_TIMING, WifiPolicy, type WifiTiming } from "../../modules/wifi/wifi-policy";
import * as assert from "../support/assert";
import { FakeRadio, type AirNetwork } from "../support/fake-radio";
import { VirtualClock } from "../support/virtual-clock";

const HOME: StationOptions = Object.freeze({ ssid: "Home", password: "correct horse" });
const BACKUP: StationOptions = Object.freeze({ ssid: "Backup", password: "" });
const MINUTE = 60_000;

interface Rig {
  clock: VirtualClock;
  radio: FakeRadio;
  policy: WifiPolicy;
  /** Access point openings and closings, with the virtual time they happened. */
  ap: { open: boolean; at: number }[];
  /** connect() orders with their virtual time. */
  connects: { ssid: string; at: number }[];
}

function rig(options: { air?: AirNetwork[]; timing?: Partial<WifiTiming>; apPassword?: string } = {}): Rig {
  const clock = new VirtualClock();
  const radio = new FakeRadio(clock);
  for (const n of options.air ?? []) radio.put(n);
  const connects: { ssid: string; at: number }[] = [];
  const connect = radio.connect.bind(radio);
  radio.connect = (o: StationOptions) => {
    connects.push({ ssid: o.ssid, at: clock.now() });
    connect(o);
  };
  const ap: { open: boolean; at: number }[] = [];
  const policy = new WifiPolicy({
    radio,
    clock,
    accessPoint: { ssid: "Greenhouse-3F2A", password: options.apPassword },
    timing: options.timing,
    onAccessPoint: (open) => void ap.push({ open, at: clock.now() }),
  });
  return { clock, radio, policy, ap, connects };
}

function home(extra: Partial<AirNetwork> = {}): AirNetwork {
  return { ssid: "Home", password: "correct horse", rssi: -50, ip: "192.168.1.23", ...extra };
}

function backup(extra: Partial<AirNetwork> = {}): AirNetwork {
  return { ssid: "Backup", password: "", rssi: -70, ip: "10.0.0.7", ...extra };
}


/** Lets a test speak for the device's stack: events sent through it reach the policy's listener. */
function eventsInto(radio: { listen(listener: (e: RadioEvent) => void): void }): (e: RadioEvent) => void {
  let listener: ((e: RadioEvent) => void) | undefined;
  const listen = radio.listen.bind(radio);
  radio.listen = (l) => {
    listener = l;
    listen(l);
  };
  return (e) => listener?.(e);
}

describe("WiFi policy: boot", () => {
  it("with nothing configured opens the access point at once, and keeps it open", () => {
    const r = rig({ air: [home()] });
    r.policy.start([]);
    assert.equal(r.radio.accessPoint?.ssid, "Greenhouse-3F2A");
    assert.equal(r.radio.accessPoint?.password, "", "open: no universal default password");
    assert.deepEqual(r.policy.network(), { mode: "ap", ssid: "", ip: "192.168.4.1" });
    r.clock.run(60 * MINUTE);
    assert.equal(r.connects.length, 0, "nothing to join");
    assert.deepEqual(r.ap, [{ open: true, at: 0 }]);
    assert.deepEqual(r.radio.misuse, []);
  });

  it("with only the primary joins it, and the access point never opens", () => {
    const r = rig({ air: [home()] });
    r.policy.start([HOME, { ssid: "", password: "" }]);
    assert.equal(r.policy.network().mode, "connecting");
    assert.equal(r.policy.network().ssid, "Home");
    r.clock.run(5_000);
    assert.deepEqual(r.policy.network(), { mode: "station", ssid: "Home", ip: "192.168.1.23", rssi: -50 });
    r.clock.run(30 * MINUTE);
    assert.equal(r.ap.length, 0);
    assert.equal(r.connects.length, 1);
  });

  it("with the primary absent joins the fallback, before the portal's deadline", () => {
    const r = rig({ air: [backup()] });
    r.policy.start([HOME, BACKUP]);
    r.clock.runUntil(() => r.radio.joined !== undefined, 40_000, "a network joined");
    assert.deepEqual(
      r.connects.map((c) => c.ssid),
      ["Home", "Backup"],
    );
    const net = r.policy.network();
    assert.equal(net.mode, "station");
    assert.equal(net.ssid, "Backup");
    assert.equal(net.ip, "10.0.0.7");
    assert.equal(net.lastDisconnectReason, "not-found");
    r.clock.run(10 * MINUTE);
    assert.equal(r.ap.length, 0, "the access point stayed closed");
  });

  it("with both absent alternates with a growing, capped back-off; opens the AP at 45 s; joins when the primary returns", () => {
    const r = rig();
    r.policy.start([HOME, BACKUP]);
    r.clock.run(WIFI_TIMING.portalAfterMs - 1);
    assert.equal(r.ap.length, 0, "not before the deadline");
    r.clock.run(1);
    assert.deepEqual(r.ap, [{ open: true, at: WIFI_TIMING.portalAfterMs }]);
    assert.equal(r.policy.network().mode, "ap+station");
    r.clock.run(10 * MINUTE);
    const ssids = r.connects.map((c) => c.ssid);
    for (let i = 0; i < ssids.length; i++) assert.equal(ssids[i], i % 2 ? "Backup" : "Home", `attempt ${i} alternates`);
    // Between rounds the pause grows 5, 10, 20 s, then stays at 30 s: never gives up, never floods.
    const rounds = r.connects.filter((c) => c.ssid === "Home").map((c) => c.at);
    const gaps = rounds.slice(1).map((t, i) => t - rounds[i]);
    const perRound = 2 * r.radio.timing.notFoundMs + WIFI_TIMING.switchDelayMs;
    assert.deepEqual(gaps.slice(0, 4), [perRound + 5_000, perRound + 10_000, perRound + 20_000, perRound + 30_000]);
    for (const gap of gaps.slice(4)) assert.equal(gap, perRound + WIFI_TIMING.retryMaxMs);
    assert.equal(r.policy.network().lastDisconnectReason, "not-found");

    r.radio.put(home());
    const waited = r.clock.runUntil(() => r.radio.joined === "Home", 2 * MINUTE, "joined Home");
    assert.ok(waited <= WIFI_TIMING.retryMaxMs + 2 * r.radio.timing.notFoundMs + 5_000, `joined ${waited} ms after the router came back`);
    assert.equal(r.policy.network().mode, "ap+station", "the AP stays for the grace period");
    assert.ok((r.policy.details().accessPoint.closesInMs ?? 0) > 0);
    r.clock.run(WIFI_TIMING.apCloseGraceMs);
    assert.equal(r.radio.accessPoint, undefined, "then closes");
    assert.deepEqual(r.policy.network(), { mode: "station", ssid: "Home", ip: "192.168.1.23", rssi: -50, lastDisconnectReason: "not-found" });
    assert.deepEqual(r.radio.misuse, []);
  });
});

describe("WiFi policy: refusals and hangs", () => {
  it("a wrong password is reported, the fallback is tried, and the AP opens when neither answers", () => {
    const r = rig({ air: [home({ password: "another one" })] });
    r.policy.start([HOME, BACKUP]);
    r.clock.run(r.radio.timing.wrongPasswordMs);
    assert.equal(r.policy.network().lastDisconnectReason, "wrong-password");
    r.clock.run(WIFI_TIMING.portalAfterMs);
    assert.ok(r.radio.accessPoint, "the AP opened");
    assert.equal(r.policy.network().mode, "ap+station");
    assert.ok(r.connects.some((c) => c.ssid === "Backup"));
    // The password is fixed on the router's side: the device gets in on the next round.
    r.radio.put(home());
    r.clock.runUntil(() => r.radio.joined === "Home", 2 * MINUTE, "joined Home");
  });

  it("an attempt that never reports is abandoned after the time limit and the next one starts", () => {
    const r = rig({ air: [home({ hangs: true }), backup()] });
    r.policy.start([HOME, BACKUP]);
    r.clock.run(WIFI_TIMING.attemptTimeoutMs - 1);
    assert.equal(r.connects.length, 1);
    r.clock.run(1);
    assert.equal(r.policy.network().lastDisconnectReason, "timeout");
    assert.equal(r.radio.calls.at(-1), "disconnect", "the hung attempt was stopped");
    r.clock.runUntil(() => r.radio.joined === "Backup", 20_000, "joined Backup");
  });

  it("a connect() the radio refuses counts as a failure and is retried, never thrown", () => {
    const r = rig({ air: [home()] });
    let refuse = 2;
    const connect = r.radio.connect.bind(r.radio);
    r.radio.connect = (o) => {
      if (refuse-- > 0) throw new Error("esp_wifi_connect failed");
      connect(o);
    };
    r.policy.start([HOME]);
    assert.equal(r.policy.network().lastDisconnectReason, "unknown");
    r.clock.runUntil(() => r.radio.joined === "Home", MINUTE, "joined Home");
  });

  it("an access point that fails to open is retried", () => {
    const r = rig();
    let refuse = 1;
    const open = r.radio.openAccessPoint.bind(r.radio);
    r.radio.openAccessPoint = (o) => {
      if (refuse-- > 0) throw new Error("esp_wifi_start failed");
      return open(o);
    };
    r.policy.start([]);
    assert.equal(r.policy.network().mode, "offline");
    r.clock.run(WIFI_TIMING.retryMaxMs);
    assert.equal(r.policy.network().mode, "ap");
  });

  it("a maker's access point password is used", () => {
    const r = rig({ apPassword: "maker-set-secret" });
    r.policy.start([]);
    assert.equal(r.radio.accessPoint?.password, "maker-set-secret");
    assert.equal(r.policy.details().accessPoint.secured, true);
  });
});

describe("WiFi policy: connection lost", () => {
  it("a short outage is recovered on the same network without opening the AP", () => {
    const r = rig({ air: [home(), backup()] });
    r.policy.start([HOME, BACKUP]);
    r.clock.run(5_000);
    assert.equal(r.radio.joined, "Home");
    r.radio.remove("Home");
    r.clock.run(r.radio.timing.beaconLossMs);
    assert.equal(r.policy.network().lastDisconnectReason, "lost");
    assert.notEqual(r.policy.network().mode, "station");
    const lostAt = r.clock.now();
    r.clock.run(WIFI_TIMING.switchDelayMs);
    assert.deepEqual(r.connects.at(-1), { ssid: "Home", at: lostAt + WIFI_TIMING.switchDelayMs }, "the lost network is retried first");
    r.clock.run(5_000);
    r.radio.put(home());
    // Backup answers first on the way (it is on the air); either way the device is back on a network.
    r.clock.runUntil(() => r.radio.joined !== undefined, 30_000, "back on a network");
    assert.equal(r.ap.length, 0);
  });

  it("a long outage opens the AP 45 s after the loss, keeps retrying, and closes it after the return", () => {
    const r = rig({ air: [home()] });
    r.policy.start([HOME]);
    r.clock.run(5_000);
    r.radio.remove("Home");
    r.clock.run(r.radio.timing.beaconLossMs);
    const lostAt = r.clock.now();
    r.clock.runUntil(() => r.radio.accessPoint !== undefined, MINUTE, "the AP open");
    assert.equal(r.ap[0].at - lostAt, WIFI_TIMING.portalAfterMs);
    const before = r.connects.length;
    r.clock.run(5 * MINUTE);
    assert.ok(r.connects.length >= before + 8, "still retrying with the AP open");
    r.radio.put(home());
    r.clock.runUntil(() => r.radio.joined === "Home", MINUTE, "rejoined");
    r.clock.run(WIFI_TIMING.apCloseGraceMs);
    assert.equal(r.radio.accessPoint, undefined);
    assert.equal(r.policy.network().mode, "station");
  });

  it("a loss during the AP's grace period keeps the AP open", () => {
    const r = rig();
    r.policy.start([HOME]);
    r.clock.run(WIFI_TIMING.portalAfterMs);
    r.radio.put(home());
    r.clock.runUntil(() => r.radio.joined === "Home", MINUTE, "joined");
    r.radio.remove("Home");
    r.clock.run(WIFI_TIMING.apCloseGraceMs + 1_000);
    assert.ok(r.radio.accessPoint, "still open: nobody would otherwise reach the device");
    assert.equal(r.policy.network().mode, "ap+station");
  });
});

describe("WiFi policy: power cut, router slower than the device", () => {
  for (const routerBootMs of [20_000, 90_000, 4 * MINUTE, 17 * MINUTE]) {
    it(`ends on the router, AP closed, unattended (router up after ${routerBootMs / 1000} s)`, () => {
      const r = rig();
      r.policy.start([HOME]);
      r.clock.run(routerBootMs);
      r.radio.put(home());
      const waited = r.clock.runUntil(() => r.radio.joined === "Home", 2 * MINUTE, "joined the router");
      assert.ok(waited <= WIFI_TIMING.retryMaxMs + r.radio.timing.notFoundMs + 5_000, `joined ${waited} ms after the router`);
      r.clock.run(WIFI_TIMING.apCloseGraceMs);
      assert.equal(r.radio.accessPoint, undefined);
      assert.equal(r.policy.network().mode, "station");
      assert.deepEqual(r.radio.misuse, []);
    });
  }
});

describe("WiFi policy: settings saved from the portal", () => {
  it("tries the new network at once, reports connected with the new address, closes the AP after the grace", () => {
    const r = rig({ air: [home()] });
    r.policy.start([]);
    r.clock.run(MINUTE);
    r.policy.reconfigure([HOME], { trial: true });
    assert.deepEqual(r.policy.details().trial, { ssid: "Home", outcome: "trying" });
    assert.equal(r.policy.network().mode, "ap+station");
    r.clock.run(5_000);
    assert.deepEqual(r.policy.details().trial, { ssid: "Home", outcome: "connected", ip: "192.168.1.23" });
    assert.ok(r.radio.accessPoint, "open during the grace period");
    r.clock.run(WIFI_TIMING.apCloseGraceMs);
    assert.equal(r.radio.accessPoint, undefined);
    assert.equal(r.policy.network().mode, "station");
  });

  it("reports a wrong password, keeps the AP open and keeps retrying", () => {
    const r = rig({ air: [home()] });
    r.policy.start([]);
    r.policy.reconfigure([{ ssid: "Home", password: "typo" }], { trial: true });
    r.clock.run(r.radio.timing.wrongPasswordMs);
    assert.deepEqual(r.policy.details().trial, { ssid: "Home", outcome: "wrong-password" });
    r.clock.run(5 * MINUTE);
    assert.ok(r.radio.accessPoint);
    assert.ok(r.connects.length > 3);
    assert.equal(r.policy.network().mode, "ap+station");
  });

  it("reports a network that is not there", () => {
    const r = rig();
    r.policy.start([]);
    r.policy.reconfigure([{ ssid: "Elsewhere", password: "whatever1" }], { trial: true });
    r.clock.run(r.radio.timing.notFoundMs);
    assert.deepEqual(r.policy.details().trial, { ssid: "Elsewhere", outcome: "not-found" });
  });

  it("new settings while online move to the new network; the same settings keep the connection", () => {
    const r = rig({ air: [home(), backup()] });
    r.policy.start([HOME]);
    r.clock.run(5_000);
    r.policy.reconfigure([HOME], { trial: true });
    assert.deepEqual(r.policy.details().trial, { ssid: "Home", outcome: "connected", ip: "192.168.1.23" });
    assert.equal(r.connects.length, 1, "no reconnect for unchanged settings");
    r.policy.reconfigure([BACKUP, HOME], { trial: true });
    r.clock.run(5_000);
    assert.equal(r.radio.joined, "Backup");
    assert.deepEqual(r.policy.details().trial, { ssid: "Backup", outcome: "connected", ip: "10.0.0.7" });
  });

  it("forgetting every network leaves the station and opens the AP at once", () => {
    const r = rig({ air: [home()] });
    r.policy.start([HOME]);
    r.clock.run(5_000);
    r.policy.reconfigure([]);
    assert.equal(r.radio.joined, undefined);
    assert.ok(r.radio.accessPoint);
    assert.equal(r.policy.network().mode, "ap");
    r.clock.run(10 * MINUTE);
    assert.equal(r.connects.length, 1);
  });
});

describe("WiFi policy: scans", () => {
  it("a scan asked for during an attempt runs after it, never alongside", () => {
    const r = rig({ air: [home(), backup()] });
    r.policy.start([HOME]);
    let result: string[] | undefined;
    r.policy.scan((error, networks) => {
      assert.equal(error, undefined);
      result = networks.map((n) => n.ssid);
    });
    assert.ok(r.policy.scanning === false, "waits for the attempt");
    r.clock.run(10_000);
    assert.deepEqual(result, ["Home", "Backup"]);
    assert.deepEqual(r.radio.misuse, []);
  });

  it("an attempt that falls due during a scan waits for the scan", () => {
    const r = rig({ timing: { switchDelayMs: 100, retryBaseMs: 100 } });
    r.policy.start([HOME]);
    r.clock.run(r.radio.timing.notFoundMs);
    let done = 0;
    r.policy.scan(() => void done++);
    r.clock.run(r.radio.timing.scanMs + 100);
    assert.equal(done, 1);
    r.clock.run(MINUTE);
    assert.deepEqual(r.radio.misuse, []);
  });

  it("scans with nothing configured, while the AP is open", () => {
    const r = rig({ air: [home()] });
    r.policy.start([]);
    let count = -1;
    r.policy.scan((_e, list) => void (count = list.length));
    r.clock.run(r.radio.timing.scanMs);
    assert.equal(count, 1);
  });

  it("a scan that never reports is given up, and the next attempt still runs", () => {
    const r = rig({ air: [home()] });
    r.radio.scan = () => undefined;
    r.policy.start([]);
    let error: Error | undefined;
    r.policy.scan((e) => void (error = e));
    r.clock.run(WIFI_TIMING.scanTimeoutMs);
    assert.match(error?.message ?? "", /did not finish/);
    r.policy.reconfigure([HOME]);
    r.clock.run(5_000);
    assert.equal(r.radio.joined, "Home");
  });
});

describe("WiFi policy: stop", () => {
  it("clears every timer, leaves the network and closes the AP", () => {
    const r = rig();
    r.policy.start([HOME]);
    r.clock.run(WIFI_TIMING.portalAfterMs + 3_000);
    assert.ok(r.radio.accessPoint);
    r.policy.stop();
    assert.equal(r.radio.accessPoint, undefined);
    assert.equal(r.policy.network().mode, "offline");
    r.radio.close();
    assert.equal(r.clock.pending, 0);
  });

  it("ignores events that belong to an abandoned attempt", () => {
    const r = rig({ air: [home({ hangs: true })] });
    const emit = eventsInto(r.radio);
    r.policy.start([HOME]);
    r.clock.run(WIFI_TIMING.attemptTimeoutMs);
    assert.equal(r.policy.network().lastDisconnectReason, "timeout");
    const next = r.policy.details().nextAttemptInMs;
    // Late words from the device's stack about the attempt it was told to drop.
    emit({ type: "disconnected", reason: "not-found" });
    emit({ type: "got-ip", ip: "192.168.1.99" });
    assert.equal(r.policy.network().lastDisconnectReason, "timeout");
    assert.equal(r.policy.network().mode, "connecting");
    assert.equal(r.policy.details().nextAttemptInMs, next, "the schedule is unchanged");
    assert.equal(r.connects.length, 1);
  });

  it("follows a new address handed out while online (DHCP renewal)", () => {
    const r = rig({ air: [home()] });
    const emit = eventsInto(r.radio);
    r.policy.start([HOME]);
    r.clock.run(60_000);
    assert.equal(r.policy.network().mode, "station");
    const before = r.policy.network().ip;
    emit({ type: "got-ip", ip: "192.168.1.77" });
    assert.notEqual(before, "192.168.1.77");
    assert.equal(r.policy.network().ip, "192.168.1.77");
    assert.equal(r.policy.stationIp, "192.168.1.77");
  });

  it("counts access point clients", () => {
    const r = rig();
    r.policy.start([]);
    r.radio.apClient(true);
    r.radio.apClient(true);
    r.radio.apClient(false);
    r.clock.run(1);
    assert.equal(r.policy.details().accessPoint.clients, 1);
  });
});
