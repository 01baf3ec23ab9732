/*
 * The Updater contract against the device's ModdableUpdater (hosts/moddable/updater.ts) as the
 * esp32 platform module builds it (hosts/moddable/platform/esp32.ts: the `ota` module and the
 * FFI rollback functions), over the ota and mc/ffi stand-ins and the stand-in flash, which
 * keeps ESP-IDF's OTA rules and its bootloader's rollback. boot() is a power cycle: the
 * bootloader picks the app, and a new Updater reads it.
 */

import { ota } from "hosts/moddable/platform";
import { ModdableUpdater } from "hosts/moddable/updater";
import { updaterContract } from "../../contract/updater-contract";
import * as assert from "../../support/assert";
import { buildImage } from "../../support/esp32-image";
import { flash, resetDevice } from "../standins/control";

function boot(): ModdableUpdater {
  resetDevice();
  if (!ota) throw new Error("the esp32 platform module has no ota binding");
  return new ModdableUpdater(ota.OTA, ota.natives);
}

updaterContract("ModdableUpdater over the ota and FFI stand-ins", () => {
  resetDevice({ format: true });
  return { boot, factory: flash.factory };
});

describe("ModdableUpdater: what ESP-IDF refuses", () => {
  beforeEach(() => resetDevice({ format: true }));

  it("refuses to begin an update while the running app is on probation, and begins once it is valid", () => {
    const image = buildImage({ size: 3000, project: flash.factory.project, version: "2.0.0", seed: 2 });
    const first = boot();
    first.begin();
    first.write(image);
    first.complete();
    const probation = boot();
    assert.equal(probation.running().state, "probation");
    assert.throws(() => probation.begin(), /begin failed/);
    probation.markValid();
    probation.begin();
    probation.cancel();
  });

  it("refuses an image whose first byte is not 0xE9 at the first write", () => {
    const updater = boot();
    updater.begin();
    assert.throws(() => updater.write(new Uint8Array([0x3c, 0x21, 0x44])), /write failed/);
    updater.cancel();
  });
});
