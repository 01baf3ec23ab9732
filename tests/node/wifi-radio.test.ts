/*
 * The simulator's radio: the Radio contract on a virtual clock (the same suite the unit tests'
 * FakeRadio passes), then what only it does: reading the networks file, following its changes
 * (a router that leaves, comes back, changes its password), and keeping the last good list when
 * the file is broken. The device's radio (hosts/moddable/radio.ts) cannot run here: it needs an
 * ESP32's WiFi stack; it is written to the same contract.
 */

import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import type { RadioEvent } from "../../modules/host/radio";
import { NodeClock } from "../../hosts/node/clock";
import { parseNetworks, SimulatedRadio, type SimulatedNetwork } from "../../hosts/node/radio";
import { radioContract } from "../contract/radio-contract";
import { VirtualClock } from "../support/virtual-clock";

radioContract("SimulatedRadio (simulator)", () => {
  const clock = new VirtualClock();
  const radio = new SimulatedRadio({ clock, mac: "02:11:22:33:44:55" });
  return {
    radio,
    clock,
    put: (n) => radio.setNetworks([...radio.networks.filter((m) => m.ssid !== n.ssid), n]),
    remove: (ssid) => radio.setNetworks(radio.networks.filter((m) => m.ssid !== ssid)),
    settleMs: 5_000,
  };
});

describe("SimulatedRadio: the networks file", () => {
  const dirs: string[] = [];
  const radios: SimulatedRadio[] = [];
  const clocks: NodeClock[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  afterEach(() => {
    radios.splice(0).forEach((r) => r.close());
    clocks.splice(0).forEach((c) => c.shutdown());
  });

  function setup(networks: SimulatedNetwork[] | string | undefined) {
    const dir = mkdtempSync(join(tmpdir(), "iot-radio-"));
    dirs.push(dir);
    const file = join(dir, "networks.json");
    const write = (value: SimulatedNetwork[] | string) =>
      writeFileSync(file, typeof value === "string" ? value : JSON.stringify({ networks: value }));
    if (networks !== undefined) write(networks);
    const lines: string[] = [];
    const clock = new NodeClock();
    const radio = new SimulatedRadio({
      clock,
      mac: "02:11:22:33:44:55",
      networksFile: file,
      watchIntervalMs: 20,
      timing: { associateMs: 20, dhcpMs: 10, wrongPasswordMs: 40, notFoundMs: 60, beaconLossMs: 50, scanMs: 20 },
      log: (_level, line) => void lines.push(line),
    });
    radios.push(radio);
    clocks.push(clock);
    const events: RadioEvent[] = [];
    radio.listen((e) => void events.push(e));
    return { file, write, radio, events, lines };
  }

  async function until(condition: () => boolean, what: string, ms = 3_000): Promise<void> {
    const end = Date.now() + ms;
    while (!condition()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await delay(10);
    }
  }

  const HOME: SimulatedNetwork = { ssid: "Home", password: "correct horse", rssi: -50, ip: "192.168.7.20" };

  it("reads the file at start: the networks in it can be joined and scanned", async () => {
    const s = setup([HOME, { ssid: "Cafe", password: "", rssi: -70 }]);
    assert.deepEqual(s.radio.networks.map((n) => n.ssid), ["Home", "Cafe"]);
    s.radio.connect({ ssid: "Home", password: "correct horse" });
    await until(() => s.radio.station() !== undefined, "joined");
    assert.deepEqual(s.radio.station(), { ssid: "Home", ip: "192.168.7.20", rssi: -50 });
  });

  it("follows the file: the router leaves (lost), comes back, changes its password (lost)", async () => {
    const s = setup([HOME]);
    s.radio.connect({ ssid: "Home", password: "correct horse" });
    await until(() => s.radio.station() !== undefined, "joined");
    s.write([]);
    await until(() => s.events.some((e) => e.type === "disconnected"), "lost");
    assert.deepEqual(s.events.at(-1), { type: "disconnected", reason: "lost" });
    s.write([HOME]);
    await until(() => s.radio.networks.length === 1, "back on the air");
    s.radio.connect({ ssid: "Home", password: "correct horse" });
    await until(() => s.radio.station() !== undefined, "rejoined");
    s.events.length = 0;
    s.write([{ ...HOME, password: "a new password" }]);
    await until(() => s.events.length > 0, "lost after the password change");
    assert.deepEqual(s.events, [{ type: "disconnected", reason: "lost" }]);
    s.radio.connect({ ssid: "Home", password: "correct horse" });
    await until(() => s.events.length > 1, "refused");
    assert.deepEqual(s.events.at(-1), { type: "disconnected", reason: "wrong-password" });
  });

  it("starts with an empty air when the file is missing, and picks it up once written", async () => {
    const s = setup(undefined);
    assert.deepEqual(s.radio.networks, []);
    assert.ok(s.lines.some((l) => /missing/.test(l)));
    s.write([HOME]);
    await until(() => s.radio.networks.length === 1, "the new file read");
  });

  it("keeps the previous networks when the file is broken, and says so once", async () => {
    const s = setup([HOME]);
    s.write("{ not json");
    await until(() => s.lines.some((l) => /cannot be used/.test(l)), "the warning");
    assert.deepEqual(s.radio.networks.map((n) => n.ssid), ["Home"]);
    s.write("{ still not json }");
    await delay(100);
    assert.equal(s.lines.filter((l) => /cannot be used/.test(l)).length, 1);
  });

  it("validates the document", () => {
    assert.deepEqual(parseNetworks('[{"ssid":"A"}]'), [{ ssid: "A", password: "", rssi: -60, hidden: false, channel: 6 }]);
    assert.throws(() => parseNetworks('{"nets": []}'), /array of networks/);
    assert.throws(() => parseNetworks('[{"ssid": 5}]'), /ssid/);
    assert.throws(() => parseNetworks(`[{"ssid": "${"x".repeat(33)}"}]`), /32 bytes/);
    assert.throws(() => parseNetworks('[{"ssid": "A", "rssi": "loud"}]'), /rssi/);
    assert.throws(() => parseNetworks('[{"ssid": "A", "ip": "nope"}]'), /ip/);
  });
});
