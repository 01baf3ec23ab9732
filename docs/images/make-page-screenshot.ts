/*
 * Makes docs/images/page.png, the README's screenshot: the demo app (main.ts) in the simulator,
 * its Overview in Debian's Chromium at 1280x900 with Bootstrap (served from node_modules, as the
 * CDN would), after the first data has arrived. Run: npx tsx docs/images/make-page-screenshot.ts
 */

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { launchBrowser } from "../../tests/support/browser";
import { startSimulator } from "../../hosts/node/simulator";

const root = resolve(import.meta.dirname, "../..");
const bootstrap = readFileSync(join(root, "node_modules/bootstrap/dist/css/bootstrap.min.css"));
const dir = mkdtempSync(join(tmpdir(), "iot-shot-"));
const sim = await startSimulator({ port: 0, stateDir: dir, logSink: () => undefined });
const { browser, close } = await launchBrowser();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.route("https://cdn.jsdelivr.net/**", (route) => route.fulfill({ status: 200, contentType: "text/css", body: bootstrap }));
  await page.goto(`${sim.url}/`);
  await page.waitForFunction(() => document.documentElement.classList.contains("bs"));
  await page.waitForFunction(() => document.getElementById("iot-state")?.textContent === "Online");
  await page.waitForTimeout(3500); // the counter's second value, so the table is live
  await page.screenshot({ path: join(root, "docs/images/page.png") });
  console.log("wrote docs/images/page.png");
} finally {
  await close();
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
}
