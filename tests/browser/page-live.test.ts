/// <reference lib="dom" />
/*
 * The page's live side in real Chromium, against the device's GET /events and GET /api/log
 * (the live feature):
 * - the page listens to the event stream and does not poll while it is open: the data table
 *   and the uptime move all the same;
 * - a third page, refused a stream (the device holds two at most), falls back to polling and
 *   is live too;
 * - a task that throws is listed on the overview with its name (complaint 8), and the Logs view
 *   shows the log's last lines and follows new ones.
 * Where the device has no event stream (no live feature), the suite says so and is skipped:
 * tests/browser/page.test.ts and page-layout.test.ts cover polling.
 */

import * as assert from "node:assert/strict";
import { resolve } from "node:path";
import type { Page } from "playwright-core";
import { offlinePage, useBrowser, useSimulator } from "../support/browser";

describe("browser: the page follows the device's event stream", function () {
  this.timeout(90_000);
  const chrome = useBrowser();
  const rig = useSimulator({ prefix: "iot-page-live-", app: resolve(import.meta.dirname, "../fixtures/page-app.ts") });
  before(async function () {
    const html = await (await fetch(`${rig.sim.url}/`)).text();
    if (!html.includes(' data-events="/events"')) {
      console.log("      this device has no GET /events (no live feature): skipped");
      return this.skip();
    }
  });

  async function open(path: string): Promise<{ page: Page; urls: string[] }> {
    const { page } = await offlinePage(chrome.browser, { viewport: { width: 390, height: 844 } });
    const urls: string[] = [];
    page.on("request", (r) => void urls.push(new URL(r.url()).pathname));
    await page.goto(`${rig.sim.url}${path}`);
    return { page, urls };
  }

  const counter = (page: Page): Promise<string | null> => page.locator('tr[data-key="Counter"] td').textContent();

  it("listens to /events instead of polling, and the table moves", async () => {
    const { page, urls } = await open("/");
    await page.waitForFunction(() => document.getElementById("iot-state")?.textContent === "Online");
    const first = await counter(page);
    await page.waitForFunction((v) => document.querySelector('tr[data-key="Counter"] td')?.textContent !== v, first, { timeout: 10_000 });
    const polls = (): number => urls.filter((u) => u === "/data" || u === "/api/status").length;
    assert.ok(urls.includes("/events"), urls.join(" "));
    const before = polls();
    const seen = await counter(page);
    await page.waitForFunction((v) => document.querySelector('tr[data-key="Counter"] td')?.textContent !== v, seen, { timeout: 10_000 });
    assert.equal(polls(), before, "no polling while the stream is open");
    await page.close();
  });

  it("falls back to polling when the device refuses another stream, and stays live", async () => {
    const a = await open("/");
    const b = await open("/");
    await a.page.waitForFunction(() => document.getElementById("iot-state")?.textContent === "Online");
    await b.page.waitForFunction(() => document.getElementById("iot-state")?.textContent === "Online");
    const refused = await fetch(`${rig.sim.url}/events?log=off`);
    assert.equal(refused.status, 503, "two streams are open: a third is refused");
    await refused.body?.cancel();
    const c = await open("/");
    const first = await counter(c.page);
    await c.page.waitForFunction((v) => document.querySelector('tr[data-key="Counter"] td')?.textContent !== v, first, { timeout: 15_000 });
    assert.ok(c.urls.includes("/data"), `the third page polls: ${c.urls.join(" ")}`);
    assert.equal(await c.page.textContent("#iot-state"), "Online");
    for (const p of [a, b, c]) await p.page.close();
  });

  it("keeps one row a key, for keys named like an object's own members too", async () => {
    const { page } = await open("/");
    const errors: string[] = [];
    page.on("pageerror", (e) => void errors.push(e.message));
    await page.waitForFunction(() => document.getElementById("iot-state")?.textContent === "Online");
    // Each key once, each row named by its header: what the server sent and what the script added.
    const rowsRight = (): Promise<string> =>
      page.evaluate(() => {
        const rows = Array.from(document.querySelectorAll("#data-body tr"));
        const keys = rows.map((r) => r.getAttribute("data-key"));
        const heads = rows.map((r) => r.querySelector("th")?.textContent ?? "");
        if (new Set(keys).size !== keys.length) return `a key twice: ${keys.join(", ")}`;
        if (keys.some((k, i) => k !== heads[i])) return `data-key is not the header: ${keys.join(", ")}`;
        return "";
      });
    const seen = await counter(page);
    await page.waitForFunction((v) => document.querySelector('tr[data-key="Counter"] td')?.textContent !== v, seen, { timeout: 10_000 });
    assert.equal(await rowsRight(), "");
    const keys = Object.keys((await (await fetch(`${rig.sim.url}/data`)).json()) as object);
    assert.equal(await page.locator("#data-body tr").count(), keys.length);
    try {
      // Each renamed in turn: its row comes, and the one before it goes.
      let previous = "Counter";
      for (const key of ["constructor", "__proto__", "toString"]) {
        const saved = await fetch(`${rig.sim.url}/api/config`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ "60_CUSTOM_CONFIG": key }) });
        assert.equal(saved.status, 200);
        await page.waitForFunction(
          ([k, gone]) => {
            const heads = Array.from(document.querySelectorAll("#data-body th")).map((th) => th.textContent);
            return heads.includes(k) && !heads.includes(gone);
          },
          [key, previous] as const,
          { timeout: 10_000 },
        );
        assert.equal(await rowsRight(), "", key);
        previous = key;
      }
      assert.deepEqual(errors, [], "the page's script threw");
    } finally {
      await fetch(`${rig.sim.url}/api/config`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ "60_CUSTOM_CONFIG": "Counter" }) });
      await page.close();
    }
  });

  it("lists a task that failed on the overview, and the Logs view follows new lines", async () => {
    const logs = await open("/?view=logs");
    await logs.page.waitForFunction(() => (document.getElementById("iot-log")?.childNodes.length ?? 0) > 0, undefined, { timeout: 10_000 });
    const overview = await open("/");
    await overview.page.waitForFunction(() => document.getElementById("iot-state")?.textContent === "Online");
    const saved = await fetch(`${rig.sim.url}/api/config`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ fail_sensor: true }),
    });
    assert.equal(saved.status, 200);
    await overview.page.waitForFunction(() => !document.getElementById("iot-tasks")?.hidden, undefined, { timeout: 15_000 });
    assert.match((await overview.page.textContent("#iot-tasks-list")) ?? "", /sensor failed .*the sensor stopped answering/);
    const status = (await (await fetch(`${rig.sim.url}/api/status`)).json()) as { tasks: { failed: { name: string }[] } };
    assert.deepEqual(status.tasks.failed.map((f) => f.name), ["sensor"]);
    await logs.page.waitForFunction(() => /the sensor stopped answering/.test(document.getElementById("iot-log")?.textContent ?? ""), undefined, { timeout: 15_000 });
    await logs.page.close();
    await overview.page.close();
  });
});
