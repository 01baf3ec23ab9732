/*
 * The Updater contract: what every host's updater must do, run against each one: the core's
 * SlotUpdater over memory, the simulator's over partition files, and the device's
 * ModdableUpdater over the ota and FFI stand-ins, whose flash keeps ESP-IDF's OTA rules and its
 * bootloader's rollback (tests/moddable/on-xs/updater.xs.ts, on XS).
 */

import * as assert from "../support/assert";
import type { Updater } from "../../modules/host/updater";
import { breakImage, buildImage } from "../support/esp32-image";

export interface UpdaterRig {
  /** Powers the device on over the rig's persistent state: a new Updater, as after a restart. */
  boot(): Updater;
  /** What the factory app reports (version "" when the host leaves it to the app). */
  readonly factory: { project: string; version: string };
}

function install(updater: Updater, image: Uint8Array, step = 1460): void {
  updater.begin();
  for (let i = 0; i < image.length; i += step) updater.write(image.subarray(i, Math.min(image.length, i + step)));
  updater.complete();
}

export function updaterContract(name: string, makeRig: () => UpdaterRig): void {
  describe(`Updater contract: ${name}`, () => {
    let rig: UpdaterRig;
    let v2: Uint8Array;
    let v3: Uint8Array;

    beforeEach(() => {
      rig = makeRig();
      v2 = buildImage({ size: 4000, project: rig.factory.project, version: "2.0.0", seed: 2 });
      v3 = buildImage({ size: 3000, project: rig.factory.project, version: "3.0.0", seed: 3 });
    });

    it("a fresh device runs the factory app, untracked, and has room for an update", () => {
      const updater = rig.boot();
      const app = updater.running();
      assert.equal(app.project, rig.factory.project);
      assert.equal(app.version, rig.factory.version);
      assert.equal(app.state, "untracked");
      assert.equal(app.rolledBack, undefined);
      assert.ok(updater.partitionSize >= 16 * 1024, "partition size");
    });

    it("an update changes nothing until the restart, then runs on probation", () => {
      const updater = rig.boot();
      install(updater, v2);
      assert.equal(updater.running().version, rig.factory.version, "still the old app before the restart");
      const app = rig.boot().running();
      assert.deepEqual([app.project, app.version, app.state], [rig.factory.project, "2.0.0", "probation"]);
    });

    it("a restart while on probation rolls back and reports the rejected update", () => {
      install(rig.boot(), v2);
      rig.boot(); // first boot of 2.0.0: on probation, never marked valid
      const app = rig.boot().running();
      assert.equal(app.version, rig.factory.version);
      assert.deepEqual(app.rolledBack, { project: rig.factory.project, version: "2.0.0" });
      assert.equal(rig.boot().running().version, rig.factory.version, "and stays rolled back");
    });

    it("markValid() keeps the new app across restarts", () => {
      install(rig.boot(), v2);
      const updated = rig.boot();
      updated.markValid();
      assert.equal(updated.running().state, "valid");
      const app = rig.boot().running();
      assert.deepEqual([app.version, app.state, app.rolledBack], ["2.0.0", "valid", undefined]);
    });

    it("the next update goes to the other slot; rolling it back returns to the previous update", () => {
      install(rig.boot(), v2);
      rig.boot().markValid();
      install(rig.boot(), v3);
      assert.equal(rig.boot().running().version, "3.0.0");
      const app = rig.boot().running();
      assert.equal(app.version, "2.0.0");
      assert.equal(app.state, "valid");
      assert.deepEqual(app.rolledBack, { project: rig.factory.project, version: "3.0.0" });
    });

    it("a new update overwrites the rolled-back one, which is then no longer reported", () => {
      install(rig.boot(), v2);
      rig.boot();
      const back = rig.boot();
      assert.ok(back.running().rolledBack);
      install(back, v3);
      assert.equal(back.running().rolledBack, undefined);
      assert.equal(rig.boot().running().version, "3.0.0");
    });

    it("cancel() leaves the running app and the next boot unchanged; a new attempt then works", () => {
      const updater = rig.boot();
      updater.begin();
      updater.write(v2.subarray(0, 5000));
      updater.cancel();
      assert.equal(updater.running().version, rig.factory.version);
      assert.equal(rig.boot().running().version, rig.factory.version);
      const again = rig.boot();
      install(again, v2);
      assert.equal(rig.boot().running().version, "2.0.0");
    });

    it("complete() refuses a corrupt or truncated image and the boot choice stays", () => {
      for (const bad of [breakImage(v2, "checksum"), breakImage(v2, "truncated"), breakImage(v2, "hash")]) {
        const updater = rig.boot();
        assert.throws(() => install(updater, bad));
        assert.equal(rig.boot().running().version, rig.factory.version);
      }
      install(rig.boot(), v2);
      assert.equal(rig.boot().running().version, "2.0.0", "a good image still installs after refusals");
    });

    it("enforces one session: write() needs begin(), begin() twice throws, cancel() alone is harmless", () => {
      const updater = rig.boot();
      assert.throws(() => updater.write(v2.subarray(0, 10)), /no update/);
      assert.throws(() => updater.complete(), /no update/);
      updater.cancel();
      updater.begin();
      assert.throws(() => updater.begin(), /already/);
      updater.cancel();
      updater.cancel();
    });

    it("refuses to write past the partition's end", () => {
      const updater = rig.boot();
      updater.begin();
      const chunk = new Uint8Array(16 * 1024);
      // An image's first byte is 0xE9: ESP-IDF refuses any other at the first write.
      chunk[0] = 0xe9;
      assert.throws(() => {
        for (let written = 0; written <= updater.partitionSize; written += chunk.length) updater.write(chunk);
      }, /larger than the partition/);
      updater.cancel();
      assert.equal(rig.boot().running().version, rig.factory.version);
    });

    it("accepts fragments of any size, reused between writes", () => {
      const updater = rig.boot();
      updater.begin();
      const buffer = new Uint8Array(977);
      for (let i = 0; i < v2.length; i += buffer.length) {
        const n = Math.min(buffer.length, v2.length - i);
        buffer.set(v2.subarray(i, i + n));
        updater.write(buffer.subarray(0, n));
        buffer.fill(0xaa);
      }
      updater.complete();
      assert.equal(rig.boot().running().version, "2.0.0");
    });
  });
}
