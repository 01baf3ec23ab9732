/// <reference lib="dom" />
/*
 * The device's page in real Chromium: the data table refreshes by itself, a setting saves
 * through the form (answered in place with script, through a 303 and the notice without), the
 * page upgrades to Bootstrap only when the browser can load it (and looks right without it), a
 * factory reset answers beside its button and the page then shows the fresh settings, and no
 * payload from data, config or titles ever runs.
 */

import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Page } from "playwright-core";
import { offlinePage, useBrowser, useSimulator } from "../support/browser";
import { startSimulatorProcess, type SimulatorProcess } from "../support/simulator-process";

const BOOTSTRAP = readFileSync(resolve(import.meta.dirname, "../../node_modules/bootstrap/dist/css/bootstrap.min.css"));

describe("browser: the device's page", function () {
  this.timeout(60_000);
  const chrome = useBrowser();
  let sim: SimulatorProcess;
  before(async () => {
    sim = await startSimulatorProcess();
  });
  after(async () => {
    await sim?.stop();
  });

  async function open(cdn: "fulfil" | "abort", path = "/"): Promise<Page> {
    const { page } = await offlinePage(chrome.browser, { bootstrap: cdn === "fulfil" ? BOOTSTRAP : undefined });
    await page.goto(`${sim.url}${path}`);
    return page;
  }

  it("refreshes the data table without reloading the page", async () => {
    const page = await open("abort");
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    const cell = page.locator('tr[data-key="Counter"] td');
    const first = await cell.textContent();
    await page.waitForFunction((v) => document.querySelector('tr[data-key="Counter"] td')?.textContent !== v, first, { timeout: 15_000 });
    assert.equal(await page.evaluate(() => (window as unknown as { marker: number }).marker), 42, "the page was not reloaded");
    await page.close();
  });

  it("saves a setting through the form and answers beside it, without leaving the view", async () => {
    const page = await open("abort");
    await page.click('nav a[href="/?view=settings"]');
    await page.waitForURL(/\?view=settings$/);
    await page.fill('input[name="60_CUSTOM_CONFIG"]', "Visitors");
    await page.click('#settings-form button[type="submit"]');
    await page.waitForFunction(() => /^Saved: 60_CUSTOM_CONFIG\.$/.test(document.getElementById("settings-answer")?.textContent ?? ""));
    assert.match((await page.getAttribute("#settings-answer", "class")) ?? "", /alert-success/);
    assert.equal(new URL(page.url()).search, "?view=settings", "answered in place");
    const config = (await (await fetch(`${sim.url}/api/config`)).json()) as Record<string, unknown>;
    assert.equal(config["60_CUSTOM_CONFIG"], "Visitors");
    await page.close();
  });

  it("saves with JavaScript off: a 303 back to the view and the notice beside the form", async () => {
    const context = await chrome.browser.newContext({ javaScriptEnabled: false });
    const { page } = await offlinePage(context);
    await page.goto(`${sim.url}/?view=settings`);
    await page.fill('input[name="60_CUSTOM_CONFIG"]', "Guests");
    await Promise.all([page.waitForURL(/\/\?view=settings&n=\d+$/), page.click('#settings-form button[type="submit"]')]);
    assert.equal(await page.textContent("#settings-answer"), "Saved: 60_CUSTOM_CONFIG.");
    assert.equal(await page.inputValue('input[name="60_CUSTOM_CONFIG"]'), "Guests");
    // The notice is shown once: the same address again shows nothing new.
    await page.reload();
    assert.equal(await page.isHidden("#settings-answer"), true);
    await context.close();
  });

  it("uses Bootstrap when the browser can load it", async () => {
    const page = await open("fulfil", "/?view=settings");
    await page.waitForFunction(() => document.documentElement.classList.contains("bs"));
    // Bootstrap's own rule, not the built-in one, styles the button now.
    const radius = await page.$eval(".btn-primary", (el) => getComputedStyle(el).borderTopLeftRadius);
    assert.equal(radius, "6px");
    await page.close();
  });

  it("looks right with the built-in stylesheet when Bootstrap cannot load, without waiting for it", async () => {
    const page = await open("abort", "/?view=settings");
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => document.documentElement.classList.contains("bs")), false);
    const bg = await page.$eval(".btn-primary", (el) => getComputedStyle(el).backgroundColor);
    assert.equal(bg, "rgb(13, 110, 253)");
    const card = await page.$eval(".card", (el) => getComputedStyle(el).backgroundColor);
    assert.equal(card, "rgb(255, 255, 255)");
    await page.close();
  });

  // Last: it erases the simulator's settings.
  it("factory reset answers beside its button, then the page shows the fresh settings", async () => {
    const save = await fetch(`${sim.url}/api/config`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ "60_CUSTOM_CONFIG": "keep-me" }),
    });
    assert.equal(save.status, 200);
    const page = await open("abort", "/?view=settings");
    // Not confirmed: the browser itself refuses (the box is required), nothing is sent.
    await page.click('#reset-form button[type="submit"]');
    await page.waitForTimeout(300);
    const kept = (await (await fetch(`${sim.url}/api/config`)).json()) as Record<string, unknown>;
    assert.equal(kept["60_CUSTOM_CONFIG"], "keep-me", "unconfirmed: nothing erased");
    assert.equal(await page.isHidden("#reset-answer"), true);
    await page.check("#reset-confirm");
    await page.click('#reset-form button[type="submit"]');
    await page.waitForFunction(() => /Every setting is erased/.test(document.getElementById("reset-answer")?.textContent ?? ""));
    // Complaint 5: the answer is beside the button that was pressed, not at the top of the page.
    const button = (await page.locator('#reset-form button[type="submit"]').boundingBox())!;
    const box = (await page.locator("#reset-answer").boundingBox())!;
    assert.ok(box.y - (button.y + button.height) < 40 && box.y > button.y, `answer ${box.y}, button ${button.y}`);
    await sim.waitForBoot(2);
    // The page reloads by itself from the new boot: the fresh settings, not the old ones.
    await page.waitForURL(`${sim.url}/`, { timeout: 20_000 });
    await page.goto(`${sim.url}/?view=settings`);
    assert.equal(await page.inputValue('input[name="60_CUSTOM_CONFIG"]'), "Counter");
    const erased = (await (await fetch(`${sim.url}/api/config`)).json()) as Record<string, unknown>;
    assert.equal(erased["60_CUSTOM_CONFIG"], "Counter");
    await page.close();
  });
});

describe("browser: hostile values are shown as text", function () {
  this.timeout(60_000);
  const chrome = useBrowser();
  const rig = useSimulator({ prefix: "iot-hostile-", app: resolve(import.meta.dirname, "../fixtures/hostile-app.ts") });

  it("runs no payload from data, config or title, on load or on refresh", async () => {
    const { page, dialogs } = await offlinePage(chrome.browser);
    await page.goto(`${rig.sim.url}/`);
    await page.waitForFunction(() => /tick [3-9]/.test(document.querySelector('tr[data-key="live"] td')?.textContent ?? ""));
    await page.hover("#data");
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: string }).__xss), undefined);
    assert.deepEqual(dialogs, []);
    assert.equal(await page.locator("img").count(), 0);
    assert.match((await page.locator("h1").textContent()) ?? "", /^<script>window.__xss="title"<\/script>Küche$/);
    assert.match(await page.locator("#data").innerText(), /<script>window.__xss="value"<\/script>/);
    assert.match(await page.locator("#data").innerText(), /Küche\s+温度 21°/);
    await page.goto(`${rig.sim.url}/?view=settings`);
    assert.equal(await page.inputValue('input[name="greeting"]'), `"><img src=x onerror="window.__xss='config'">`);
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: string }).__xss), undefined);
    assert.deepEqual(dialogs, []);
    await page.close();
  });
});
