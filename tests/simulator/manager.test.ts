/*
 * The simulated device, black box: `npm start`'s entry as its own process on a free port, spoken
 * to over real HTTP (fetch) and raw sockets. Every endpoint, persistence across a reboot, the
 * device's limits, and a clean exit on SIGTERM and SIGINT.
 */

import * as assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import { rawRequest } from "../support/raw-http";
import { startSimulatorProcess, type SimulatorProcess } from "../support/simulator-process";

const JSON_HEADERS = { "content-type": "application/json" };

async function getJson(url: string): Promise<Record<string, unknown>> {
  const res = await fetch(url);
  assert.equal(res.status, 200);
  return (await res.json()) as Record<string, unknown>;
}

describe("simulator: the demo app over HTTP", function () {
  this.timeout(60_000);
  let sim: SimulatorProcess;

  before(async () => {
    sim = await startSimulatorProcess();
  });
  after(async () => {
    await sim?.stop();
  });

  it("prints the listening line and serves the page", async () => {
    assert.match(sim.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${sim.url}/`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(res.headers.get("connection"), "close");
    const page = await res.text();
    assert.match(page, /<h1 class="iot-title" title="IoT Demo Controller">IoT Demo Controller<\/h1>/);
    assert.match(page, /<th scope="row">Key 0<\/th><td>0<\/td>/);
    const settings = await (await fetch(`${sim.url}/?view=settings`)).text();
    assert.match(settings, /name="60_CUSTOM_CONFIG" value="Counter"/);
  });

  it("GET /data: the demo's entries in order, and the task counting every 3 s", async () => {
    const res = await fetch(`${sim.url}/data`);
    assert.equal(res.headers.get("cache-control"), "no-store");
    const first = (await res.json()) as Record<string, string>;
    // The desk lamp's entry comes from the Alexa feature as the app starts, before the task runs.
    assert.deepEqual(Object.keys(first), ["Key 0", "Key 1", "Key 2", "Key 3", "Key 4", "Desk lamp", "Counter", "gmt_time"]);
    assert.deepEqual(Object.values(first).slice(0, 5), ["0", "1", "2", "3", "4"]);
    assert.ok(!Number.isNaN(Date.parse(first.gmt_time)));
    await delay(3300);
    const second = (await getJson(`${sim.url}/data`)) as Record<string, string>;
    assert.ok(Number(second.Counter) > Number(first.Counter), "the task counted on");
    assert.ok(Date.parse(second.gmt_time) > Date.parse(first.gmt_time));
  });

  it("GET /api/status: title, version, uptime, network", async () => {
    const status = await getJson(`${sim.url}/api/status`);
    assert.equal(status.title, "IoT Demo Controller");
    assert.equal(status.version, "1.0.0");
    assert.equal(typeof status.uptime, "number");
    assert.equal((status.network as Record<string, unknown>).mode, "station");
  });

  it("non-ASCII config values round-trip with a right Content-Length", async () => {
    const res = await fetch(`${sim.url}/api/config`, {
      method: "POST",
      headers: JSON_HEADERS,
      body: JSON.stringify({ "60_CUSTOM_CONFIG": "Küche 温度" }),
    });
    assert.equal(res.status, 200);
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.equal(Number(res.headers.get("content-length")), bytes.length);
    assert.equal((JSON.parse(bytes.toString("utf8")) as Record<string, unknown>)["60_CUSTOM_CONFIG"], "Küche 温度");
    const page = await (await fetch(`${sim.url}/?view=settings`)).text();
    assert.match(page, /value="Küche 温度"/);
  });

  it("the settings form saves and redirects back to its view with the outcome", async () => {
    const res = await fetch(`${sim.url}/config`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: sim.url },
      body: "hostname=greenhouse-1&admin_password=",
    });
    assert.equal(res.status, 303);
    const location = res.headers.get("location")!;
    assert.match(location, /^\/\?view=settings&n=\d+$/);
    const page = await (await fetch(new URL(location, sim.url))).text();
    assert.match(page, /id="settings-answer" role="status">Saved: Hostname\./);
  });

  it("answers bad requests with the right status and keeps serving", async () => {
    const bad = await fetch(`${sim.url}/api/config`, { method: "POST", headers: JSON_HEADERS, body: "{oops" });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /not valid JSON/);

    const wrongMethod = await fetch(`${sim.url}/data`, { method: "DELETE" });
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.get("allow"), "GET, HEAD");
    assert.equal((await fetch(`${sim.url}/missing`)).status, 404);

    const big = await fetch(`${sim.url}/api/config`, { method: "POST", headers: JSON_HEADERS, body: JSON.stringify({ x: "a".repeat(5000) }) });
    assert.equal(big.status, 413);

    const headers = await rawRequest(sim.url, `GET /data HTTP/1.1\r\nHost: x\r\nX-Big: ${"b".repeat(3000)}\r\n\r\n`);
    assert.equal(headers.status, 431);

    const longLine = await rawRequest(sim.url, `GET /${"p".repeat(600)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    assert.equal(longLine.status, 414);

    const garbage = await rawRequest(sim.url, "GET / HTTP/1.1\r\nHost x\r\n\r\n");
    assert.equal(garbage.status, 400);

    const chunked = await rawRequest(sim.url, "POST /api/config HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
    assert.equal(chunked.status, 411);

    assert.equal((await fetch(`${sim.url}/data`)).status, 200);
  });

  it("keeps the config across a reboot (POST /api/reboot restarts in-process, same port)", async () => {
    const save = await fetch(`${sim.url}/api/config`, { method: "POST", headers: JSON_HEADERS, body: JSON.stringify({ hostname: "home-net" }) });
    assert.equal(save.status, 200);
    const before = sim.url;
    const reboot = await fetch(`${sim.url}/api/reboot`, { method: "POST", headers: JSON_HEADERS, body: "{}" });
    assert.equal(reboot.status, 202);
    await sim.waitForBoot(2);
    assert.equal(sim.url, before);
    const config = await getJson(`${sim.url}/api/config`);
    assert.equal(config.hostname, "home-net");
    assert.equal(config["60_CUSTOM_CONFIG"], "Küche 温度");
    const status = await getJson(`${sim.url}/api/status`);
    assert.ok((status.uptime as number) < 5, "uptime starts again after the reboot");
  });
});

describe("simulator: process lifecycle", function () {
  this.timeout(60_000);

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`exits cleanly on ${signal}`, async () => {
      const sim = await startSimulatorProcess();
      assert.equal(await sim.stop(signal), 0);
    });
  }

  it("keeps state in --state across separate runs", async () => {
    const first = await startSimulatorProcess();
    const res = await fetch(`${first.url}/api/config`, { method: "POST", headers: JSON_HEADERS, body: JSON.stringify({ "60_CUSTOM_CONFIG": "Visitors" }) });
    assert.equal(res.status, 200);
    const stateDir = first.stateDir;
    first.child.kill("SIGKILL");
    await new Promise((r) => first.child.once("exit", r));
    const second = await startSimulatorProcess({ stateDir });
    try {
      const data = await getJson(`${second.url}/data`);
      assert.ok("Visitors" in data, "the task counts under the saved key name");
      assert.equal((await getJson(`${second.url}/api/config`))["60_CUSTOM_CONFIG"], "Visitors");
    } finally {
      await second.stop();
    }
  });

  it("refuses a bad --port with a clear message", async () => {
    const { spawnSync } = await import("node:child_process");
    const out = spawnSync(process.execPath, ["--import", "tsx", "hosts/node/start.ts", "--port", "eighty"], { encoding: "utf8" });
    assert.equal(out.status, 2);
    assert.match(out.stderr, /--port must be a whole number/);
  });
});
