/*
 * The persistent-variables feature: the page's inputs fit each type and escape every value and
 * label; GET/POST /api/variables and the form POST /variables validate with the variables' own
 * coercion, write all of a request's changes or none, and write nothing for unchanged values.
 */

import { deepEqual, equal, match, notMatch, ok, throws } from "../support/assert";
import { bodyJson, bodyText, formRequest, jsonRequest, request } from "../support/http-request";
import { MemoryStorage } from "../support/memory-storage";
import { featureContext } from "../support/feature-context";
import { createTestHost } from "../support/test-host";
import { Config } from "../../modules/config/config";
import { DataStore } from "../../modules/data/data-store";
import type { Feature } from "../../modules/feature";
import type { HttpRequest, HttpResponse } from "../../modules/http/http-message";
import { Router } from "../../modules/http/router";
import { Logger } from "../../modules/log/logger";
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
import { persistentVariablesFeature } from "../../modules/persistent/persistent-variables-feature";

function makeVariables(storage: MemoryStorage) {
  return {
    enabled: new PersistentBoolean("enabled", { storage, default: true, label: "Enabled" }),
    count: new PersistentInteger("count", { storage }),
    threshold: new PersistentFloat("threshold", { storage, folder: "sensor", default: 21.5 }),
    note: new PersistentString("note", { storage, default: '"><script>x</script>', label: "<b>Note</b> & 'more'" }),
    doc: new PersistentJson("doc", { storage, default: { html: "</textarea><script>" } }),
    tags: new PersistentSet("tags", { storage, default: ["a"] }),
    items: new PersistentList("items", { storage }),
    level: new PersistentRange("level", { storage, min: 0, max: 10, step: 0.5, default: 2 }),
    led: new PersistentRgb("led", { storage, default: "#f00" }),
    mask: new PersistentHex("mask", { storage, default: 255 }),
  };
}

describe("persistent variables feature", () => {
  let storage: MemoryStorage;
  let vars: ReturnType<typeof makeVariables>;
  let feature: Feature;
  let router: Router;

  function handle(req: HttpRequest): HttpResponse {
    return router.handle(req);
  }

  beforeEach(() => {
    storage = new MemoryStorage();
    vars = makeVariables(storage);
    feature = persistentVariablesFeature(Object.values(vars));
    router = new Router();
    const host = createTestHost(storage);
    feature.attach(featureContext(host, { router }));
  });

  it("renders an input that fits each type", () => {
    const html = Array.from(feature.pageSection!()).join("");
    match(html, /<input type="hidden" name="vars\/enabled" value="false"><input class="form-check-input" type="checkbox" id="pv-0" name="vars\/enabled" value="true" checked>/);
    match(html, /type="number" id="pv-1" name="vars\/count" value="0" min="-2147483648" max="2147483647" step="1">/);
    match(html, /type="number" id="pv-2" name="sensor\/threshold" value="21.5" step="any">/);
    match(html, /type="number" id="pv-7" name="vars\/level" value="2" min="0" max="10" step="0.5">/);
    match(html, /type="color" id="pv-8" name="vars\/led" value="#ff0000">/);
    match(html, /type="text" id="pv-9" name="vars\/mask" value="0xff" pattern="[^"]+">/);
    match(html, /<textarea[^>]* name="vars\/tags">\n\[&quot;a&quot;\]<\/textarea>/);
    match(html, /<form id="variables-form" method="post" action="\/variables" accept-charset="utf-8" data-answer="auto"/);
    match(html, /<div class="iot-answer" id="variables-answer" role="status" hidden><\/div><\/form>/, "its answer beside it");
  });

  it("escapes every value and label", () => {
    const html = Array.from(feature.pageSection!()).join("");
    notMatch(html, /<script>|<b>/);
    match(html, /value="&quot;&gt;&lt;script&gt;x&lt;\/script&gt;"/);
    match(html, /&lt;b&gt;Note&lt;\/b&gt; &amp; &#39;more&#39;<\/label>/);
    match(html, /&lt;\/textarea&gt;&lt;script&gt;/);
  });

  it("shows a string with line breaks in a textarea, so saving the form keeps them", () => {
    vars.note.value = "line 1\nline 2";
    const html = Array.from(feature.pageSection!()).join("");
    match(html, /<textarea[^>]* name="vars\/note">\nline 1\nline 2<\/textarea>/);
    equal(handle(formRequest("/variables", "vars%2Fnote=line+1%0D%0Aline+2")).status, 303);
    equal(vars.note.value, "line 1\nline 2", "CRLF from the browser is LF again");
  });

  it("GET /api/variables lists every value by folder/name", () => {
    const body = bodyJson(handle(request("GET", "/api/variables"))) as Record<string, unknown>;
    deepEqual(Object.keys(body), ["vars/enabled", "vars/count", "sensor/threshold", "vars/note", "vars/doc", "vars/tags", "vars/items", "vars/level", "vars/led", "vars/mask"]);
    equal(body["sensor/threshold"], 21.5);
    deepEqual(body["vars/tags"], ["a"]);
  });

  it("POST /api/variables coerces like value = ..., saves, and answers the new values", () => {
    const response = handle(jsonRequest("POST", "/api/variables", {
      "sensor/threshold": "22.25", "vars/led": [0, 0, 255], "vars/level": 7.3, "vars/tags": ["b", "b", "c"], "vars/enabled": "off",
    }));
    equal(response.status, 200, bodyText(response));
    const body = bodyJson(response) as Record<string, unknown>;
    equal(body["sensor/threshold"], 22.25);
    equal(body["vars/led"], "#0000ff");
    equal(body["vars/level"], 7.5);
    deepEqual(body["vars/tags"], ["b", "c"]);
    equal(body["vars/enabled"], false);
    equal(new PersistentFloat("threshold", { storage, folder: "sensor" }).value, 22.25, "saved");
  });

  it("POST /api/variables refuses a bad value, naming it, and writes none of the request", () => {
    const writes = storage.writes;
    const response = handle(jsonRequest("POST", "/api/variables", { "vars/count": 5, "vars/led": "blue" }));
    equal(response.status, 400);
    const body = bodyJson(response) as { error: string; variable: string };
    equal(body.variable, "vars/led");
    match(body.error, /^vars\/led: cannot store "blue" as rgb/);
    equal(vars.count.value, 0);
    equal(storage.writes, writes);
    const unknown = handle(jsonRequest("POST", "/api/variables", { "vars/count": 5, "vars/nope": 1 }));
    equal(unknown.status, 400);
    match(bodyText(unknown), /unknown variable/);
    equal(vars.count.value, 0);
    equal(handle(request("POST", "/api/variables", { body: "{}", headers: { "content-type": "text/plain" } })).status, 415);
  });

  it("POST /api/variables writes nothing for values that do not change", () => {
    const writes = storage.writes;
    const response = handle(jsonRequest("POST", "/api/variables", { "sensor/threshold": 21.5, "vars/mask": "0xFF", "vars/tags": ["a"] }));
    equal(response.status, 200);
    equal(storage.writes, writes);
  });

  it("answers the page's script in JSON, naming what was saved", () => {
    const ok = handle(formRequest("/variables", "vars%2Fcount=9&vars%2Fenabled=false&vars%2Fenabled=true", undefined, { accept: "application/json" }));
    equal(ok.status, 200);
    deepEqual(bodyJson(ok), { message: "Saved: count." });
    deepEqual(bodyJson(handle(formRequest("/variables", "vars%2Fcount=9", undefined, { accept: "application/json" }))), { message: "Nothing changed." });
  });

  it("POST /variables takes the page's form: text parsed by the same coercion, JSON fields as JSON", () => {
    const form = [
      "vars%2Fenabled=false", // the hidden field; the unticked box sends nothing more
      "vars%2Fcount=42", "sensor%2Fthreshold=19.5", "vars%2Fled=%2300ff00", "vars%2Fmask=1F",
      "vars%2Fitems=%5B1%2C%22x%22%2C1%5D", "vars%2Fdoc=%7B%22k%22%3A%5Btrue%5D%7D",
    ].join("&");
    const response = handle(formRequest("/variables", form));
    equal(response.status, 303, bodyText(response));
    match(response.headers?.location ?? "", /^\/\?view=variables&n=\d+$/, "back to the card's view");
    equal(vars.enabled.value, false);
    equal(vars.count.value, 42);
    equal(vars.threshold.value, 19.5);
    equal(vars.led.value, "#00ff00");
    equal(vars.mask.value, "0x1f");
    deepEqual(vars.items.value, [1, "x", 1]);
    deepEqual(vars.doc.value, { k: [true] });
    handle(formRequest("/variables", "vars%2Fenabled=false&vars%2Fenabled=true"));
    equal(vars.enabled.value, true, "a ticked box's value follows the hidden one");
  });

  it("POST /variables refuses bad fields and foreign pages, writing nothing", () => {
    const writes = storage.writes;
    const json = { accept: "application/json" };
    const bad = handle(formRequest("/variables", "vars%2Fcount=7&vars%2Fitems=%5Bnot+json", undefined, json));
    equal(bad.status, 400);
    match(bodyText(bad), /"error":"Not saved: vars\/items: cannot store .* as list: not valid JSON/);
    equal((bodyJson(bad) as { key: string }).key, "vars/items", "the field to mark");
    equal(handle(formRequest("/variables", "vars%2Fcount=", "http://192.168.1.50", json)).status, 400, "an empty number");
    equal(handle(formRequest("/variables", "vars%2Fcount=", "http://192.168.1.50")).status, 303, "without script: back to the view, with the answer");
    equal(handle(formRequest("/variables", "vars%2Fcount=7", "http://evil.example")).status, 403);
    equal(vars.count.value, 0);
    equal(storage.writes, writes);
  });

  it("refuses the same variable listed twice", () => {
    throws(() => persistentVariablesFeature([vars.count, vars.count]), /vars\/count is listed twice/);
  });
});
