/*
 * A power cut at every step of a write never leaves a persistent variable unreadable: after the
 * "reboot" (a new instance over the same storage) it reads its old value or its new one, and
 * once the cut comes after the write's last step, the new one. Checked for every type, for a
 * first write (old = the default), for later writes (each slot of the record in turn), and for
 * reset(). PowerCutStorage tears a write the way the device's Preference.set can (erase, half,
 * whole). Explicit cases: runs on XS too; the fast-check version is in persistent-properties.
 */

import { ok } from "../support/assert";
import { cutEverywhere, type MakeVariable } from "../support/cut-everywhere";
import { PersistentBoolean } from "../../modules/persistent/persistent-boolean";
import { PersistentFloat } from "../../modules/persistent/persistent-float";
import { PersistentHex } from "../../modules/persistent/persistent-hex";
import { PersistentInteger } from "../../modules/persistent/persistent-integer";
import { PersistentJson } from "../../modules/persistent/persistent-json";
import { PersistentList } from "../../modules/persistent/persistent-list";
import { PersistentRange } from "../../modules/persistent/persistent-range";
import { PersistentRgb } from "../../modules/persistent/persistent-rgb";
import { PersistentSet } from "../../modules/persistent/persistent-set";
import { PersistentString } from "../../modules/persistent/persistent-string";

const CASES: readonly (readonly [string, MakeVariable, readonly unknown[]])[] = [
  ["boolean", (s) => new PersistentBoolean("b", { storage: s }), [true, false, true]],
  ["integer", (s) => new PersistentInteger("i", { storage: s, default: 3 }), [-2147483648, 2147483647, 0]],
  ["float", (s) => new PersistentFloat("fifteen-chars-f", { storage: s }), [0.1, -0, 5e-324, 1.7976931348623157e308]],
  ["string", (s) => new PersistentString("s", { storage: s, default: "d" }), ["", "é😀", "x".repeat(500)]],
  ["json", (s) => new PersistentJson("j", { storage: s }), [{ a: [1, 2] }, null, "text", [true]]],
  ["set", (s) => new PersistentSet("set", { storage: s }), [["a", "b"], [], [1, "1"]]],
  ["list", (s) => new PersistentList("fifteen-chars-l", { storage: s }), [[1, 1], ["z"], []]],
  ["range", (s) => new PersistentRange("r", { storage: s, min: 0, max: 10, step: 0.5 }), [2.5, 10, 0]],
  ["rgb", (s) => new PersistentRgb("c", { storage: s }), ["#ff0000", "#00ff00", "#000000"]],
  ["hex", (s) => new PersistentHex("h", { storage: s }), ["0xff", "0x0", "0x1fffffffffffff"]],
];

describe("persistent variables across power cuts", () => {
  for (const [type, make, values] of CASES) {
    it(`${type}: every cut during the first write reads the default or the new value`, () => {
      ok(cutEverywhere(make, [], (v) => v.write(values[0])) >= 2);
    });

    it(`${type}: every cut during each later write reads the old or the new value`, () => {
      for (let i = 1; i < values.length; i++) {
        const tried = cutEverywhere(make, values.slice(0, i), (v) => v.write(values[i]));
        ok(tried >= 2, `write ${i} took ${tried - 1} steps`);
      }
    });

    it(`${type}: every cut during reset reads the old value or the default`, () => {
      cutEverywhere(make, values.slice(0, 1), (v) => v.reset());
      cutEverywhere(make, values, (v) => v.reset());
    });
  }
});
