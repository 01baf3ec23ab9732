/*
 * Storage that cannot be read is named and worked around (issue 12, finding 6), on a host that
 * reports it the way the device's does (a domain read as empty, named in problems()): the
 * manager boots on defaults for that domain alone, says so once in the log and for as long as
 * it lasts in /api/status and on the page, and a fall back to the older copy of the settings is
 * logged. The simulator's damaged files are tested in tests/simulator/broken-storage.test.ts.
 */

import * as assert from "../support/assert";
import { bodyJson, bodyText, request } from "../support/http-request";
import { MemoryStorage } from "../support/memory-storage";
import { createTestHost } from "../support/test-host";
import { wifiSettings } from "../support/wifi-settings";
import { IotManager } from "../../modules/manager";
import type { StorageProblem, StoredValue } from "../../modules/host/storage";

describe("storage that cannot be read", () => {
  // A host whose flash could not read a domain: it reads as empty and says so (see host/storage.ts).
  class UnreadableDomain extends MemoryStorage {
    readonly #bad = new Set<string>();
    constructor(...bad: string[]) {
      super();
      for (const domain of bad) this.#bad.add(domain);
    }
    override read(domain: string, key: string): StoredValue | undefined {
      return this.#bad.has(domain) ? undefined : super.read(domain, key);
    }
    override write(domain: string, key: string, value: StoredValue): void {
      super.write(domain, key, value);
      this.#bad.delete(domain);
    }
    problems(): StorageProblem[] {
      return Array.from(this.#bad, (domain) => ({ domain, message: `storage domain "${domain}" could not be read (ESP_ERR_NVS_CORRUPT)` }));
    }
  }

  it("boots on default settings, names the domain in the log, /api/status and the page, until the settings are saved", () => {
    const storage = new UnreadableDomain("iot");
    const host = createTestHost(storage);
    const iot = new IotManager({ features: [wifiSettings()] }, host);
    iot.configAdd({ color: "red" }); // an internal save: the settings are still not the user's
    assert.ok(host.lines.some((l) => l.level === "error" && /settings could not be read.*"iot".*ESP_ERR_NVS_CORRUPT/.test(l.line)));
    const status = bodyJson(iot.handle(request("GET", "/api/status"))) as { storage?: { problems: string[] } };
    assert.equal(status.storage?.problems.length, 1);
    assert.match(bodyText(iot.handle(request("GET", "/"))), /alert-danger" role="alert"><strong>Storage:<\/strong> the settings could not be read, defaults are in use/);
    iot.config.set("wifi_ssid", "home");
    assert.equal((bodyJson(iot.handle(request("GET", "/api/status"))) as { storage?: unknown }).storage, undefined);
    assert.equal(host.lines.filter((l) => /could not be read/.test(l.line)).length, 1, "logged once, however often it is shown");
  });

  it("keeps the settings when only another domain is unreadable", () => {
    const storage = new UnreadableDomain();
    new IotManager({ features: [wifiSettings()] }, createTestHost(storage)).config.set("wifi_ssid", "home");
    const broken = new UnreadableDomain("sensor");
    for (const [domain, map] of storage.domains) broken.domains.set(domain, map);
    const iot = new IotManager({ features: [wifiSettings()] }, createTestHost(broken));
    assert.equal(iot.config.get("wifi_ssid"), "home");
    const status = bodyJson(iot.handle(request("GET", "/api/status"))) as { storage?: { problems: string[] } };
    assert.deepEqual(status.storage?.problems, ['storage domain "sensor" could not be read (ESP_ERR_NVS_CORRUPT)']);
  });

  it("logs a fall back to the other copy of the settings", () => {
    const storage = new MemoryStorage();
    const first = new IotManager({ features: [wifiSettings()] }, createTestHost(storage));
    first.config.set("wifi_ssid", "one");
    first.config.set("wifi_ssid", "two");
    const slots = storage.domains.get("iot")!;
    const newest = ["config.0", "config.1"].sort((a, b) => Number(String(slots.get(b)).split(":")[0]) - Number(String(slots.get(a)).split(":")[0]))[0];
    slots.set(newest, String(slots.get(newest)).slice(0, 15));
    const host = createTestHost(storage);
    const iot = new IotManager({ features: [wifiSettings()] }, host);
    assert.equal(iot.config.get("wifi_ssid"), "one");
    assert.ok(host.lines.some((l) => l.level === "warn" && /one copy of the saved settings was damaged/.test(l.line)));
    assert.equal((bodyJson(iot.handle(request("GET", "/api/status"))) as { storage?: unknown }).storage, undefined);
  });
});
