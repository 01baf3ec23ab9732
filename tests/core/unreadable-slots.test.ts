/*
 * A boot whose reads of the settings failed (a flash read error: PreferenceStorage reports the
 * domain as a problem and reads it as empty) must not set a trap for the next boot: what the
 * user saves during it is what the device loads afterwards, not an older copy that sat in a slot
 * this boot could not read and carries a higher sequence number.
 */

import * as assert from "../support/assert";
import { Config } from "../../modules/config/config";
import type { StoredValue } from "../../modules/host/storage";
import { AtomicRecord } from "../../modules/storage/atomic-record";
import { MemoryStorage } from "../support/memory-storage";

class FlakyStorage extends MemoryStorage {
  failing = false;
  override read(domain: string, key: string): StoredValue | undefined {
    if (this.failing && domain === "iot") return undefined;
    return super.read(domain, key);
  }
  problems(): { domain: string; message: string }[] {
    return this.failing ? [{ domain: "iot", message: "could not be read" }] : [];
  }
}

describe("storage: a save after a boot that could not read its slots", () => {
  it("AtomicRecord: the value saved during that boot is the one loaded next", () => {
    const s = new FlakyStorage();
    const r = new AtomicRecord(s, "iot", "config");
    r.save("a");
    r.save("b");
    r.save("c"); // the slots hold sequence numbers 2 and 3
    s.failing = true;
    const unread = new AtomicRecord(s, "iot", "config");
    assert.equal(unread.value, undefined);
    s.failing = false;
    unread.save("saved while unreadable");
    assert.equal(new AtomicRecord(s, "iot", "config").value, "saved while unreadable");
  });

  it("Config: a setting saved while the settings were unreadable survives the restart", () => {
    const s = new FlakyStorage();
    const first = new Config(s, {});
    first.update({ hostname: "one" }, "json");
    first.update({ hostname: "two" }, "json");
    s.failing = true;
    const unread = new Config(s, {});
    s.failing = false;
    assert.ok(unread.problem, "the boot says its settings could not be read");
    unread.update({ hostname: "three" }, "json");
    assert.equal(new Config(s, {}).get("hostname"), "three");
  });
});
