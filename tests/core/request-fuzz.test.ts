/*
 * Property-based fuzz (fast-check) of everything the core parses from a client: forms and
 * query strings, JSON bodies, Basic credentials, config changes, and whole requests through
 * manager.handle(). Whatever arrives, the core answers with a proper status and an error that
 * says what is wrong, never throws, and a refused change leaves the saved config as it was.
 */

import fc, { dictionary, jsonValue, scaledRuns } from "../support/fast-check";
import * as assert from "../support/assert";
import { bodyText } from "../support/http-request";
import { createTestHost } from "../support/test-host";
import { FormError, parseForm } from "../../modules/http/form";
import { readJsonObject } from "../../modules/http/request-body";
import { ConfigError } from "../../modules/config/config-error";
import { IotManager } from "../../modules/manager";
import { STATUS_TEXT } from "../../modules/http/response";
import type { HttpRequest } from "../../modules/http/http-message";

const RUNS = { numRuns: scaledRuns(150) };

function demo(): IotManager {
  const iot = new IotManager({ title: "Fuzz" }, createTestHost());
  iot.configAdd({ label: "x", count: 1, on: false });
  iot.data.set("k", "v");
  return iot;
}

const pathArb = fc.oneof(
  fc.constantFrom("/", "/data", "/api/config", "/config", "/api/status", "/api/reboot", "/api/factory-reset", "/app.js"),
  fc.string({ maxLength: 40 }).map((s) => "/" + s),
);
const bodyArb = fc.oneof(
  fc.string({ maxLength: 200 }),
  jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  dictionary(fc.constantFrom("wifi_ssid", "label", "count", "on", "hostname", "admin_password", "clear:wifi_password", "zzz"), fc.string({ maxLength: 40 })).map((d) =>
    Object.entries(d).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&"),
  ),
);
const requestArb: fc.Arbitrary<HttpRequest> = fc.record({
  method: fc.constantFrom("GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"),
  path: pathArb,
  query: fc.string({ maxLength: 30 }),
  headers: fc.record({
    host: fc.constantFrom("192.168.1.50", "iot-123456.local", "evil.example", ""),
    "content-type": fc.constantFrom("application/json", "application/x-www-form-urlencoded", "text/plain", "application/json; charset=utf-8", ""),
    origin: fc.constantFrom("http://192.168.1.50", "http://iot-123456.local", "http://evil.example", "null", ""),
  }),
  body: bodyArb,
});

describe("fuzz: parsing what clients send", () => {
  it("parseForm returns fields or throws FormError, nothing else", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (text) => {
        try {
          const out = parseForm(text);
          assert.equal(typeof out, "object");
        } catch (e) {
          assert.ok(e instanceof FormError, String(e));
        }
      }),
      RUNS,
    );
  });

  it("parseForm reads back any fields a browser encodes, UTF-8 and '+' included", () => {
    fc.assert(
      fc.property(dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.string({ maxLength: 30 }), { maxKeys: 6 }), (fields) => {
        const body = Object.entries(fields)
          .map(([k, v]) => `${encodeURIComponent(k).replace(/%20/g, "+")}=${encodeURIComponent(v).replace(/%20/g, "+")}`)
          .join("&");
        const parsed = parseForm(body);
        for (const key of Object.keys(fields)) assert.equal(parsed[key], fields[key]);
      }),
      RUNS,
    );
  });

  it("readJsonObject never throws; it accepts only JSON objects sent as JSON", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 80 }), jsonValue().map((v) => JSON.stringify(v))), fc.constantFrom("application/json", "text/plain"), (body, type) => {
        const result = readJsonObject({ method: "POST", path: "/", query: "", headers: { "content-type": type }, body });
        if (result.ok) {
          assert.equal(type, "application/json");
          assert.ok(result.value !== null && typeof result.value === "object" && !Array.isArray(result.value));
        } else assert.ok([400, 415].includes(result.response.status));
      }),
      RUNS,
    );
  });

  it("a config change is saved whole or refused with a ConfigError, leaving the config as it was", () => {
    fc.assert(
      fc.property(
        dictionary(fc.constantFrom("wifi_ssid", "label", "count", "on", "hostname", "nope"), fc.oneof(fc.string({ maxLength: 40 }), fc.double(), fc.boolean(), fc.constant(null))),
        (changes) => {
          const iot = demo();
          const before = JSON.stringify(iot.config.publicValues());
          try {
            iot.config.update(changes);
            for (const key of Object.keys(changes)) assert.equal(iot.config.get(key), changes[key]);
          } catch (e) {
            assert.ok(e instanceof ConfigError, String(e));
            assert.ok(Object.keys(changes).includes((e as ConfigError).key), "the error names a key that was sent");
            assert.equal(JSON.stringify(iot.config.publicValues()), before);
          }
        },
      ),
      RUNS,
    );
  });

  it("manager.handle answers every request with a proper status and never throws", () => {
    const iot = demo();
    fc.assert(
      fc.property(requestArb, (request) => {
        const response = iot.handle(request);
        assert.ok(response.status in STATUS_TEXT, `status ${response.status}`);
        const text = bodyText(response);
        if (response.status >= 400) assert.match(text, /"error":"[^"]+/);
        assert.notEqual(response.status, 500, `500 for ${JSON.stringify(request)}: ${text}`);
      }),
      { numRuns: scaledRuns(400) },
    );
  });
});
