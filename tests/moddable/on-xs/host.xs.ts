/*
 * The device host's smaller parts on XS, over the stand-ins: the Host createModdableHost(Preference)
 * builds for esp32, its System (eFuse MAC, instrumentation, hardware RNG, restart), its Network
 * (what Net reports per mode), its Clock across Time.ticks' 32-bit wrap, its native SHA-256
 * (crypt's Digest) and text codec.
 */

import { TimerClock } from "hosts/moddable/clock";
import { moddableSha256 } from "hosts/moddable/digest";
import { createModdableHost } from "hosts/moddable/host";
import Preference from "preference";
import { NetNetwork } from "hosts/moddable/network";
import { ModdableSystem } from "hosts/moddable/system";
import { MODDABLE_TEXT_CODEC } from "hosts/moddable/text-codec";
import WiFi from "wifi";
import { sha256, toHex } from "../../../modules/crypto/sha256";
import * as assert from "../../support/assert";
import { air, assertQuiet, chip, configOverrides, digests, instruments, machine, resetDevice } from "../standins/control";

describe("Moddable host on XS: host, system, network, clock, digest, text", () => {
  beforeEach(() => resetDevice({ format: true }));
  afterEach(() => assertQuiet());

  it("builds the esp32 host: radio and updater present, port 80 unless the build says otherwise", () => {
    const host = createModdableHost(Preference);
    assert.ok(host.radio, "a radio on esp32");
    assert.ok(host.updater, "an updater on esp32");
    assert.equal(host.ports?.http, 80);
    host.radio.close();
    resetDevice();
    configOverrides.http_port = "8080";
    assert.equal(createModdableHost(Preference).ports?.http, 8080, "a command-line value arrives as a string");
    configOverrides.http_port = "80000";
    assert.equal(createModdableHost(Preference).ports?.http, 80, "an impossible port falls back to 80");
  });

  it("System: the eFuse MAC in lower case before Wi-Fi starts, free memory, RNG, restart", () => {
    const system = new ModdableSystem(Preference);
    assert.equal(system.info().mac, "24:0a:c4:12:3f:2a");
    assert.equal(system.info().platform, "esp32");
    instruments.values.set("System Free Memory", 91_000);
    assert.equal(system.info().freeMemory, 91_000);
    instruments.values.set("System Free Memory", 0);
    assert.equal(system.info().freeMemory, undefined, "0 means not measured");
    const a = system.randomBytes(16);
    const b = system.randomBytes(16);
    assert.equal(a.length, 16);
    assert.notEqual(toHex(a), toHex(b));
    system.restart();
    assert.equal(chip.restarts, 1);
  });

  it("System: falls back to Net's station MAC when eFuse cannot be read, and to a made-up one kept in flash", () => {
    chip.macReadError = 0x102;
    WiFi.mode = 1;
    assert.equal(new ModdableSystem(Preference).info().mac, "24:0a:c4:12:3f:2a", "Net.get(\"MAC\", \"station\"), lower-cased");
    resetDevice();
    chip.macReadError = 0x102;
    const madeUp = new ModdableSystem(Preference).info().mac;
    assert.match(madeUp, /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    assert.equal(parseInt(madeUp.slice(0, 2), 16) & 0x03, 0x02, "locally administered, unicast");
    resetDevice();
    chip.macReadError = 0x102;
    assert.equal(new ModdableSystem(Preference).info().mac, madeUp, "the same after a reboot");
  });

  it("System: a release build without instrumentation has no free-memory figure", () => {
    instruments.release = true;
    assert.equal(new ModdableSystem(Preference).info().freeMemory, undefined);
  });

  it("Network: offline, connecting, station, ap+station and ap, as Net reports them", () => {
    const network = new NetNetwork();
    assert.deepEqual(network.status(), { mode: "offline", ssid: "", ip: "" });
    air.put({ ssid: "Home", password: "", rssi: -55, ip: "192.168.1.77" });
    WiFi.mode = 1;
    WiFi.connect({ ssid: "Home" });
    machine.run(1_600);
    assert.deepEqual(network.status(), { mode: "connecting", ssid: "Home", ip: "" });
    machine.run(1_000);
    assert.deepEqual(network.status(), { mode: "station", ssid: "Home", ip: "192.168.1.77", rssi: -55 });
    WiFi.accessPoint({ ssid: "Device", station: true });
    assert.deepEqual(network.status(), { mode: "ap+station", ssid: "Home", ip: "192.168.1.77", rssi: -55 });
    WiFi.disconnect();
    WiFi.mode = 2;
    machine.run(100);
    assert.deepEqual(network.status(), { mode: "ap", ssid: "", ip: "192.168.4.1" });
  });

  it("Clock: now() keeps counting across Time.ticks' wrap from 2^31 - 1 to -2^31", () => {
    resetDevice({ ticksAtBoot: 2 ** 31 - 1_000 });
    const clock = new TimerClock();
    let fired = 0;
    clock.set(() => void fired++, 1_500);
    machine.run(600);
    assert.equal(clock.now(), 600);
    machine.run(900);
    assert.equal(clock.now(), 1_500, "across the wrap");
    assert.equal(fired, 1);
    const repeat = clock.set(() => void fired++, 10, 10);
    machine.run(35);
    clock.clear(repeat);
    clock.clear(repeat);
    clock.clear(undefined);
    machine.run(100);
    assert.equal(fired, 4);
  });

  it("SHA-256: crypt's Digest over exactly the view's bytes; refuses use after digest()", () => {
    const buffer = new Uint8Array(300);
    for (let i = 0; i < buffer.length; i++) buffer[i] = (i * 7) & 0xff;
    const view = buffer.subarray(17, 250);
    const hasher = moddableSha256();
    hasher.update(view.subarray(0, 100)).update(view.subarray(100));
    assert.equal(toHex(hasher.digest()), toHex(sha256(view.slice())));
    assert.throws(() => hasher.update(view), /update after digest/);
    assert.throws(() => hasher.digest(), /digest called twice/);
    assert.equal(digests.writesAfterClose, 0, "the native Digest never ran on past close()");
  });

  it("Text: native UTF-8 both ways; refuses malformed bytes as the simulator does", () => {
    const text = "Küche 温度 ✓";
    const bytes = MODDABLE_TEXT_CODEC.encode(text);
    assert.equal(MODDABLE_TEXT_CODEC.decode(bytes), text);
    const framed = new Uint8Array(bytes.length + 4);
    framed.set(bytes, 2);
    assert.equal(MODDABLE_TEXT_CODEC.decode(framed.subarray(2, 2 + bytes.length)), text, "a view into a larger buffer");
    assert.throws(() => MODDABLE_TEXT_CODEC.decode(new Uint8Array([0xc0, 0xaf])));
    assert.throws(() => MODDABLE_TEXT_CODEC.decode(new Uint8Array([0xed, 0xa0, 0x80])));
  });
});
