/*
 * The Storage contract against the device host's PreferenceStorage (hosts/moddable/storage.ts)
 * over the Preference stand-in, which keeps NVS's rules (names, types, 4000 bytes, erase
 * before write). "Reopening" is a power cycle: a new PreferenceStorage after resetDevice(),
 * over the same flash. Then what only the device does: a power cut between Preference.set's
 * erase and its write loses a plain value, and AtomicRecord (modules/storage/atomic-record.ts)
 * over PreferenceStorage loses nothing, at each of its writes.
 */

import Preference from "preference";
import { PreferenceStorage } from "hosts/moddable/storage";
import { AtomicRecord } from "../../../modules/storage/atomic-record";
import { storageContract } from "../../contract/storage-contract";
import * as assert from "../../support/assert";
import { nvs, PowerCut, resetDevice } from "../standins/control";

storageContract("PreferenceStorage over the NVS stand-in", () => {
  resetDevice({ format: true });
  return {
    storage: new PreferenceStorage(Preference),
    reopen: () => {
      resetDevice();
      return new PreferenceStorage(Preference);
    },
  };
});

describe("PreferenceStorage: power cuts in Preference.set (erase, then write)", () => {
  beforeEach(() => resetDevice({ format: true }));

  it("a plain write cut after its erase loses the old value as well as the new", () => {
    const storage = new PreferenceStorage(Preference);
    storage.write("cfg", "name", "old");
    nvs.cutAfterErase();
    assert.ok(assert.throws(() => storage.write("cfg", "name", "new"), /power cut/) instanceof PowerCut);
    resetDevice();
    assert.equal(new PreferenceStorage(Preference).read("cfg", "name"), undefined);
  });

  it("AtomicRecord survives a cut after the erase of any of its saves: the old value or the new", () => {
    const values = ["first", "second ✓", "third", "fourth"];
    for (let cutAt = 1; cutAt < values.length; cutAt++) {
      resetDevice({ format: true });
      const record = new AtomicRecord(new PreferenceStorage(Preference), "cfg", "rec");
      for (let i = 0; i < cutAt; i++) record.save(values[i]);
      nvs.cutAfterErase();
      assert.throws(() => record.save(values[cutAt]), /power cut/);
      resetDevice();
      const after = new AtomicRecord(new PreferenceStorage(Preference), "cfg", "rec").value;
      assert.equal(after, values[cutAt - 1], `cut while saving ${JSON.stringify(values[cutAt])}`);
      const next = new AtomicRecord(new PreferenceStorage(Preference), "cfg", "rec");
      next.save("after the reboot");
      assert.equal(new AtomicRecord(new PreferenceStorage(Preference), "cfg", "rec").value, "after the reboot", "not wedged");
    }
  });

  it("refuses what NVS would take half of before touching it: the old value stays", () => {
    const storage = new PreferenceStorage(Preference);
    storage.write("cfg", "k", "kept");
    assert.throws(() => storage.write("cfg", "k", "x".repeat(4000)), /3999-byte/);
    assert.equal(nvs.erases, 0, "nothing was erased");
    assert.equal(storage.read("cfg", "k"), "kept");
  });
});
