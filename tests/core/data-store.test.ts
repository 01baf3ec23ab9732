/*
 * DataStore keeps insertion order, the order of the page and of GET /data, even for keys a
 * plain object would reorder.
 */

import * as assert from "../support/assert";
import { DataStore } from "../../modules/data/data-store";

describe("DataStore", () => {
  it("serialises in insertion order, integer-like keys included", () => {
    const data = new DataStore();
    data.set("zeta", 1).set("10", "ten").set("alpha", true).set("2", null);
    assert.equal(data.toJSONText(), '{"zeta":1,"10":"ten","alpha":true,"2":null}');
  });

  it("keeps the order once the last index-like key is gone, and through clear()", () => {
    const data = new DataStore();
    data.set("b", 1).set("7", 2).set("a", 3);
    assert.equal(data.toJSONText(), '{"b":1,"7":2,"a":3}');
    data.delete("7");
    data.set("4294967295", "not an index").set("01", "not an index either");
    assert.equal(data.toJSONText(), '{"b":1,"a":3,"4294967295":"not an index","01":"not an index either"}');
    data.clear();
    data.set("z", 0).set("0", 1);
    assert.equal(data.toJSONText(), '{"z":0,"0":1}');
  });

  it("updates in place without moving a key", () => {
    const data = new DataStore();
    data.set("a", 1).set("b", 2);
    data.set("a", 3);
    assert.deepEqual(Array.from(data.keys()), ["a", "b"]);
    assert.equal(data.get("a"), 3);
  });

  it("holds JSON values, escaped correctly, non-ASCII intact", () => {
    const data = new DataStore();
    data.set("Küche", "21 °C").set('q"uote', { t: [1, "温度"] });
    assert.equal(data.toJSONText(), '{"Küche":"21 °C","q\\"uote":{"t":[1,"温度"]}}');
    assert.deepEqual(JSON.parse(data.toJSONText()), { "Küche": "21 °C", 'q"uote': { t: [1, "温度"] } });
  });

  it("refuses values JSON cannot carry", () => {
    const data = new DataStore();
    assert.throws(() => data.set("x", undefined as unknown as null), /JSON value/);
    assert.throws(() => data.set("x", NaN), /finite/);
    assert.throws(() => data.set("x", (() => 1) as unknown as null), /JSON value/);
    assert.equal(data.size, 0);
  });

  it("counts changes so a renderer can tell whether anything moved", () => {
    const data = new DataStore();
    const v0 = data.version;
    data.set("a", 1);
    data.delete("a");
    data.delete("a");
    assert.equal(data.version, v0 + 2);
  });

  it("takes any key as data, those an object has by name included", () => {
    const data = new DataStore();
    data.set("__proto__", 1).set("constructor", 2).set("toString", 3).set("hasOwnProperty", "x");
    assert.equal(data.toJSONText(), '{"__proto__":1,"constructor":2,"toString":3,"hasOwnProperty":"x"}');
    assert.equal(data.get("constructor"), 2);
    assert.equal(data.has("valueOf"), false);
    assert.equal(data.get("valueOf"), undefined);
    assert.deepEqual(Array.from(data.keys()), ["__proto__", "constructor", "toString", "hasOwnProperty"]);
  });

  it("keeps size, order and values the same across an index key's coming and going", () => {
    const data = new DataStore();
    data.set("a", 1).set("b", 2);
    data.set("3", 3).set("c", 4);
    assert.equal(data.size, 4);
    assert.deepEqual(Array.from(data), [["a", 1], ["b", 2], ["3", 3], ["c", 4]]);
    assert.equal(data.delete("3"), true);
    assert.equal(data.delete("3"), false);
    assert.equal(data.size, 3);
    data.set("a", 5).set("d", 6);
    assert.deepEqual(Array.from(data.entries()), [["a", 5], ["b", 2], ["c", 4], ["d", 6]]);
    assert.equal(data.toJSONText(), '{"a":5,"b":2,"c":4,"d":6}');
    assert.equal(data.delete("b"), true);
    data.set("b", 7);
    assert.equal(data.toJSONText(), '{"a":5,"c":4,"d":6,"b":7}');
    assert.equal(data.size, 4);
    assert.equal(data.has("b") && !data.has("3"), true);
  });

  it("gives its keys and values as two arrays in the entries' order, in both modes", () => {
    const data = new DataStore();
    data.set("a", 1).set("b", { x: [2] }).set("c", "three");
    assert.deepEqual(data.columns(), [["a", "b", "c"], [1, { x: [2] }, "three"]]);
    data.set("5", null).set("a", true);
    assert.deepEqual(data.columns(), [["a", "b", "c", "5"], [true, { x: [2] }, "three", null]]);
    data.clear();
    assert.deepEqual(data.columns(), [[], []]);
  });

  it("serialises the same as JSON.stringify of the entries, whatever the keys", () => {
    const data = new DataStore();
    const keys = ["x", "0", "y", "1", "01", "-1", "1.5", "4294967294", "4294967295", "z"];
    const expected: string[] = [];
    for (const [i, key] of keys.entries()) {
      data.set(key, i);
      expected.push(`${JSON.stringify(key)}:${i}`);
      assert.equal(data.toJSONText(), `{${expected.join(",")}}`);
    }
  });
});

