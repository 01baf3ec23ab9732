/*
 * Probation (modules/ota/probation.ts): an updated app is marked valid only after probationMs of
 * healthy running in one stretch, never before; a break in health starts the stretch again; a
 * failing markValid() is retried; and a restart before the mark rolls back (checked through
 * SlotUpdater, the simulator's updater). Runs on XS too.
 */

import * as assert from "../support/assert";
import { Probation } from "../../modules/ota/probation";
import { SlotUpdater } from "../../hosts/simulated/slot-updater";
import type { Updater } from "../../modules/host/updater";
import { buildImage } from "../support/esp32-image";
import { MemoryStorage } from "../support/memory-storage";
import { MemoryPartitions } from "../support/ota-fakes";
import { VirtualClock } from "../support/virtual-clock";

const FACTORY = Object.freeze({ project: "xs_esp32", version: "1.0.0" });

function updatedDevice(): { boot: () => SlotUpdater } {
  const store = new MemoryPartitions(16 * 1024);
  const storage = new MemoryStorage();
  const boot = (): SlotUpdater => new SlotUpdater({ store, storage, factory: FACTORY });
  const u = boot();
  u.begin();
  u.write(buildImage({ size: 2000, version: "2.0.0" }));
  u.complete();
  return { boot };
}

describe("ota: probation", () => {
  it("does nothing for an app that is not on probation", () => {
    const clock = new VirtualClock();
    const store = new MemoryPartitions(16 * 1024);
    const updater = new SlotUpdater({ store, storage: new MemoryStorage(), factory: FACTORY });
    const probation = new Probation({ updater, clock, probationMs: 1000, healthy: () => true });
    probation.start();
    assert.equal(probation.active, false);
    assert.equal(clock.pending, 0);
  });

  it("marks the app valid after probationMs of healthy running, not before", () => {
    const device = updatedDevice();
    const updater = device.boot();
    const clock = new VirtualClock();
    const probation = new Probation({ updater, clock, probationMs: 60_000, healthy: () => true });
    probation.start();
    assert.equal(probation.active, true);
    clock.run(59_000);
    assert.equal(updater.running().state, "probation");
    assert.equal(probation.remainingMs, 1000);
    clock.run(1000);
    assert.equal(probation.active, false);
    assert.equal(updater.running().state, "valid");
    assert.equal(clock.pending, 0, "its timer is gone");
    assert.equal(device.boot().running().version, "2.0.0", "kept after a restart");
  });

  it("starts the stretch again after any unhealthy moment", () => {
    const updater = updatedDevice().boot();
    const clock = new VirtualClock();
    let healthy = true;
    const probation = new Probation({ updater, clock, probationMs: 10_000, healthy: () => healthy, checkEveryMs: 100 });
    probation.start();
    clock.run(8000);
    healthy = false;
    clock.run(2000);
    assert.equal(probation.remainingMs, 10_000);
    healthy = true;
    clock.run(9900);
    assert.equal(probation.active, true, "8 s + 9.9 s healthy, but not in one stretch");
    clock.run(200);
    assert.equal(probation.active, false);
  });

  it("a restart before the mark rolls back to the previous app", () => {
    const device = updatedDevice();
    const updater = device.boot();
    const clock = new VirtualClock();
    const probation = new Probation({ updater, clock, probationMs: 60_000, healthy: () => true });
    probation.start();
    clock.run(30_000);
    probation.stop(); // the restart
    const after = device.boot().running();
    assert.equal(after.version, "1.0.0");
    assert.deepEqual(after.rolledBack, { project: "xs_esp32", version: "2.0.0" });
  });

  it("retries a markValid() that throws", () => {
    const inner = updatedDevice().boot();
    let failures = 2;
    const updater: Updater = {
      partitionSize: inner.partitionSize,
      running: () => inner.running(),
      begin: () => inner.begin(),
      write: (b) => inner.write(b),
      complete: () => inner.complete(),
      cancel: () => inner.cancel(),
      markValid: () => {
        if (failures-- > 0) throw new Error("flash busy");
        inner.markValid();
      },
    };
    const clock = new VirtualClock();
    const probation = new Probation({ updater, clock, probationMs: 1000, healthy: () => true, checkEveryMs: 100 });
    probation.start();
    clock.run(1000);
    assert.equal(probation.active, true);
    clock.run(200);
    assert.equal(probation.active, false);
    assert.equal(inner.running().state, "valid");
  });
});
