/*
 * The rollback state machine (hosts/simulated/boot-record.ts) and SlotUpdater across power cuts:
 * the boot choice lives in one AtomicRecord, so a cut at ANY storage step of an update, a first
 * boot, a rollback or a markValid leaves a device that boots, and boots the old app or the new
 * one, never neither; and the next update after that works. Runs on XS too.
 */

import * as assert from "../support/assert";
import { BootRecord } from "../../hosts/simulated/boot-record";
import { SlotUpdater } from "../../hosts/simulated/slot-updater";
import { MemoryStorage } from "../support/memory-storage";
import { MemoryPartitions } from "../support/ota-fakes";
import { PowerCut, PowerCutStorage } from "../support/power-cut-storage";
import { buildImage } from "../support/esp32-image";

const FACTORY = Object.freeze({ project: "xs_esp32", version: "1.0.0" });

describe("ota: boot record (the bootloader's rollback rules)", () => {
  it("follows ESP-IDF's states: new -> pending -> aborted on a restart, or valid when marked", () => {
    const storage = new MemoryStorage();
    const bootable = (): boolean => true;
    const first = new BootRecord(storage);
    assert.deepEqual(first.boot(bootable), { slot: 0, state: "undefined", rolledBack: undefined });
    first.erase(1);
    first.select(1);
    const second = new BootRecord(storage);
    assert.deepEqual(second.boot(bootable), { slot: 1, state: "pending", rolledBack: undefined });
    const third = new BootRecord(storage);
    assert.deepEqual(third.boot(bootable), { slot: 0, state: "undefined", rolledBack: 1 });
    third.erase(1);
    third.select(1);
    const fourth = new BootRecord(storage);
    fourth.boot(bootable);
    fourth.markValid();
    assert.deepEqual(new BootRecord(storage).boot(bootable), { slot: 1, state: "valid", rolledBack: undefined });
  });

  it("boots the other slot when the chosen one's image is unreadable", () => {
    const storage = new MemoryStorage();
    const record = new BootRecord(storage);
    record.boot(() => true);
    record.select(1);
    assert.deepEqual(new BootRecord(storage).boot((slot) => slot === 0), { slot: 0, state: "undefined", rolledBack: 1 });
  });

  it("keeps a pending app when there is nothing to roll back to", () => {
    const storage = new MemoryStorage();
    const record = new BootRecord(storage);
    record.boot(() => true);
    record.select(1);
    new BootRecord(storage).boot(() => true); // pending
    assert.deepEqual(new BootRecord(storage).boot((slot) => slot === 1), { slot: 1, state: "pending", rolledBack: undefined });
  });

  it("refuses to erase or select the running slot", () => {
    const record = new BootRecord(new MemoryStorage());
    record.boot(() => true);
    assert.throws(() => record.erase(0), /running/);
    assert.throws(() => record.select(0), /running/);
  });

  it("survives a power cut at every storage step of an update's whole life", () => {
    const v2 = buildImage({ size: 700, version: "2.0.0", seed: 2 });
    const v3 = buildImage({ size: 600, version: "3.0.0", seed: 3 });
    // The life: install 2.0.0, first boot, keep it, install 3.0.0, first boot, restart (rollback).
    function life(boot: () => SlotUpdater): void {
      const install = (u: SlotUpdater, image: Uint8Array): void => {
        u.begin();
        u.write(image);
        u.complete();
      };
      install(boot(), v2);
      boot().markValid();
      install(boot(), v3);
      boot();
      boot();
    }
    let completed = false;
    for (let n = 0; !completed; n++) {
      const storage = new PowerCutStorage();
      const store = new MemoryPartitions(16 * 1024);
      const boot = (): SlotUpdater => new SlotUpdater({ store, storage, factory: FACTORY });
      storage.cutAfter(n);
      try {
        life(boot);
        completed = true;
      } catch (e) {
        if (!(e instanceof PowerCut)) throw e;
      }
      storage.restore();
      // The device boots, and runs an app the life had installed by then; 3.0.0 was never kept,
      // so it can only be on probation.
      const after = boot().running();
      assert.ok(["1.0.0", "2.0.0", "3.0.0"].includes(after.version), `cut after ${n} steps: runs ${after.version}`);
      if (after.version === "3.0.0") assert.equal(after.state, "probation", `cut after ${n} steps`);
      if (completed) assert.deepEqual([after.version, after.rolledBack?.version], ["2.0.0", "3.0.0"]);
      // Not wedged: an update after the cut installs and boots.
      const u = boot();
      u.begin();
      u.write(v3);
      u.complete();
      assert.equal(boot().running().version, "3.0.0", `an update after a cut at step ${n}`);
      if (n > 200) throw new Error("the life never completed");
    }
  });
});
