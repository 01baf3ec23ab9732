/*
 * GET /metrics from the simulator, checked by Prometheus's own promtool (Debian's prometheus
 * package) and read back by the strict parser: hostile data keys never break the scrape.
 */

import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startSimulator, type Simulator } from "../../hosts/node/simulator";
import { parsePrometheus } from "../support/prometheus-parse";

describe("simulator: Prometheus /metrics", function () {
  this.timeout(30_000);
  let sim: Simulator;
  let stateDir: string;

  before(async () => {
    stateDir = mkdtempSync(join(tmpdir(), "iot-metrics-"));
    sim = await startSimulator({ port: 0, stateDir, app: resolve(import.meta.dirname, "../fixtures/metrics-app.ts"), logSink: () => undefined });
  });
  after(async () => {
    await sim?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("passes promtool check metrics with hostile data keys, and reads back", async () => {
    await (await fetch(`${sim.url}/data`)).text(); // an answer to count
    const res = await fetch(`${sim.url}/metrics`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    const text = await res.text();
    const check = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
    assert.equal(check.error, undefined, "promtool runs (apt-get install prometheus)");
    assert.equal(check.status, 0, `promtool: ${check.stdout}${check.stderr}`);
    assert.equal(`${check.stdout}${check.stderr}`.trim(), "", "no lint findings");
    const { samples, families } = parsePrometheus(text);
    const value = (name: string, key: string): number | undefined => samples.find((s) => s.name === name && s.labels.key === key)?.value;
    assert.equal(value("iot_data", 'he said "hi"'), 1);
    assert.equal(value("iot_data", "line\nfeed"), 3);
    assert.equal(value("iot_data", "Küche 温度"), 21.5);
    assert.equal(value("iot_data", "counter"), 17);
    assert.equal(value("iot_data", "flag"), 1);
    assert.equal(samples.find((s) => s.name === "iot_data_info" && s.labels.key === "text")?.labels.value, 'a "quoted"\\ value\nwith a line feed, ünïcödé');
    assert.ok((samples.find((s) => s.name === "iot_http_requests_total" && s.labels.code === "200")?.value ?? 0) >= 1);
    assert.equal(families.get("iot_http_requests_total")?.type, "counter");
    assert.equal(samples.find((s) => s.name === "iot_info")?.labels.version, "3.1.4");
  });
});
