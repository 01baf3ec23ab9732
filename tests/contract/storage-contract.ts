/*
 * The Storage contract: what every host's storage must do, run against each one that runs
 * here (memory, the simulator's files). The device's Preference cannot run here; its host
 * calls the same checkStorageWrite, so the limits below are the device's own.
 */

import * as assert from "../support/assert";
import type { Storage } from "../../modules/host/storage";

export function storageContract(name: string, make: () => { storage: Storage; reopen: () => Storage }): void {
  describe(`Storage contract: ${name}`, () => {
    it("reads back each kind of value after reopening", () => {
      const { storage, reopen } = make();
      const bytes = new Uint8Array([0, 1, 2, 254, 255]).buffer;
      storage.write("dom", "bool", true);
      storage.write("dom", "int", -2147483648);
      storage.write("dom", "str", "Küche 温度 ✓");
      storage.write("dom", "bin", bytes);
      const again = reopen();
      assert.equal(again.read("dom", "bool"), true);
      assert.equal(again.read("dom", "int"), -2147483648);
      assert.equal(again.read("dom", "str"), "Küche 温度 ✓");
      assert.deepEqual(new Uint8Array(again.read("dom", "bin") as ArrayBuffer), new Uint8Array([0, 1, 2, 254, 255]));
      assert.equal(again.read("dom", "missing"), undefined);
    });

    it("keeps domains apart and lists a domain's keys", () => {
      const { storage } = make();
      storage.write("a", "k", "in a");
      storage.write("b", "k", "in b");
      storage.write("b", "k2", 2);
      assert.equal(storage.read("a", "k"), "in a");
      assert.deepEqual(storage.keys("b").sort(), ["k", "k2"]);
      assert.deepEqual(storage.keys("empty"), []);
    });

    it("removes keys, and removing a missing key is harmless", () => {
      const { storage, reopen } = make();
      storage.write("dom", "k", 1);
      storage.remove("dom", "k");
      storage.remove("dom", "never");
      assert.equal(reopen().read("dom", "k"), undefined);
    });

    it("refuses what the device refuses, and keeps the old value", () => {
      const { storage } = make();
      storage.write("dom", "k", "old");
      assert.throws(() => storage.write("dom", "k", 1.5), /float unsupported/);
      assert.throws(() => storage.write("dom", "k", 2 ** 31), /32-bit/);
      assert.throws(() => storage.write("dom", "k", "x".repeat(4000)), /3999-byte/, "NVS counts a string's NUL");
      assert.throws(() => storage.write("dom", "k", "é".repeat(2000)), /3999-byte/);
      assert.throws(() => storage.write("dom", "k", new ArrayBuffer(4001)), /4000-byte/);
      assert.throws(() => storage.write("dom", "a-sixteen-chars!", 1), /longer than 15/);
      assert.throws(() => storage.write("a-sixteen-chars!", "k", 1), /longer than 15/);
      assert.throws(() => storage.write("dom", "", 1), /non-empty/);
      assert.throws(() => storage.write("dom", "k", null as unknown as string), /unsupported value type/);
      assert.equal(storage.read("dom", "k"), "old");
      storage.write("dom", "k", "x".repeat(3999));
      storage.write("dom", "k", new ArrayBuffer(4000));
      storage.write("dom", "fifteen-chars!!", 1);
    });
  });
}
