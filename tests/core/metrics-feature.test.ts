/*
 * GET /metrics: Prometheus text 0.0.4 from the manager, parsed back strictly, with data keys and
 * values chosen to break a careless exposition (quotes, backslashes, line feeds, non-ASCII),
 * numbers in every form the data may hold, and the answer counters. Runs on Node and on XS.
 */

import { IotManager } from "../../modules/manager";
import { numericValue } from "../../modules/metrics/metrics-feature";
import { labelValue } from "../../modules/metrics/prometheus-text";
import * as assert from "../support/assert";
import { bodyText, request } from "../support/http-request";
import { parsePrometheus, type PromSample } from "../support/prometheus-parse";
import { createTestHost } from "../support/test-host";

const HOSTILE: readonly [string, unknown][] = [
  ['he said "hi"', 1],
  ["back\\slash", 2],
  ["line\nfeed", 3],
  ["Küche 温度", "21.5"],
  ["} 1\n# TYPE evil gauge\nevil", 4],
  ["text", 'a "quoted"\\ value\nwith a line feed'],
  ["hex", "0x10"],
  ["nan", "NaN"],
  ["spaced", " 7 "],
  ["big", "1e3"],
  ["on", true],
  ["off", false],
  ["nothing", null],
  ["list", [1, 2]],
];

/** A manager whose features have started (run() attaches them; the in-memory server listens). */
function started(options: ConstructorParameters<typeof IotManager>[0] = {}): IotManager {
  const iot = new IotManager(options, createTestHost());
  void iot.run();
  return iot;
}

function scrape(iot: IotManager): { text: string; samples: PromSample[]; contentType: string | undefined } {
  const res = iot.handle(request("GET", "/metrics"));
  assert.equal(res.status, 200);
  const text = bodyText(res);
  return { text, samples: parsePrometheus(text).samples, contentType: res.headers?.["content-type"] };
}

function find(samples: PromSample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.find((s) => s.name === name && Object.keys(labels).every((k) => s.labels[k] === labels[k]));
  return found?.value;
}

describe("metrics: GET /metrics", () => {
  it("is Prometheus text 0.0.4 with the device's families, each declared once before its samples", () => {
    const iot = started({ title: "T", version: "1.2.3" });
    const { samples, contentType } = scrape(iot);
    assert.equal(contentType, "text/plain; version=0.0.4; charset=utf-8");
    assert.equal(find(samples, "iot_up"), 1);
    assert.equal(find(samples, "iot_uptime_seconds"), 0);
    assert.equal(find(samples, "iot_info", { version: "1.2.3", platform: "test", hostname: "iot-123456" }), 1);
  });

  it("reads every hostile key and value back exactly, numbers as numbers and the rest as labels", () => {
    const iot = started();
    for (const [key, value] of HOSTILE) iot.data.set(key, value as never);
    const { samples, text } = scrape(iot);
    assert.notMatch(text, /^evil /m, "a key cannot start a line of its own");
    assert.equal(find(samples, "iot_data", { key: 'he said "hi"' }), 1);
    assert.equal(find(samples, "iot_data", { key: "back\\slash" }), 2);
    assert.equal(find(samples, "iot_data", { key: "line\nfeed" }), 3);
    assert.equal(find(samples, "iot_data", { key: "Küche 温度" }), 21.5);
    assert.equal(find(samples, "iot_data", { key: "} 1\n# TYPE evil gauge\nevil" }), 4);
    assert.equal(find(samples, "iot_data", { key: "spaced" }), 7);
    assert.equal(find(samples, "iot_data", { key: "big" }), 1000);
    assert.equal(find(samples, "iot_data", { key: "on" }), 1);
    assert.equal(find(samples, "iot_data", { key: "off" }), 0);
    assert.equal(find(samples, "iot_data_info", { key: "text", value: 'a "quoted"\\ value\nwith a line feed' }), 1);
    assert.equal(find(samples, "iot_data_info", { key: "hex", value: "0x10" }), 1, "only decimal numbers are numbers");
    assert.equal(find(samples, "iot_data_info", { key: "nan", value: "NaN" }), 1);
    assert.equal(samples.filter((s) => s.labels.key === "nothing" || s.labels.key === "list").length, 0, "null and arrays are left out");
  });

  it("counts the answers by status code", () => {
    const iot = started();
    // The server counts; handle() alone does not answer on a socket, so tell the events.
    for (const status of [200, 200, 404, 503]) iot.events.emit("answer", status);
    const { samples } = scrape(iot);
    assert.equal(find(samples, "iot_http_requests_total", { code: "200" }), 2);
    assert.equal(find(samples, "iot_http_requests_total", { code: "404" }), 1);
    assert.equal(find(samples, "iot_http_requests_total", { code: "503" }), 1);
  });

  it("is readable without the admin password, like /data, and can be switched off", () => {
    const iot = started();
    iot.config.set("admin_password", "s3cret pass");
    assert.equal(iot.handle(request("GET", "/metrics")).status, 200);
    const off = started({ metrics: false });
    assert.equal(off.handle(request("GET", "/metrics")).status, 404);
  });

  it("takes only decimal numbers as numbers, and escapes only what the format needs", () => {
    assert.equal(numericValue("-0.5"), -0.5);
    assert.equal(numericValue(".5"), 0.5);
    assert.equal(numericValue("5."), 5);
    assert.equal(numericValue("Infinity"), undefined);
    assert.equal(numericValue("1_000"), undefined);
    assert.equal(numericValue(""), undefined);
    assert.equal(labelValue('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
    assert.equal(labelValue("plain 温度"), "plain 温度");
  });
});
