/// <reference lib="dom" />
/*
 * axe-core over every view of the page, at 360x740 and 1280x900, with the built-in stylesheet
 * and with Bootstrap: no serious or critical violation. axe-core is a devDependency (its
 * axe.min.js is injected into each page); AXE_CORE can name another axe.min.js to try.
 * The page's CSP forbids injected scripts, so these pages bypass it (axe only reads the page).
 */

import * as assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Browser } from "playwright-core";
import { hasChromium, launchBrowser } from "../support/browser";
import { startSimulator, type Simulator } from "../../hosts/node/simulator";

const BOOTSTRAP = readFileSync(resolve(import.meta.dirname, "../../node_modules/bootstrap/dist/css/bootstrap.min.css"));

function axeSource(): string {
  if (process.env.AXE_CORE && existsSync(process.env.AXE_CORE)) return readFileSync(process.env.AXE_CORE, "utf8");
  return readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
}

describe("browser: axe-core finds no serious or critical violation on any view", function () {
  this.timeout(120_000);
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let sim: Simulator;
  let dir: string;
  const axe = axeSource();

  before(async function () {
    if (!hasChromium()) return this.skip();
    ({ browser, close: closeBrowser } = await launchBrowser());
    dir = mkdtempSync(join(tmpdir(), "iot-axe-"));
    sim = await startSimulator({ port: 0, stateDir: dir, app: resolve(import.meta.dirname, "../fixtures/page-app.ts"), logSink: () => undefined });
  });
  after(async () => {
    await sim?.stop();
    await closeBrowser?.();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const cdn of ["abort", "fulfil"] as const) {
    it(`every view, ${cdn === "abort" ? "built-in stylesheet" : "Bootstrap"}, phone and desktop`, async () => {
      const found: string[] = [];
      for (const size of [{ width: 360, height: 740 }, { width: 1280, height: 900 }]) {
        const page = await browser.newPage({ viewport: size, bypassCSP: true });
        await page.route("https://cdn.jsdelivr.net/**", (route) =>
          cdn === "fulfil" ? route.fulfill({ status: 200, contentType: "text/css", body: BOOTSTRAP }) : route.abort("internetdisconnected"),
        );
        await page.goto(`${sim.url}/`);
        const views = await page.$$eval("nav a", (links) => links.map((a) => a.getAttribute("href")!));
        assert.ok(views.length >= 4, views.join(", "));
        for (const view of views) {
          await page.goto(`${sim.url}${view}`);
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
