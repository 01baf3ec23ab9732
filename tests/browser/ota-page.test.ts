/// <reference lib="dom" />
/*
 * The OTA card in real Chromium: the Update button starts a download from the URL field, the
 * progress bar and text move while it runs, the page follows the device through its restart and
 * shows the new version; a failure shows its plain-words reason. Values are written as text.
 */

import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Browser } from "playwright-core";
import { hasChromium, launchBrowser } from "../support/browser";
import { startSimulator, type Simulator } from "../../hosts/node/simulator";
import { buildImage } from "../support/esp32-image";
import { ImageServer } from "../support/image-server";

const APP = resolve(import.meta.dirname, "../support/ota-test-app.ts");

describe("browser: the OTA card", function () {
  this.timeout(60_000);
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let server: ImageServer;
  let sim: Simulator | undefined;
  let dir: string;

  before(async function () {
    if (!hasChromium()) return this.skip(); // .ci/run installs Debian's chromium; without it there is no browser to drive.
    ({ browser, close: closeBrowser } = await launchBrowser());
    server = new ImageServer();
    await server.start();
    server.route("/slow.bin", { body: buildImage({ size: 400_000, version: "2.0.0" }), chunkBytes: 20_000, delayMs: 60 });
    server.route("/missing.bin", { status: 404 });
  });
  after(async () => {
    await server?.close();
    await closeBrowser?.();
  });
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "ota-browser-"));
    sim = await startSimulator({ stateDir: dir, port: 0, app: APP, logSink: () => undefined });
  });
  afterEach(async () => {
    await sim?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("updates from the button: progress, then the new version after the restart", async () => {
    const page = await browser.newPage();
    await page.route("https://cdn.jsdelivr.net/**", (route) => route.abort("internetdisconnected"));
    await page.goto(`${sim!.url}/`);
    assert.equal(await page.textContent("#ota-running"), "xs_esp32 1.0.0");
    await page.fill("#ota-url", server.url("/slow.bin"));
    await page.click("#ota-start");
    await page.waitForFunction(() => /Downloading… \d+ KB of 391 KB/.test(document.getElementById("ota-outcome")!.textContent ?? ""));
    assert.equal(await page.isDisabled("#ota-start"), true, "the button is disabled while it runs");
    assert.equal(await page.isVisible("#ota-progress"), true);
    await page.waitForFunction(() => {
      const width = parseFloat((document.getElementById("ota-bar") as HTMLElement).style.width);
      return width > 0 && width < 100;
    });
    await page.waitForFunction(() => document.getElementById("ota-outcome")!.textContent === "Restarted: now running xs_esp32 2.0.0.", undefined, { timeout: 20_000 });
    assert.equal(await page.textContent("#ota-running"), "xs_esp32 2.0.0");
    assert.equal(await page.isVisible("#ota-probation"), true, "on probation after the update");
    assert.equal(await page.isDisabled("#ota-start"), false);
    await page.close();
  });

  it("shows why an update failed", async () => {
    const page = await browser.newPage();
    await page.route("https://cdn.jsdelivr.net/**", (route) => route.abort("internetdisconnected"));
    await page.goto(`${sim!.url}/`);
    await page.fill("#ota-url", server.url("/missing.bin"));
    await page.click("#ota-start");
    await page.waitForFunction(() => /^Update failed: the server answered 404 Not Found for http:/.test(document.getElementById("ota-outcome")!.textContent ?? ""));
    assert.equal(await page.isVisible("#ota-progress"), false);
    await page.fill("#ota-url", "https://example.com/fw.bin");
    await page.click("#ota-start");
    await page.waitForFunction(() => /^Update refused: https is not supported/.test(document.getElementById("ota-outcome")!.textContent ?? ""));
    await page.close();
  });
});
