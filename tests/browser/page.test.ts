/// <reference lib="dom" />
/*
 * The device's page in real Chromium: the data table refreshes by itself, a setting saves
 * through the form, the page upgrades to Bootstrap only when the browser can load it (and
 * looks right without it), and no payload from data, config or titles ever runs.
 */

import * as assert from "node:assert/strict";
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { hasChromium, launchBrowser } from "../support/browser";
import { startSimulatorProcess, type SimulatorProcess } from "../support/simulator-process";
import { startSimulator, type Simulator } from "../../hosts/node/simulator";

const BOOTSTRAP = readFileSync(resolve(import.meta.dirname, "../../node_modules/bootstrap/dist/css/bootstrap.min.css"));

describe("browser: the device's page", function () {
  this.timeout(60_000);
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let sim: SimulatorProcess;

  before(async function () {
    if (!hasChromium()) return this.skip(); // .ci/run installs Debian's chromium; without it there is no browser to drive.
    ({ browser, close: closeBrowser } = await launchBrowser());
    sim = await startSimulatorProcess();
  });
  after(async () => {
    await sim?.stop();
    await closeBrowser?.();
  });

  async function open(cdn: "fulfil" | "abort"): Promise<Page> {
    const page = await browser.newPage();
    await page.route("https://cdn.jsdelivr.net/**", (route) =>
      cdn === "fulfil" ? route.fulfill({ status: 200, contentType: "text/css", body: BOOTSTRAP }) : route.abort("internetdisconnected"),
    );
    await page.goto(`${sim.url}/`);
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

  it("saves a setting through the form and shows the outcome", async () => {
    const page = await open("abort");
    await page.fill('input[name="60_CUSTOM_CONFIG"]', "Visitors");
    await Promise.all([page.waitForURL(/\/\?n=\d+$/), page.click('button:text-is("Save settings")')]);
    assert.match((await page.locator("#notice").textContent()) ?? "", /Saved: 60_CUSTOM_CONFIG\./);
    assert.equal(await page.inputValue('input[name="60_CUSTOM_CONFIG"]'), "Visitors");
    const config = (await (await fetch(`${sim.url}/api/config`)).json()) as Record<string, unknown>;
    assert.equal(config["60_CUSTOM_CONFIG"], "Visitors");
    await page.close();
  });

  it("uses Bootstrap when the browser can load it", async () => {
    const page = await open("fulfil");
    await page.waitForFunction(() => document.documentElement.classList.contains("bs"));
    // Bootstrap's own rule, not the built-in one, styles the button now.
    const radius = await page.$eval(".btn-primary", (el) => getComputedStyle(el).borderTopLeftRadius);
    assert.equal(radius, "6px");
    await page.close();
  });

  it("looks right with the built-in stylesheet when Bootstrap cannot load, without waiting for it", async () => {
    const page = await open("abort");
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => document.documentElement.classList.contains("bs")), false);
    const bg = await page.$eval(".btn-primary", (el) => getComputedStyle(el).backgroundColor);
    assert.equal(bg, "rgb(13, 110, 253)");
    const card = await page.$eval(".card", (el) => getComputedStyle(el).backgroundColor);
    assert.equal(card, "rgb(255, 255, 255)");
    await page.close();
  });

  // Last: it erases the simulator's settings.
  it("factory reset fires only once its question is accepted", async () => {
    const save = await fetch(`${sim.url}/api/config`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ "60_CUSTOM_CONFIG": "keep-me" }),
    });
    assert.equal(save.status, 200);
    const page = await open("abort");
    const questions: string[] = [];
    let accept = false;
    page.on("dialog", (d) => {
      questions.push(d.message());
      void (accept ? d.accept() : d.dismiss());
    });
    await page.click("#factory-reset");
    await page.waitForTimeout(500);
    assert.match(questions[0] ?? "", /Erase every setting/);
    const kept = (await (await fetch(`${sim.url}/api/config`)).json()) as Record<string, unknown>;
    assert.equal(kept["60_CUSTOM_CONFIG"], "keep-me", "dismissed: nothing erased");
    accept = true;
    await page.click("#factory-reset");
    await page.waitForFunction(() => /Erasing every setting/.test(document.getElementById("notice")?.textContent ?? ""));
    await sim.waitForBoot(2);
    const erased = (await (await fetch(`${sim.url}/api/config`)).json()) as Record<string, unknown>;
    assert.equal(erased["60_CUSTOM_CONFIG"], "Counter");
    await page.close();
  });
});

describe("browser: hostile values are shown as text", function () {
  this.timeout(60_000);
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let sim: Simulator;
  let stateDir: string;

  before(async function () {
    if (!hasChromium()) return this.skip(); // as above: no browser here.
    ({ browser, close: closeBrowser } = await launchBrowser());
    stateDir = mkdtempSync(join(tmpdir(), "iot-hostile-"));
    sim = await startSimulator({ port: 0, stateDir, app: resolve(import.meta.dirname, "../fixtures/hostile-app.ts"), logSink: () => undefined });
  });
  after(async () => {
    await sim?.stop();
    await closeBrowser?.();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  it("runs no payload from data, config or title, on load or on refresh", async () => {
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`${sim.url}/`);
    await page.waitForFunction(() => /tick [3-9]/.test(document.querySelector('tr[data-key="live"] td')?.textContent ?? ""));
    await page.hover("#data");
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: string }).__xss), undefined);
    assert.deepEqual(dialogs, []);
    assert.equal(await page.locator("img").count(), 0);
    assert.match((await page.locator("h1").textContent()) ?? "", /^<script>window.__xss="title"<\/script>Küche$/);
    assert.match(await page.locator("#data").innerText(), /<script>window.__xss="value"<\/script>/);
    assert.match(await page.locator("#data").innerText(), /Küche\s+温度 21°/);
    assert.equal(await page.inputValue('input[name="greeting"]'), `"><img src=x onerror="window.__xss='config'">`);
    await page.close();
  });
});
