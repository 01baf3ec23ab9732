/// <reference lib="dom" />
/*
 * axe-core over every view of the page, at 360x740 and 1280x900, with the built-in stylesheet
 * and with Bootstrap: no serious or critical violation. axe-core is a devDependency (its
 * axe.min.js is injected into each page); AXE_CORE can name another axe.min.js to try.
 * The page's CSP forbids injected scripts, so these pages bypass it (axe only reads the page).
 */

import * as assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { offlinePage, useBrowser, useSimulator } from "../support/browser";

const BOOTSTRAP = readFileSync(resolve(import.meta.dirname, "../../node_modules/bootstrap/dist/css/bootstrap.min.css"));

function axeSource(): string {
  if (process.env.AXE_CORE && existsSync(process.env.AXE_CORE)) return readFileSync(process.env.AXE_CORE, "utf8");
  return readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
}

describe("browser: axe-core finds no serious or critical violation on any view", function () {
  this.timeout(120_000);
  const chrome = useBrowser();
  const rig = useSimulator({ prefix: "iot-axe-", app: resolve(import.meta.dirname, "../fixtures/page-app.ts") });
  const axe = axeSource();

  for (const cdn of ["abort", "fulfil"] as const) {
    it(`every view, ${cdn === "abort" ? "built-in stylesheet" : "Bootstrap"}, phone and desktop`, async () => {
      const found: string[] = [];
      for (const size of [{ width: 360, height: 740 }, { width: 1280, height: 900 }]) {
        const { page } = await offlinePage(chrome.browser, { viewport: size, bypassCSP: true, bootstrap: cdn === "fulfil" ? BOOTSTRAP : undefined });
        await page.goto(`${rig.sim.url}/`);
        const views = await page.$$eval("nav a", (links) => links.map((a) => a.getAttribute("href")!));
        assert.ok(views.length >= 4, views.join(", "));
        for (const view of views) {
          await page.goto(`${rig.sim.url}${view}`);
          if (cdn === "fulfil") await page.waitForFunction(() => document.documentElement.classList.contains("bs"));
          await page.waitForFunction(() => document.getElementById("iot-state")?.textContent === "Online");
          await page.addScriptTag({ content: axe });
          const violations = (await page.evaluate(
            `axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id + " (" + v.nodes.map((n) => n.target.join(" ")).join(", ") + ")"))`,
          )) as string[];
          for (const v of violations) found.push(`${view} at ${size.width} px: ${v}`);
        }
        await page.close();
      }
      assert.deepEqual(found, []);
    });
  }
});
