/*
 * Black box, part 1: the page and the HTTP API of the demo app (main.ts) on a device, as
 * docs/http-api.md and docs/security.md promise them. Run by run-on-sdk.ts against
 * the Moddable simulator, or with IOT_DEVICE_URL against any device (see device.ts); not part of
 * `npm test` (mocha's spec is tests/**\/*.test.ts). Only what a device with no radio and no OTA
 * shows: WiFi and OTA have their own suites against the Node simulator.
 *
 * Expectations are the documented ones, not what today's device build happens to do: a test
 * that fails here names a difference between the device and the docs.
 */

import * as assert from "node:assert/strict";
import { device, getJson, hostHeader, postJson, raw } from "./device";

const APP_KEY = "60_CUSTOM_CONFIG";

describe("device: the page and the HTTP API", function () {
  this.timeout(30_000);

  it("GET / is the page: HTML, the app's title, whole, with the CSP and framing headers", async () => {
    const res = await fetch(`${device().url}/`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(res.headers.get("connection"), "close");
    const csp = res.headers.get("content-security-policy") ?? "";
    assert.match(csp, /(^|;)\s*script-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(res.headers.get("x-frame-options"), "DENY");
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    const page = await res.text();
    assert.match(page, /<title>IoT Demo Controller<\/title>/);
    assert.match(page, /<h1 class="iot-title" title="IoT Demo Controller">IoT Demo Controller<\/h1>/);
    assert.match(page, /<th scope="row">Key 0<\/th><td>0<\/td>/);
    assert.match(page, /<\/html>\s*$/, "the page arrived whole");
  });

  it("GET /data: JSON with a right Content-Length, no-store, the demo's entries in insertion order", async () => {
    const res = await fetch(`${device().url}/data`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
    assert.equal(res.headers.get("cache-control"), "no-store");
    const bytes = Buffer.from(await res.arrayBuffer());
    if (res.headers.has("content-length")) assert.equal(Number(res.headers.get("content-length")), bytes.length);
    const data = JSON.parse(bytes.toString("utf8")) as Record<string, string>;
    const keys = Object.keys(data);
    // main.ts: Key 0..4, the desk lamp Alexa switches (the feature's entry, set as the app
    // starts), then the counter under the key its setting named at boot, then gmt_time.
    assert.deepEqual(keys.slice(0, 6), ["Key 0", "Key 1", "Key 2", "Key 3", "Key 4", "Desk lamp"]);
    assert.deepEqual(Object.values(data).slice(0, 5), ["0", "1", "2", "3", "4"]);
    assert.deepEqual(data["Desk lamp"] as unknown, { on: false, brightness: 50 });
    assert.equal(keys.length, 8, `keys: ${JSON.stringify(keys)}`);
    assert.equal(keys[7], "gmt_time");
    assert.ok(!Number.isNaN(Date.parse(data.gmt_time)), `gmt_time ${data.gmt_time}`);
    assert.match(data[keys[6]], /^\d+$/, "the task's counter");
  });

  it("GET /api/status: title, version, framework, platform, hostname, uptime, network", async () => {
    const status = await getJson("/api/status");
    assert.equal(status.title, "IoT Demo Controller");
    assert.equal(status.version, "1.0.0");
    assert.equal(typeof status.framework, "string");
    assert.equal(typeof status.platform, "string");
    assert.equal(typeof status.hostname, "string");
    assert.ok(typeof status.uptime === "number" && status.uptime >= 0, `uptime ${String(status.uptime)}`);
    const network = status.network as Record<string, unknown>;
    assert.equal(typeof network.mode, "string");
  });

  it("GET /api/config: the settings without their secrets, and which secrets are set", async () => {
    const config = await getJson("/api/config");
    // The lin simulator has no radio and no OTA partitions: the WiFi and OTA features (and
    // their settings) are left out there.
    for (const key of ["hostname", "allowed_hosts", APP_KEY]) assert.ok(key in config, `${key} is listed`);
    for (const secret of ["wifi_password", "wifi_fallback_password", "admin_password"]) assert.ok(!(secret in config), `${secret} is never sent`);
    assert.ok(Array.isArray(config.secrets_set));
  });

  it("POST /api/config saves a valid change (non-ASCII too) and GET /api/config reads it back", async () => {
    const value = "Küche 温度";
    const saved = await postJson("/api/config", { [APP_KEY]: value });
    assert.equal(saved.status, 200, saved.bytes.toString("utf8"));
    assert.equal(Number(saved.headers.get("content-length")), saved.bytes.length, "Content-Length counts the UTF-8 bytes");
    assert.equal((saved.json as Record<string, unknown>)[APP_KEY], value);
    assert.equal((await getJson("/api/config"))[APP_KEY], value);
  });

  it("refuses an unknown key with 400 naming it, and saves nothing", async () => {
    const before = await getJson("/api/config");
    const refused = await postJson("/api/config", { nope: 1 });
    assert.equal(refused.status, 400, refused.bytes.toString("utf8"));
    const body = refused.json as Record<string, unknown>;
    assert.equal(body.key, "nope");
    assert.equal(typeof body.error, "string");
    assert.deepEqual(await getJson("/api/config"), before);
  });

  it("refuses a value of the wrong type with 400 naming the key, and saves none of the change", async () => {
    const before = await getJson("/api/config");
    const refused = await postJson("/api/config", { hostname: "greenhouse-2", [APP_KEY]: 5 });
    assert.equal(refused.status, 400, refused.bytes.toString("utf8"));
    const body = refused.json as Record<string, unknown>;
    assert.equal(body.key, APP_KEY);
    assert.match(String(body.error), /must be a string/);
    assert.deepEqual(await getJson("/api/config"), before, "all or nothing");
  });

  it("refuses a change whose Host names another site with 403 (DNS rebinding), and saves nothing", async () => {
    const before = await getJson("/api/config");
    const body = JSON.stringify({ [APP_KEY]: "rebound" });
    const reply = await raw(
      `POST /api/config HTTP/1.1\r\nHost: attacker.example\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    assert.equal(reply.status, 403, `got ${JSON.stringify(reply.text.slice(0, 160))}`);
    assert.match(JSON.parse(reply.body).error as string, /IP address or its hostname/);
    assert.deepEqual(await getJson("/api/config"), before);
    // The same change addressed to the device's own address is taken: only the Host differed.
    const own = await raw(
      `POST /api/config HTTP/1.1\r\nHost: ${hostHeader()}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    assert.equal(own.status, 200, `got ${JSON.stringify(own.text.slice(0, 160))}`);
  });

  it("answers bad requests with their documented status and a JSON error: 400, 404, 405 with Allow, 415, 501", async () => {
    const badJson = await fetch(`${device().url}/api/config`, { method: "POST", headers: { "content-type": "application/json" }, body: "{oops" });
    assert.equal(badJson.status, 400);
    assert.match(((await badJson.json()) as { error: string }).error, /not valid JSON/);
    const missing = await fetch(`${device().url}/missing`);
    assert.equal(missing.status, 404);
    assert.equal(typeof ((await missing.json()) as { error: unknown }).error, "string");
    const wrongMethod = await fetch(`${device().url}/data`, { method: "DELETE" });
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.get("allow"), "GET, HEAD");
    await wrongMethod.arrayBuffer();
    const notJson = await fetch(`${device().url}/api/config`, { method: "POST", headers: { "content-type": "text/plain" }, body: "a=b" });
    assert.equal(notJson.status, 415);
    await notJson.arrayBuffer();
    const brew = await raw(`BREW /data HTTP/1.1\r\nHost: ${hostHeader()}\r\n\r\n`);
    assert.equal(brew.status, 501, `got ${JSON.stringify(brew.text.slice(0, 120))}`);
  });
});
