/*
 * A rolled-back update, over several boots of the same device (the same partitions, the same
 * storage): it is logged once, with the versions named, on the boot that noticed it; it is
 * still reported by GET /api/ota on the boots after, without being logged again; a factory
 * reset dismisses it for good (the updater still has the rejected image); the next successful
 * update clears it, and a later rollback of the same version is reported afresh. Runs on Node
 * and on XS.
 */

import * as assert from "../support/assert";
import { Config } from "../../modules/config/config";
import type { HttpResponse } from "../../modules/http/http-message";
import { Router } from "../../modules/http/router";
import { OtaFeature } from "../../modules/ota/ota-feature";
import { SlotUpdater } from "../../hosts/simulated/slot-updater";
import { buildImage } from "../support/esp32-image";
import { MemoryStorage } from "../support/memory-storage";
import { MemoryPartitions, ScriptedHttpClient } from "../support/ota-fakes";
import { featureContext } from "../support/feature-context";
import { createTestHost, type TestHost } from "../support/test-host";
import { utf8Decode } from "../../modules/text/utf8";

const WHERE = "10.0.0.2:8000/fw.bin";

function bodyText(response: HttpResponse): string {
  const body = response.body;
  if (typeof body === "string") return body;
  if (body instanceof Uint8Array) return utf8Decode(body);
  return Array.from(body as Iterable<string>).join("");
}

/** One device: what survives a restart (partitions, the boot record, storage). */
class Device {
  readonly store = new MemoryPartitions(32 * 1024);
  readonly otaStorage = new MemoryStorage();
  readonly storage = new MemoryStorage();

  updater(): SlotUpdater {
    return new SlotUpdater({ store: this.store, storage: this.otaStorage, factory: { project: "greenhouse", version: "", chipId: 0 } });
  }

  /** Writes an image as a finished download would (the next boot runs it, on probation). */
  install(version: string): void {
    const u = this.updater();
    u.begin();
    u.write(buildImage({ size: 3000, project: "greenhouse", version }));
    u.complete();
  }

  /** A boot: the app's version is what the running image says, else 1.0.0 (the factory app's). */
  boot(): Boot {
    const host: TestHost = Object.assign(createTestHost(this.storage), { updater: this.updater() });
    const client = new ScriptedHttpClient(host.clock);
    const router = new Router();
    const config = new Config(host.storage);
    const feature = new OtaFeature({ appVersion: "1.0.0", client, otaUrl: `http://${WHERE}`, probationMs: 1000 });
    config.declare(feature.settings);
    feature.attach(featureContext(host, { config, router, restartSoon: () => undefined }));
    const get = (): Record<string, unknown> => JSON.parse(bodyText(router.handle({ method: "GET", path: "/api/ota", query: "", headers: {}, body: "" }))) as Record<string, unknown>;
    return { host, client, feature, router, get, warnings: () => host.lines.filter((l) => /rolled back/.test(l.line)).map((l) => l.line) };
  }
}

interface Boot {
  host: TestHost;
  client: ScriptedHttpClient;
  feature: OtaFeature;
  router: Router;
  get(): Record<string, unknown>;
  warnings(): string[];
}

/** 2.0.0 installed, booted on probation, and the device restarted before it was kept. */
function rolledBack(device: Device, version = "2.0.0"): void {
  device.install(version);
  device.updater(); // the boot into the update, on probation...
  // ...and the restart before it was kept: the next boot rolls back.
}

describe("ota: a rolled-back update over the boots after it", () => {
  it("is logged once, naming both versions, and still reported on the next boots", () => {
    const device = new Device();
    rolledBack(device);
    const first = device.boot();
    assert.equal(first.get().state, "failed");
    assert.match(String(first.get().error), /the update to greenhouse 2\.0\.0 was rolled back/);
    assert.deepEqual(first.warnings(), ["WARN running greenhouse 1.0.0 again: the update to greenhouse 2.0.0 was rolled back"]);
    first.feature.detach();
    for (let i = 0; i < 3; i++) {
      const again = device.boot();
      assert.equal(again.get().state, "failed", "still reported");
      assert.match(String(again.get().error), /greenhouse 2\.0\.0 was rolled back/);
      assert.deepEqual(again.warnings(), [], "not logged again");
      again.feature.detach();
    }
  });

  it("is dismissed by a factory reset, on this boot and the ones after", () => {
    const device = new Device();
    rolledBack(device);
    const first = device.boot();
    assert.equal(first.get().state, "failed");
    first.feature.factoryReset();
    assert.equal(first.get().state, "idle");
    assert.equal(first.get().error, "");
    first.feature.detach();
    const after = device.boot();
    assert.ok(after.host.updater!.running().rolledBack, "the updater still has the rejected image");
    assert.equal(after.get().state, "idle");
    assert.deepEqual(after.warnings(), []);
    after.feature.detach();
  });

  it("is cleared by the next successful update, and a later rollback of the same version is reported afresh", () => {
    const device = new Device();
    rolledBack(device);
    const first = device.boot();
    first.feature.factoryReset();
    first.client.serve(WHERE, { body: buildImage({ size: 3000, project: "greenhouse", version: "2.0.0" }) });
    assert.equal(first.router.handle({ method: "POST", path: "/api/ota", query: "", headers: { "content-type": "application/json" }, body: "{}" }).status, 202);
    first.host.clock.runUntil(() => first.get().state !== "downloading", 10_000, "the download");
    assert.equal(first.get().state, "rebooting");
    first.feature.detach();
    // The new 2.0.0 boots on probation, and the device restarts again before it was kept.
    device.updater();
    const third = device.boot();
    assert.equal(third.get().state, "failed", "the new rollback is not taken for the dismissed one");
    assert.equal(third.warnings().length, 1);
    third.feature.detach();
  });

  it("names a rejected image that has no version without a blank in its place", () => {
    const device = new Device();
    device.install("");
    device.updater();
    const boot = device.boot();
    const error = String(boot.get().error);
    assert.match(error, /the update to greenhouse was rolled back/);
    assert.notMatch(error, /\s{2}/);
    assert.deepEqual(boot.warnings(), ["WARN running greenhouse 1.0.0 again: the update to greenhouse was rolled back"]);
    boot.feature.detach();
  });
});
