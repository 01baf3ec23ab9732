/*
 * Config: typed keys, app keys added with defaults that saved values override, all-or-nothing
 * updates that name the offending key, secrets kept out of public views, and no loss at any
 * power cut across a save.
 */

import * as assert from "../support/assert";
import { MemoryStorage } from "../support/memory-storage";
import { PowerCut, PowerCutStorage } from "../support/power-cut-storage";
import { Config } from "../../modules/config/config";
import { ConfigError } from "../../modules/config/config-error";
import type { ConfigValue } from "../../modules/config/config-keys";
import type { Storage } from "../../modules/host/storage";
import { otaSettings } from "../../modules/ota/ota-feature";
import { WIFI_SETTINGS } from "../../modules/wifi/wifi-feature";

/** A Config as the manager makes it on a device with WiFi and OTA: their settings declared. */
function testConfig(storage: Storage, defaults: Record<string, ConfigValue> = {}): Config {
  const config = new Config(storage, defaults);
  config.declare(WIFI_SETTINGS);
  config.declare(otaSettings());
  return config;
}

describe("Config", () => {
  it("starts from the built-in keys and the defaults it is given", () => {
    const config = testConfig(new MemoryStorage(), { hostname: "iot-abcdef" });
    assert.equal(config.get("wifi_ssid"), "");
    assert.equal(config.get("hostname"), "iot-abcdef");
    assert.deepEqual(config.keys().slice(0, 8), [
      "hostname", "admin_password", "allowed_hosts", "wifi_ssid", "wifi_password", "wifi_fallback_ssid", "wifi_fallback_password", "ota_url",
    ]);
  });

  it("adds app keys whose type follows the default, and persists them", () => {
    const storage = new MemoryStorage();
    const config = testConfig(storage);
    assert.deepEqual(config.add({ "60_CUSTOM_CONFIG": "Counter", interval: 5, enabled: true }), ["60_CUSTOM_CONFIG", "interval", "enabled"]);
    assert.equal(config.get("interval"), 5);
    const reloaded = testConfig(storage);
    reloaded.add({ "60_CUSTOM_CONFIG": "Other default", interval: 9, enabled: false });
    assert.equal(reloaded.get("60_CUSTOM_CONFIG"), "Counter");
    assert.equal(reloaded.get("interval"), 5);
    assert.equal(reloaded.get("enabled"), true);
  });

  it("a value the user saved wins over the app's default", () => {
    const storage = new MemoryStorage();
    const first = testConfig(storage);
    first.add({ "60_CUSTOM_CONFIG": "Counter" });
    first.set("60_CUSTOM_CONFIG", "Visitors");
    const second = testConfig(storage);
    second.add({ "60_CUSTOM_CONFIG": "Counter" });
    assert.equal(second.get("60_CUSTOM_CONFIG"), "Visitors");
  });

  it("keeps a saved app key the app has not added yet, through saves", () => {
    const storage = new MemoryStorage();
    const first = testConfig(storage);
    first.add({ color: "red" });
    first.set("color", "blue");
    const second = testConfig(storage);
    second.set("wifi_ssid", "home");
    const third = testConfig(storage);
    third.add({ color: "red" });
    assert.equal(third.get("color"), "blue");
    assert.equal(third.get("wifi_ssid"), "home");
  });

  it("rejects a value of the wrong type with an error naming the key, and saves nothing", () => {
    const storage = new MemoryStorage();
    const config = testConfig(storage);
    config.add({ interval: 5, enabled: false });
    const writes = storage.writes;
    const e = assert.throws(() => config.update({ wifi_ssid: "ok", interval: "soon" }), /interval must be a finite number/);
    assert.ok(e instanceof ConfigError);
    assert.equal((e as ConfigError).key, "interval");
    assert.equal(config.get("wifi_ssid"), "");
    assert.equal(storage.writes, writes);
    assert.throws(() => config.set("enabled", "yes"), /enabled must be true or false/);
    assert.throws(() => config.set("interval", Infinity), /interval/);
  });

  it("rejects unknown keys", () => {
    const config = testConfig(new MemoryStorage());
    const e = assert.throws(() => config.update({ nope: 1 }), /unknown config key "nope"/);
    assert.equal((e as ConfigError).key, "nope");
  });

  it("parses form text into the key's type", () => {
    const config = testConfig(new MemoryStorage());
    config.add({ interval: 5, enabled: false });
    config.update({ interval: "7.5", enabled: "true" }, "form");
    assert.equal(config.get("interval"), 7.5);
    assert.equal(config.get("enabled"), true);
    assert.throws(() => config.update({ interval: "" }, "form"), /interval/);
  });

  it("enforces the built-in keys' limits (an SSID is at most 32 bytes)", () => {
    const config = testConfig(new MemoryStorage());
    assert.throws(() => config.set("wifi_ssid", "x".repeat(33)), /wifi_ssid is longer than 32 bytes/);
    assert.throws(() => config.set("wifi_ssid", "é".repeat(17)), /wifi_ssid/);
    config.set("wifi_ssid", "é".repeat(16));
    assert.throws(() => config.set("hostname", "a\nb"), /control characters/);
  });

  it("refuses an app key name that could not be a form field", () => {
    const config = testConfig(new MemoryStorage());
    assert.throws(() => config.add({ "bad key": 1 }), /must be 1-64 letters/);
    assert.throws(() => config.add({ list: [] as unknown as string }), /default must be/);
  });

  it("keeps secrets out of the public view", () => {
    const config = testConfig(new MemoryStorage());
    config.update({ wifi_ssid: "home", wifi_password: "hunter22", admin_password: "s3cret!" });
    const view = config.publicValues();
    assert.equal(view.wifi_ssid, "home");
    assert.ok(!("wifi_password" in view) && !("admin_password" in view) && !("wifi_fallback_password" in view));
    assert.deepEqual(config.secretsSet(), ["admin_password", "wifi_password"]);
    assert.notMatch(JSON.stringify(view), /hunter22|s3cret/);
  });

  it("says clearly when the whole config would be too large to save, and keeps the old one", () => {
    const storage = new MemoryStorage();
    const config = testConfig(storage);
    const keys: Record<string, string> = {};
    for (let i = 0; i < 20; i++) keys[`k${i}`] = "";
    config.add(keys);
    config.set("k0", "kept");
    const big: Record<string, string> = {};
    for (let i = 0; i < 20; i++) big[`k${i}`] = "y".repeat(250);
    assert.throws(() => config.update(big), /config too large to save/);
    assert.equal(config.get("k0"), "kept");
    const reloaded = testConfig(storage);
    reloaded.add(keys);
    assert.equal(reloaded.get("k0"), "kept");
  });

  it("notifies listeners with the keys that changed", () => {
    const config = testConfig(new MemoryStorage());
    const seen: string[][] = [];
    config.onChange((keys) => seen.push([...keys]));
    config.update({ wifi_ssid: "a", hostname: config.get("hostname") });
    config.update({ wifi_ssid: "a" });
    assert.deepEqual(seen, [["wifi_ssid"]]);
  });

  it("a power cut anywhere in a save leaves the old or the new config, never defaults", () => {
    const oldState = { wifi_ssid: "old-net", wifi_password: "old-pass", "60_CUSTOM_CONFIG": "Visitors" };
    const newState = { wifi_ssid: "new-net", wifi_password: "new-pass", "60_CUSTOM_CONFIG": "Guests" };
    for (let n = 0; ; n++) {
      const storage = new PowerCutStorage();
      const config = testConfig(storage);
      config.add({ "60_CUSTOM_CONFIG": "Counter" });
      config.update(oldState);
      storage.cutAfter(n);
      let cut = false;
      try {
        config.update(newState);
      } catch (e) {
        assert.ok(e instanceof PowerCut, String(e));
        cut = true;
      }
      storage.restore();
      const after = testConfig(storage);
      after.add({ "60_CUSTOM_CONFIG": "Counter" });
      const got = { wifi_ssid: after.get("wifi_ssid"), wifi_password: after.get("wifi_password"), "60_CUSTOM_CONFIG": after.get("60_CUSTOM_CONFIG") };
      const isOld = JSON.stringify(got) === JSON.stringify(oldState);
      const isNew = JSON.stringify(got) === JSON.stringify(newState);
      assert.ok(isOld || isNew, `cut after ${n} steps: ${JSON.stringify(got)}`);
      if (!cut) {
        assert.ok(isNew);
        break;
      }
    }
  });

  it("reset() returns to defaults and forgets what was saved", () => {
    const storage = new MemoryStorage();
    const config = testConfig(storage);
    config.set("wifi_ssid", "home");
    config.reset();
    assert.equal(config.get("wifi_ssid"), "");
    assert.equal(testConfig(storage).get("wifi_ssid"), "");
  });
});
