/*
 * AtomicRecord keeps one value whole across power cuts: for every point a cut can land in a
 * save, the value read after "reboot" is the old one or the new one.
 */

import * as assert from "../support/assert";
import { MemoryStorage } from "../support/memory-storage";
import { PowerCut, PowerCutStorage } from "../support/power-cut-storage";
import { AtomicRecord } from "../../modules/storage/atomic-record";

describe("AtomicRecord", () => {
  it("reads back what was saved, across instances", () => {
    const storage = new MemoryStorage();
    const a = new AtomicRecord(storage, "iot", "rec");
    assert.equal(a.value, undefined);
    a.save("one");
    a.save("two ✓ Küche 温度");
    assert.equal(new AtomicRecord(storage, "iot", "rec").value, "two ✓ Küche 温度");
  });

  it("alternates slots so the previous copy always survives", () => {
    const storage = new MemoryStorage();
    const rec = new AtomicRecord(storage, "iot", "rec");
    rec.save("a");
    rec.save("b");
    assert.deepEqual(storage.keys("iot").sort(), ["rec.0", "rec.1"]);
    rec.save("c");
    assert.equal(new AtomicRecord(storage, "iot", "rec").value, "c");
  });

  it("does not write when the payload is unchanged", () => {
    const storage = new MemoryStorage();
    const rec = new AtomicRecord(storage, "iot", "rec");
    assert.equal(rec.save("same"), true);
    const writes = storage.writes;
    assert.equal(rec.save("same"), false);
    assert.equal(storage.writes, writes);
  });

  it("refuses a payload too large for a slot before writing anything", () => {
    const storage = new MemoryStorage();
    const rec = new AtomicRecord(storage, "iot", "rec");
    rec.save("keep");
    const writes = storage.writes;
    assert.throws(() => rec.save("x".repeat(AtomicRecord.maxPayloadBytes + 1)), /must fit in/);
    assert.equal(storage.writes, writes);
    assert.equal(new AtomicRecord(storage, "iot", "rec").value, "keep");
  });

  it("ignores a slot whose checksum does not match (a torn write)", () => {
    const storage = new MemoryStorage();
    const rec = new AtomicRecord(storage, "iot", "rec");
    rec.save("old");
    rec.save("new");
    const newest = storage.read("iot", "rec.1") as string;
    storage.write("iot", "rec.1", newest.slice(0, newest.length - 1));
    assert.equal(new AtomicRecord(storage, "iot", "rec").value, "old");
  });

  it("refuses names the device cannot store", () => {
    const storage = new MemoryStorage();
    assert.throws(() => new AtomicRecord(storage, "iot", "fourteen-chars"), /longer than 15/);
    assert.throws(() => new AtomicRecord(storage, "", "rec"), /non-empty/);
  });

  it("a power cut at every step of a save leaves the old or the new value", () => {
    for (const before of [undefined, "old value"]) {
      for (let n = 0; ; n++) {
        const storage = new PowerCutStorage();
        const rec = new AtomicRecord(storage, "iot", "rec");
        rec.save("first");
        if (before !== undefined) rec.save(before);
        const expectedOld = before ?? "first";
        storage.cutAfter(n);
        let cut = false;
        try {
          rec.save("the new value");
        } catch (e) {
          assert.ok(e instanceof PowerCut, `unexpected ${String(e)}`);
          cut = true;
        }
        storage.restore();
        const after = new AtomicRecord(storage, "iot", "rec").value;
        assert.ok(after === expectedOld || after === "the new value", `cut after ${n} steps left ${String(after)}`);
        if (!cut) {
          assert.equal(after, "the new value");
          break;
        }
        // And the device goes on: the next save after the reboot works.
        const again = new AtomicRecord(storage, "iot", "rec");
        again.save("later");
        assert.equal(new AtomicRecord(storage, "iot", "rec").value, "later");
      }
    }
  });

  it("a power cut anywhere in clear() leaves the newest value or nothing, never an older one", () => {
    for (const saves of [["a"], ["a", "b"], ["a", "b", "c"]]) {
      for (let n = 0; n <= 2; n++) {
        const storage = new PowerCutStorage();
        const rec = new AtomicRecord(storage, "iot", "rec");
        for (const v of saves) rec.save(v);
        storage.cutAfter(n);
        try {
          rec.clear();
        } catch (e) {
          assert.ok(e instanceof PowerCut, String(e));
        }
        storage.restore();
        const after = new AtomicRecord(storage, "iot", "rec").value;
        assert.ok(after === undefined || after === saves[saves.length - 1], `saves ${saves.join(",")}, cut after ${n}: ${String(after)}`);
      }
    }
  });
});
