/*
 * Persistent variables against the device's storage rules: names and folders (15 characters,
 * checked at construction on every type), the key scheme that lets a 15-character name use a
 * two-slot AtomicRecord, the 4000-byte value limit, the integer range after a restart, writes
 * that change nothing (no flash written), reset, storage from the bound host, and values saved
 * under another type.
 */

import { deepEqual, equal, ok, throws } from "../support/assert";
import { MemoryStorage } from "../support/memory-storage";
import { createTestHost } from "../support/test-host";
import { bindHost, boundHost, type Host } from "../../modules/host/host";
import type { Storage, StoredValue } from "../../modules/host/storage";
import { AtomicRecord } from "../../modules/storage/atomic-record";
import { PersistentBoolean } from "../../modules/persistent/persistent-boolean";
import { PersistentFloat } from "../../modules/persistent/persistent-float";
import { PersistentHex } from "../../modules/persistent/persistent-hex";
import { PersistentInteger } from "../../modules/persistent/persistent-integer";
import { PersistentJson } from "../../modules/persistent/persistent-json";
import { PersistentList } from "../../modules/persistent/persistent-list";
import { PERSISTENT_LIMITS } from "../../modules/persistent/persistent-limits";
import { PersistentRange } from "../../modules/persistent/persistent-range";
import { persistentRecordName } from "../../modules/persistent/persistent-record-name";
import { PersistentRgb } from "../../modules/persistent/persistent-rgb";
import { PersistentSet } from "../../modules/persistent/persistent-set";
import { PersistentString } from "../../modules/persistent/persistent-string";

type Make = (name: string, folder: string | undefined, storage: Storage) => { readonly value: unknown };

/** One constructor per type, so every rule is checked on all ten. */
const MAKERS: readonly (readonly [string, Make])[] = [
  ["boolean", (name, folder, storage) => new PersistentBoolean(name, { folder, storage })],
  ["integer", (name, folder, storage) => new PersistentInteger(name, { folder, storage })],
  ["float", (name, folder, storage) => new PersistentFloat(name, { folder, storage })],
  ["string", (name, folder, storage) => new PersistentString(name, { folder, storage })],
  ["json", (name, folder, storage) => new PersistentJson(name, { folder, storage })],
  ["set", (name, folder, storage) => new PersistentSet(name, { folder, storage })],
  ["list", (name, folder, storage) => new PersistentList(name, { folder, storage })],
  ["range", (name, folder, storage) => new PersistentRange(name, { folder, storage, min: 0, max: 1 })],
  ["rgb", (name, folder, storage) => new PersistentRgb(name, { folder, storage })],
  ["hex", (name, folder, storage) => new PersistentHex(name, { folder, storage })],
];

const BAD_NAMES: readonly unknown[] = ["", "sixteen-chars-xx", "température", "a b", "a~b", "a=b", "a/b", "ÿ", undefined, 42];

/** A storage whose writes fail, to show a failed write changes nothing. */
class FailingStorage extends MemoryStorage {
  fail = false;
  override write(domain: string, key: string, value: StoredValue): void {
    if (this.fail) throw new Error("flash write failed");
    super.write(domain, key, value);
  }
}

describe("persistent variables in storage", () => {
  let storage: MemoryStorage;
  beforeEach(() => {
    storage = new MemoryStorage();
  });

  it("tells its one watcher of each change (not of a write that changes nothing), and keeps a failing watcher's write", () => {
    const v = new PersistentInteger("watched", { storage, default: 1 });
    const seen: unknown[] = [];
    const first = { variableChanged: (x: object) => seen.push((x as PersistentInteger).value) };
    const second = { variableChanged: () => seen.push("second") };
    equal(v.watch(first), true);
    equal(v.watch(first), true, "the same watcher again");
    equal(v.watch(second), false, "one watcher at a time");
    v.value = 2;
    v.value = 2;
    v.reset();
    v.reset();
    deepEqual(seen, [2, 1]);
    v.unwatch(second);
    v.value = 3;
    deepEqual(seen, [2, 1, 3], "unwatch by another changes nothing");
    v.unwatch(first);
    equal(v.watch(second), true);
    const failing = new PersistentInteger("failing", { storage });
    failing.watch({ variableChanged: () => { throw new Error("watcher broke"); } });
    failing.value = 7;
    equal(new PersistentInteger("failing", { storage }).value, 7, "saved despite the watcher");
  });

  it("every type refuses a bad name or folder at construction, before touching storage", () => {
    for (const [type, make] of MAKERS) {
      for (const bad of BAD_NAMES) {
        throws(() => make(bad as string, undefined, storage), /persistent variable name/, `${type} name ${String(bad)}`);
        // An undefined folder is the default folder, not a bad one.
        if (bad !== undefined) throws(() => make("ok", bad as string, storage), /persistent variable folder/, `${type} folder ${String(bad)}`);
      }
      throws(() => make("ok", "iot", storage), /reserved/, `${type}: the framework's own folder`);
      equal(storage.writes, 0);
    }
  });

  it("every type takes 15-character names and folders, saves them and reads them back", () => {
    for (const [type, make] of MAKERS) {
      const v = make("fifteen-chars-x", "folder-15-chars", storage) as { value: unknown; reset(): boolean; write(x: unknown): boolean };
      const sample = { boolean: true, integer: 7, float: 0.5, string: "s", json: { a: 1 }, set: [1], list: [1, 1], range: 0.5, rgb: "#010203", hex: "0x7" }[type];
      ok(v.write(sample), `${type} writes`);
      deepEqual((make("fifteen-chars-x", "folder-15-chars", storage) as { value: unknown }).value, sample, `${type} reads back`);
      v.reset();
    }
  });

  it("key scheme: names up to 13 characters are their own record; longer ones are hashed to 13", () => {
    equal(persistentRecordName("threshold"), "threshold");
    equal(persistentRecordName("thirteen-char"), "thirteen-char");
    const long = persistentRecordName("fourteen-chars");
    equal(long.length, 13);
    ok(long.startsWith("fourt~"), long);
    ok(persistentRecordName("calibrationOffs") !== persistentRecordName("calibrationOffT"), "two long names, two records");
    new PersistentInteger("threshold", { storage }).value = 5;
    new PersistentInteger("calibrationOffs", { storage }).value = 6;
    new PersistentInteger("calibrationOffT", { storage }).value = 7;
    const keys = storage.keys("vars");
    ok(keys.includes("threshold.0"), keys.join());
    for (const key of keys) ok(key.length <= PERSISTENT_LIMITS.maxName, `${key} fits NVS`);
    equal(new PersistentInteger("calibrationOffs", { storage }).value, 6);
    equal(new PersistentInteger("calibrationOffT", { storage }).value, 7);
  });

  it("a long name that finds another variable's value under its key refuses it instead of mixing values", () => {
    // Collisions need equal 5-character prefixes and equal CRC-32s: staged here by hand.
    const record = new AtomicRecord(storage, "vars", persistentRecordName("calibrationOffs"));
    record.save("calibrationXXXX=1");
    const v = new PersistentInteger("calibrationOffs", { storage });
    throws(() => v.value, /vars\/calibrationOffs: .*already holds the variable "calibrationXXXX"/);
    throws(() => (v.value = 2), /already holds/);
    equal(record.value, "calibrationXXXX=1", "the other variable's value is untouched");
  });

  it("the largest value fits one NVS value with a 15-character name; one byte more is refused", () => {
    const max = PERSISTENT_LIMITS.maxValueBytes;
    equal(max, 3963);
    const text = new PersistentString("fifteen-chars-x", { storage, folder: "f" });
    text.value = "x".repeat(max + 100);
    equal(text.value.length, max, "truncated to the limit");
    equal(new PersistentString("fifteen-chars-x", { storage, folder: "f" }).value.length, max, "and stored whole");
    const doc = new PersistentJson("fifteen-chars-y", { storage, folder: "f" });
    doc.value = "y".repeat(max - 2); // its JSON text has two quotes: exactly max bytes
    throws(() => (doc.value = "y".repeat(max - 1)), /3964 bytes of JSON; at most 3963/);
    equal((doc.value as string).length, max - 2);
    const list = new PersistentList("fifteen-chars-z", { storage, folder: "f" });
    throws(() => (list.value = ["z".repeat(max)]), /bytes of JSON/);
    for (const bad of [0, max + 1, 1.5, NaN]) {
      throws(() => new PersistentString("s", { storage, maxBytes: bad }), /maxBytes/);
      throws(() => new PersistentJson("j", { storage, maxBytes: bad }), /maxBytes/);
      throws(() => new PersistentSet("s", { storage, maxBytes: bad }), /maxBytes/);
    }
  });

  it("the integer range's ends survive a restart; one past them is refused", () => {
    const v = new PersistentInteger("n", { storage });
    for (const x of [PERSISTENT_LIMITS.minInteger, PERSISTENT_LIMITS.maxInteger, 0, -1]) {
      v.value = x;
      equal(new PersistentInteger("n", { storage }).value, x);
    }
    throws(() => (v.value = PERSISTENT_LIMITS.maxInteger + 1), /outside the 32-bit range/);
    throws(() => (v.value = PERSISTENT_LIMITS.minInteger - 1), /outside the 32-bit range/);
    equal(new PersistentInteger("n", { storage }).value, -1);
  });

  it("writing the value the variable already reads writes nothing to flash", () => {
    const v = new PersistentFloat("threshold", { storage, folder: "sensor", default: 21.5 });
    equal(v.write(21.5), false, "the default, never saved: nothing written");
    equal(v.write("21.5"), false, "the same value, as text");
    equal(storage.writes, 0);
    equal(v.saved, false);
    equal(v.write(22), true);
    // One save, plus the folder's first-use entry in the list a factory reset erases.
    equal(storage.writes, 2);
    v.value = 22;
    v.value = "22.0";
    new PersistentFloat("threshold", { storage, folder: "sensor", default: 21.5 }).value = 22;
    equal(storage.writes, 2, "repeats, also from a fresh instance, write nothing");
    const tags = new PersistentSet("tags", { storage, default: ["a"] });
    tags.value = ["a", "a"];
    equal(storage.writes, 2, "a set equal to the default after coercion");
  });

  it("reset returns to the default with one write; a never-saved variable follows its default", () => {
    const v = new PersistentInteger("level", { storage, default: 3 });
    equal(v.reset(), false, "nothing saved: nothing to do");
    equal(storage.writes, 0);
    v.value = 9;
    equal(v.saved, true);
    equal(v.reset(), true);
    equal(storage.writes, 3, "one save for the value, one for the reset, one for the folder's first use");
    equal(v.value, 3);
    equal(v.saved, false);
    const upgraded = new PersistentInteger("level", { storage, default: 4 });
    equal(upgraded.value, 4, "a new firmware's default wins after a reset");
    equal(upgraded.saved, false);
  });

  it("a failed storage write throws and leaves the value as it was", () => {
    const failing = new FailingStorage();
    const v = new PersistentString("name", { storage: failing, default: "a" });
    v.value = "b";
    failing.fail = true;
    throws(() => (v.value = "c"), /flash write failed/);
    equal(v.value, "b");
    throws(() => v.reset(), /flash write failed/);
    equal(v.value, "b");
    failing.fail = false;
    equal(new PersistentString("name", { storage: failing, default: "a" }).value, "b");
  });

  it("a value saved under another type is coerced on the way in, or the default stands", () => {
    new PersistentString("setting", { storage }).value = "42";
    const asInteger = new PersistentInteger("setting", { storage, default: 1 });
    equal(asInteger.value, 42);
    new PersistentString("other", { storage }).value = "not a number";
    const broken = new PersistentInteger("other", { storage, default: 1 });
    equal(broken.value, 1);
    equal(broken.saved, false);
    broken.value = 5;
    equal(new PersistentInteger("other", { storage }).value, 5, "the next write replaces it");
    new PersistentString("shrunk", { storage }).value = "abcdef";
    equal(new PersistentString("shrunk", { storage, maxBytes: 3 }).value, "abc", "a lowered limit applies on read");
  });

  describe("without a storage option", () => {
    let previous: Host | undefined;
    beforeEach(() => {
      try {
        previous = boundHost();
      } catch {
        previous = undefined;
      }
    });
    afterEach(() => {
      bindHost(previous as Host); // as it was, "no host bound" included
    });

    it("uses the bound host's storage, so an app needs no storage argument", () => {
      const hostStorage = new MemoryStorage();
      bindHost(createTestHost(hostStorage));
      const threshold = new PersistentFloat("threshold", { folder: "sensor", default: 21.5 });
      equal(threshold.value, 21.5);
      threshold.value = 19.25;
      equal(new PersistentFloat("threshold", { folder: "sensor", storage: hostStorage }).value, 19.25);
      ok(hostStorage.keys("sensor").includes("threshold.0"));
    });

    it("can be declared before a host is bound, and takes the storage on first use", () => {
      bindHost(undefined as unknown as Host);
      const early = new PersistentBoolean("early");
      throws(() => early.value, /no host bound/);
      const hostStorage = new MemoryStorage();
      bindHost(createTestHost(hostStorage));
      early.value = true;
      equal(new PersistentBoolean("early", { storage: hostStorage }).value, true);
    });
  });
});
