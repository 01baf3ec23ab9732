/// <reference lib="dom" />
/*
 * The page as a new user meets it (issue 17's complaints, page side), in real Chromium at a
 * phone's 390x844 and a desktop's 1280x900, on the app with every card (tests/fixtures/
 * page-app.ts):
 * - the header: title, the device's state, navigation between the views;
 * - a refused variables value is answered beside the form with the field marked, a save says
 *   so, and without JavaScript the answer comes back through a 303 and the notice (1);
 * - the device gone: "reconnecting", then "unreachable" within 10 s, and "online" again when
 *   it is back (2);
 * - 300-character values, keys and titles wrap or clamp: no horizontal scroll, with the
 *   built-in stylesheet and with Bootstrap; the colour picker is a usable size (3);
 * - Restart's answer appears beside its button (5);
 * - every control has a visible label.
 */

import * as assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Page } from "playwright-core";
import { offlinePage, useBrowser } from "../support/browser";
import { startSimulator, type Simulator } from "../../hosts/node/simulator";

const APP = resolve(import.meta.dirname, "../fixtures/page-app.ts");
const BOOTSTRAP = readFileSync(resolve(import.meta.dirname, "../../node_modules/bootstrap/dist/css/bootstrap.min.css"));
const SIZES = [
  { width: 390, height: 844 },
  { width: 1280, height: 900 },
] as const;

async function startApp(stateDir: string, port = 0, long = false): Promise<Simulator> {
  // The app reads this when it loads (each boot loads it afresh): set only while it boots.
  if (long) process.env.PAGE_APP_LONG = "1";
  try {
    return await startSimulator({ port, stateDir, app: APP, logSink: () => undefined });
  } finally {
    delete process.env.PAGE_APP_LONG;
  }
}

describe("browser: the page's layout and answers", function () {
  this.timeout(90_000);
  const chrome = useBrowser();
  let sim: Simulator;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "iot-page-layout-"));
    sim = await startApp(join(dir, "state"));
  });
  after(async () => {
    await sim?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function open(path: string, size: { width: number; height: number } = SIZES[0], cdn: "fulfil" | "abort" = "abort", base = sim.url): Promise<Page> {
    const { page } = await offlinePage(chrome.browser, { viewport: size, bootstrap: cdn === "fulfil" ? BOOTSTRAP : undefined });
    await page.goto(`${base}${path}`);
    if (cdn === "fulfil") await page.waitForFunction(() => document.documentElement.classList.contains("bs"));
    return page;
  }

  it("has a header with the title, the device's state and a navigation between the views", async () => {
    for (const size of SIZES) {
      const page = await open("/", size);
      assert.equal(await page.textContent("h1"), "Greenhouse controller");
      await page.waitForFunction(() => document.getElementById("iot-state")?.textContent === "Online");
      const views = await page.$$eval("nav a", (links) => links.map((a) => [a.textContent, a.getAttribute("href")]));
      const names = views.map((v) => v[0]);
      assert.equal(names[0], "Overview");
      assert.deepEqual(names.filter((n) => n === "Update" || n === "Variables" || n === "Settings"), ["Update", "Variables", "Settings"], names.join(", "));
      assert.equal(await page.getAttribute('nav a[href="/"]', "aria-current"), "page");
      await page.click('nav a[href="/?view=variables"]');
      await page.waitForURL(/\?view=variables$/);
      assert.equal(await page.getAttribute('nav a[href="/?view=variables"]', "aria-current"), "page");
      assert.equal(await page.locator("#variables").count(), 1);
      assert.equal(await page.locator("#data").count(), 0, "one view at a time");
      await page.close();
    }
  });

  it("answers a refused variables value beside the form with the field marked, and a save with what was saved", async () => {
    const page = await open("/?view=variables");
    const zones = page.getByLabel("Zones", { exact: true });
    await zones.fill("north, south");
    await page.click('#variables-form button[type="submit"]');
    await page.waitForFunction(() => /^Not saved: /.test(document.getElementById("variables-answer")?.textContent ?? ""));
    assert.match((await page.getAttribute("#variables-answer", "class")) ?? "", /alert-danger/);
    assert.equal(await zones.getAttribute("aria-invalid"), "true", "the wrong field is marked");
    assert.equal(new URL(page.url()).search, "?view=variables", "still on the form, no raw JSON");
    await zones.fill('["north", "east"]');
    await page.click('#variables-form button[type="submit"]');
    await page.waitForFunction(() => document.getElementById("variables-answer")?.textContent === "Saved: Zones.");
    assert.match((await page.getAttribute("#variables-answer", "class")) ?? "", /alert-success/);
    assert.equal(await zones.getAttribute("aria-invalid"), null);
    const saved = (await (await fetch(`${sim.url}/api/variables`)).json()) as Record<string, unknown>;
    assert.ok(Object.values(saved).some((v) => JSON.stringify(v) === '["north","east"]'), JSON.stringify(saved));
    await page.close();
  });

  it("answers the variables form without JavaScript too: back to the view with the notice, never raw JSON", async () => {
    const context = await chrome.browser.newContext({ javaScriptEnabled: false, viewport: SIZES[0] });
    const { page } = await offlinePage(context);
    await page.goto(`${sim.url}/?view=variables`);
    await page.getByLabel("Zones", { exact: true }).fill("north, south");
    await Promise.all([page.waitForURL(/\/\?view=variables&n=\d+$/), page.click('#variables-form button[type="submit"]')]);
    assert.match((await page.textContent("#notice")) ?? "", /^Not saved: /);
    assert.equal(await page.locator("#variables").count(), 1, "the card is there to try again");
    await page.getByLabel("Bed name", { exact: true }).fill("south bed");
    await Promise.all([page.waitForURL(/\/\?view=variables&n=\d+$/), page.click('#variables-form button[type="submit"]')]);
    assert.equal(await page.textContent("#notice"), "Saved: Bed name.");
    await context.close();
  });

  it("gives every control a visible label on every view", async () => {
    const page = await open("/");
    const views = await page.$$eval("nav a", (links) => links.map((a) => a.getAttribute("href")!));
    for (const view of views) {
      await page.goto(`${sim.url}${view}`);
      const unlabelled = await page.evaluate(`(() => {
        const out = [];
        for (const el of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
          if (el.closest("[hidden]") || el.closest("details:not([open])")) continue;
          const label = el.id ? document.querySelector('label[for="' + el.id + '"]') : el.closest("label");
          const box = label && label.getBoundingClientRect();
          if (!label || !label.textContent.trim() || !box || box.width === 0 || box.height === 0) out.push(el.name || el.id);
        }
        return out;
      })()`);
      assert.deepEqual(unlabelled, [], `view ${view}`);
    }
    await page.close();
  });

  it("makes the PersistentRgb colour picker a usable size with the built-in stylesheet", async () => {
    for (const size of SIZES) {
      const page = await open("/?view=variables", size);
      const box = (await page.locator('input[type="color"]').boundingBox())!;
      assert.ok(box.width >= 40 && box.height >= 32, `colour picker ${box.width}x${box.height} at ${size.width} px`);
      await page.close();
    }
  });

  it("shows Restart's answer beside its button", async () => {
    const { page } = await offlinePage(chrome.browser, { viewport: SIZES[0], dialogs: "accept" });
    await page.goto(`${sim.url}/?view=settings`);
    await page.waitForFunction(() => (window as unknown as { iot: { status(): unknown } }).iot.status() !== null, undefined, { timeout: 10_000 });
    const boots = sim.boots;
    const reloaded = page.waitForEvent("framenavigated", { timeout: 25_000 });
    await page.click('#restart-form button[type="submit"]');
    await page.waitForFunction(() => /^Restarting/.test(document.getElementById("restart-answer")?.textContent ?? ""));
    const button = (await page.locator('#restart-form button[type="submit"]').boundingBox())!;
    const box = (await page.locator("#restart-answer").boundingBox())!;
    assert.ok(box.y > button.y && box.y - (button.y + button.height) < 40, `answer at ${box.y}, button at ${button.y}`);
    // The page reloads once the device answers from its new boot.
    await reloaded;
    assert.ok(sim.boots > boots, "the device restarted before the page reloaded");
    await page.waitForLoadState();
    assert.equal(await page.isHidden("#restart-answer"), true);
    await page.close();
  });

  // Last of this simulator: it is stopped and started again.
  it("says reconnecting, then unreachable within 10 s when the device goes away, and online when it is back", async () => {
    const page = await open("/");
    await page.waitForFunction(() => document.getElementById("iot-state")?.textContent === "Online");
    const port = sim.port;
    // Watched from before the stop: on the event stream the page notices a closed stream at once.
    const seen: string[] = [];
    await page.exposeFunction("sawState", (s: string) => void seen.push(s));
    await page.evaluate(`new MutationObserver(() => window.sawState(document.getElementById("iot-state").textContent)).observe(document.getElementById("iot-state"), { childList: true, characterData: true, subtree: true })`);
    const stoppedAt = Date.now();
    await sim.stop();
    // The script says unreachable after 8 s without an answer; the figure is printed, not asserted
    // (a test never fails on timing): the goal is 10 s.
    await page.waitForFunction(() => document.getElementById("iot-state")?.textContent === "Unreachable", undefined, { timeout: 30_000 });
    const after = Date.now() - stoppedAt;
    console.log(`      unreachable shown ${after} ms after the simulator stopped (goal: within 10,000 ms)`);
    assert.equal(await page.getAttribute("#iot-state", "data-state"), "unreachable");
    const reconnecting = seen.indexOf("Reconnecting\u2026");
    assert.ok(reconnecting >= 0 && reconnecting < seen.indexOf("Unreachable"), `states seen: ${seen.join(", ")}`);
    sim = await startApp(join(dir, "state"), port);
    await page.waitForFunction(() => document.getElementById("iot-state")?.textContent === "Online", undefined, { timeout: 30_000 });
    assert.equal(seen[seen.length - 1], "Online", `states seen: ${seen.join(", ")}`);
    await page.close();
  });
});

describe("browser: long values and titles wrap", function () {
  this.timeout(90_000);
  const chrome = useBrowser();
  let sim: Simulator;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "iot-page-long-"));
    sim = await startApp(join(dir, "state"), 0, true);
  });
  after(async () => {
    await sim?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const cdn of ["abort", "fulfil"] as const) {
    it(`keeps every view within the screen with 300-character values and title, ${cdn === "abort" ? "built-in stylesheet" : "Bootstrap"}`, async () => {
      for (const size of SIZES) {
        const { page } = await offlinePage(chrome.browser, { viewport: size, bootstrap: cdn === "fulfil" ? BOOTSTRAP : undefined });
        await page.goto(`${sim.url}/`);
        if (cdn === "fulfil") await page.waitForFunction(() => document.documentElement.classList.contains("bs"));
        const views = await page.$$eval("nav a", (links) => links.map((a) => a.getAttribute("href")!));
        for (const view of views) {
          await page.goto(`${sim.url}${view}`);
          if (cdn === "fulfil") await page.waitForFunction(() => document.documentElement.classList.contains("bs"));
          const width = await page.evaluate(() => document.documentElement.scrollWidth);
          assert.ok(width <= size.width, `${view} at ${size.width} px (${cdn}): the page is ${width} px wide`);
        }
        await page.goto(`${sim.url}/`);
        if (cdn === "fulfil") await page.waitForFunction(() => document.documentElement.classList.contains("bs"));
        // The long value is there, whole, and wraps in its cell.
        const cell = page.locator('tr[data-key="long value"] td');
        assert.equal(((await cell.textContent()) ?? "").length, 300);
        const cellBox = (await cell.boundingBox())!;
        assert.ok(cellBox.x + cellBox.width <= size.width, `the cell ends at ${cellBox.x + cellBox.width}`);
        // The title is clamped to two lines, its whole text in its tooltip.
        const title = page.locator("h1");
        const lines = await title.evaluate((el) => el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight));
        assert.ok(lines <= 2.05, `the title takes ${lines.toFixed(2)} lines`);
        assert.equal(((await title.getAttribute("title")) ?? "").length, 300);
        await page.close();
      }
    });
  }
});
