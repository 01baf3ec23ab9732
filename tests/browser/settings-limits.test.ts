/// <reference lib="dom" />
/*
 * Declared settings in real Chromium: the page's inputs carry the limits, so the browser refuses
 * an out-of-range number, a value off its pattern, before anything is sent; and a form that gets
 * past the browser (its limits removed, as any client could) is refused by the server too, with
 * the key named and nothing saved.
 */

import * as assert from "node:assert/strict";
import { resolve } from "node:path";
import { useBrowser, useSimulator } from "../support/browser";

describe("browser: declared setting limits", function () {
  this.timeout(60_000);
  const chrome = useBrowser();
  const rig = useSimulator({ prefix: "iot-limits-", app: resolve(import.meta.dirname, "../fixtures/limits-app.ts") });

  const saved = async (): Promise<Record<string, unknown>> => (await (await fetch(`${rig.sim.url}/api/config`)).json()) as Record<string, unknown>;

  it("shows label, help and a select, and the browser refuses what the limits refuse", async () => {
    const page = await chrome.browser.newPage();
    await page.goto(`${rig.sim.url}/?view=settings`);
    assert.equal(await page.textContent('label[for="cfg-interval"]'), "Interval (s)");
    assert.equal(await page.textContent("#cfg-interval-help"), "How often the sensor is read, in seconds.");
    assert.deepEqual(await page.$$eval("#cfg-unit option", (os) => os.map((o) => [(o as HTMLOptionElement).value, o.textContent])), [["celsius", "°C"], ["fahrenheit", "°F"]]);
    for (const [id, value] of [["#cfg-interval", "2"], ["#cfg-interval", "7.5"], ["#cfg-room", "Hall 1"]] as const) {
      await page.fill(id, value);
      const valid = await page.$eval(id, (el) => (el as HTMLInputElement).checkValidity());
      assert.equal(valid, false, `${id} = ${value} is invalid in the browser`);
      await page.click('#settings-form button[type="submit"]');
      await page.waitForTimeout(200);
      assert.equal(await page.isHidden("#settings-answer"), true, "the form was not sent");
      assert.equal(new URL(page.url()).search, "?view=settings");
      await page.goto(`${rig.sim.url}/?view=settings`);
    }
    assert.equal((await saved()).interval, 60);
    await page.close();
  });

  it("a form that gets past the browser is refused by the server, naming the key, and saves nothing", async () => {
    const page = await chrome.browser.newPage();
    await page.goto(`${rig.sim.url}/?view=settings`);
    await page.$eval("#cfg-interval", (el) => {
      el.removeAttribute("min");
      el.removeAttribute("max");
    });
    await page.fill("#cfg-interval", "4000");
    await page.fill("#cfg-room", "kitchen");
    // Answered in place, beside the form, the wrong field marked; the page stays where it was.
    await page.click('#settings-form button[type="submit"]');
    await page.waitForFunction(() => /Not saved: interval must be at most 3600/.test(document.getElementById("settings-answer")?.textContent ?? ""));
    assert.match((await page.getAttribute("#settings-answer", "class")) ?? "", /alert-danger/);
    assert.equal(await page.getAttribute("#cfg-interval", "aria-invalid"), "true");
    assert.equal(new URL(page.url()).search, "?view=settings");
    const config = await saved();
    assert.equal(config.interval, 60);
    assert.equal(config.room, "hall", "all or nothing: the valid field was not saved either");
    await page.fill("#cfg-interval", "120");
    await page.selectOption("#cfg-unit", "fahrenheit");
    await page.click('#settings-form button[type="submit"]');
    await page.waitForFunction(() => /Saved: Interval \(s\), Unit, Room\./.test(document.getElementById("settings-answer")?.textContent ?? ""));
    assert.equal(await page.getAttribute("#cfg-interval", "aria-invalid"), null, "the mark is gone once it is right");
    // The page stayed: the room typed before the refusal is still in its field, and went with the rest.
    assert.deepEqual([(await saved()).interval, (await saved()).unit, (await saved()).room], [120, "fahrenheit", "kitchen"]);
    await page.close();
  });
});
