/*
 * The page's data table (modules/web/page.ts): its rows are checked whole (every key joined,
 * every value as one JSON text) and escaped one by one only when that check finds something;
 * with no structured value, a value goes in as its String().
 * These hold it to the plain definition, one row at a time, each key and value through
 * escapeHtml: for any keys and values, in both of the store's modes (an object, and the Map an
 * index key switches it to), across the batches the rows go out in.
 */

import fc, { jsonValue, scaledRuns } from "../support/fast-check";
import * as assert from "../support/assert";
import { bodyText, request } from "../support/http-request";
import { createTestHost } from "../support/test-host";
import { IotManager } from "../../modules/manager";
import type { DataValue } from "../../modules/data/data-store";
import { escapeHtml, needsEscape } from "../../modules/text/escape-html";

function manager(): IotManager {
  return new IotManager({ title: "T", version: "1", features: [] }, createTestHost());
}

/** The table's body as the page shows it. */
function tableBody(iot: IotManager): string {
  const page = bodyText(iot.handle(request("GET", "/")));
  const start = page.indexOf('<tbody id="data-body">') + '<tbody id="data-body">'.length;
  return page.slice(start, page.indexOf("</tbody>", start));
}

/** The definition: each row on its own, each string escaped, a value that is not a string as its JSON text. */
function reference(entries: [string, DataValue][]): string {
  let out = "";
  for (const [key, value] of entries) {
    const text = typeof value === "string" ? value : JSON.stringify(value);
    out += `<tr><th scope="row">${escapeHtml(key)}</th><td>${escapeHtml(text)}</td></tr>`;
  }
  return out;
}

describe("page: the data table", () => {
  it("shows plain rows as they are, and says 'No data yet.' only when there are none", () => {
    const iot = manager();
    assert.match(bodyText(iot.handle(request("GET", "/"))), /<p class="small text-muted mb-0" id="data-empty">No data yet\.<\/p>/);
    for (let i = 0; i < 40; i++) iot.data.set(`sensor_${i}`, `${i} °C`);
    iot.data.set("n", 21.5).set("ok", true).set("none", null);
    const entries = Array.from(iot.data.entries());
    assert.equal(tableBody(iot), reference(entries));
    assert.match(bodyText(iot.handle(request("GET", "/"))), /id="data-empty" hidden>No data yet\./);
  });

  it("escapes a row's strings when any key or value needs it, and every structured value", () => {
    // Each case alone among plain rows: the one string that needs escaping is what the check must find.
    const cases: [string, DataValue][] = [
      ["list", ["<b>", 1]],
      ["object", { 'a"': "it's" }],
      ["k3", `"><img src=x onerror=alert(1)>`],
      ["<script>", "x"],
      ["quote", 'a " inside'],
      ["back\\", "a backslash before the quote: \\"],
      ["amp", "&amp;"],
      ["apostrophe", "it's"],
      ['key"', "x"],
      ["a],[b", 1],
      ["brackets", "[1] {2}"],
      ["number", 1e21],
    ];
    for (const [key, value] of cases) {
      const iot = manager();
      for (let i = 0; i < 20; i++) iot.data.set(`k${i}`, `v${i}`);
      iot.data.set(key, value);
      assert.equal(tableBody(iot), reference(Array.from(iot.data.entries())), `${key}: ${JSON.stringify(value)}`);
    }
  });

  it("equals the row-by-row definition for any keys and values, in both of the store's modes", () => {
    // "," and ":" as a whole string, or beside a quote, are what the JSON text's separators look like.
    const markup = fc.constantFrom("&", "<", ">", '"', "'", "\\", "a", "é", "1", " ", ",", ":", '","', '":"');
    const text = fc.oneof(fc.string({ maxLength: 12 }), fc.array(markup, { maxLength: 8 }).map((parts) => parts.join("")));
    const value: fc.Arbitrary<DataValue> = fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null), jsonValue({ maxDepth: 2 }) as fc.Arbitrary<DataValue>);
    fc.assert(
      fc.property(fc.array(fc.tuple(text, value), { maxLength: 40 }), fc.boolean(), (pairs, indexKey) => {
        const iot = manager();
        for (const [key, v] of pairs) iot.data.set(key, v);
        if (indexKey) iot.data.set("7", "<seven>");
        return tableBody(iot) === reference(Array.from(iot.data.entries()));
      }),
      { numRuns: scaledRuns(100) },
    );
  });
});

describe("page: the data table's rows, for strings made of JSON's and the row's own punctuation", () => {
  it("are the definition's rows when every value is a string, across batches, and with one that is not", () => {
    // Strings made of what a JSON text's separators are made of, beside one value of another kind.
    const piece = fc.constantFrom("a", "1", " ", ",", ":", "", "é", "x,", ",x", ":x", "x:", "°C", "[", "{", "}");
    const text = fc.array(piece, { maxLength: 4 }).map((parts) => parts.join(""));
    const other: fc.Arbitrary<DataValue> = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.constant([1, "a"]), fc.constant({ k: "v" }));
    fc.assert(
      fc.property(fc.array(fc.tuple(text, text), { minLength: 1, maxLength: 70 }), fc.option(fc.nat(69)), other, (pairs, at, odd) => {
        const iot = manager();
        pairs.forEach(([key, value], i) => iot.data.set(key, i === at ? odd : value));
        return tableBody(iot) === reference(Array.from(iot.data.entries()));
      }),
      { numRuns: scaledRuns(300) },
    );
  });

  it("are the definition's rows for strings that look like a JSON text's separators", () => {
    for (const tricky of [",", ":", "", '","', '":"', ",:", ":,", "a,", ",a", "a:", ":a"]) {
      for (const asKey of [false, true]) {
        const iot = manager();
        for (let i = 0; i < 40; i++) iot.data.set(`k${i}`, `v${i}`);
        if (asKey) iot.data.set(tricky, "x");
        else iot.data.set("tricky", tricky);
        iot.data.set("after", "y");
        assert.equal(tableBody(iot), reference(Array.from(iot.data.entries())), `${asKey ? "key" : "value"} ${JSON.stringify(tricky)}`);
      }
    }
  });
});

describe("needsEscape", () => {
  it("is true exactly when escapeHtml would change the text", () => {
    fc.assert(fc.property(fc.string({ maxLength: 30 }), (t) => needsEscape(t) === (escapeHtml(t) !== t)), { numRuns: scaledRuns(300) });
    for (const c of ["&", "<", ">", '"', "'"]) assert.equal(needsEscape(`a${c}b`), true);
    assert.equal(needsEscape("Küche 温度 21°"), false);
  });
});
