/// <reference lib="dom" />
/*
 * The GitHub part of the OTA card in real Chromium, against the simulator and the local HTTPS
 * stand-in for GitHub: "Check for updates" says what is available and shows the release notes
 * as text (notes that carry HTML and a script run nothing and make no element), "Install 2.0.0"
 * installs it and the card follows the device into the new version; a failed check shows why.
 */

import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Page } from "playwright-core";
import { offlinePage, useBrowser } from "../support/browser";
import { startSimulator, type Simulator } from "../../hosts/node/simulator";
import { buildImage } from "../support/esp32-image";
import { GithubStandIn, manifestFor } from "../support/github-stand-in";

const APP = resolve(import.meta.dirname, "../support/github-test-app.ts");
const V2 = buildImage({ size: 120_000, version: "2.0.0", segments: 3 });
const HOSTILE = `<img src=x onerror="window.pwned=1"><script>window.pwned=2</script> & "quotes"\nsecond line`;

describe("browser: the OTA card's GitHub updates", function () {
  this.timeout(180_000);
  const chrome = useBrowser();
  let github: GithubStandIn;
  let caDir: string;
  let sim: Simulator | undefined;
  let dir: string;

  before(async () => {
    github = new GithubStandIn();
    await github.start();
    caDir = mkdtempSync(join(tmpdir(), "gh-card-ca-"));
    writeFileSync(join(caDir, "ca.pem"), github.ca.cert);
  });
  after(async () => {
    await github?.close();
    if (caDir) rmSync(caDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    github.repo = "acme/widget";
    github.releases = [{ tag: "v2.0.0", body: HOSTILE, assets: { "firmware.bin": V2, "manifest.json": manifestFor(V2, "2.0.0") } }];
    dir = mkdtempSync(join(tmpdir(), "gh-card-"));
    sim = await startSimulator({
      stateDir: dir,
      port: 0,
      app: APP,
      logSink: () => undefined,
      caFiles: [join(caDir, "ca.pem")],
      aliases: github.aliases,
      githubApi: github.apiUrl,
    });
    const res = await fetch(`${sim.url}/api/config`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ota_github_repo: "acme/widget", ota_github_asset: "*.bin" }),
    });
    assert.equal(res.status, 200, await res.text());
  });
  afterEach(async () => {
    await sim?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function open(): Promise<Page> {
    const { page } = await offlinePage(chrome.browser);
    await page.goto(`${sim!.url}/?view=ota`);
    return page;
  }

  const line = (page: Page) => page.textContent("#ota-gh-line");

  it("checks, shows the notes as text, installs with one button and shows the new version", async () => {
    const page = await open();
    assert.equal(await page.isVisible("#ota-gh-install"), false, "nothing to install before a check");
    await page.click("#ota-check");
    await page.waitForFunction(() => /is available$/.test(document.getElementById("ota-gh-line")!.textContent ?? ""), undefined, { timeout: 30_000 });
    assert.equal(await line(page), "2.0.0 (v2.0.0) is available");
    assert.equal(await page.textContent("#ota-gh-install"), "Install 2.0.0");
    const notes = await page.textContent("#ota-gh-notes");
    assert.ok(notes?.startsWith(HOSTILE.split("\n")[0]), `the notes as written: ${JSON.stringify(notes)}`);
    assert.equal(await page.locator("#ota-gh-notes *").count(), 0, "no element made from the notes");
    // The same after a reload, when the notes come from the server's own rendering of the card.
    await page.reload();
    assert.equal(await page.textContent("#ota-gh-install"), "Install 2.0.0");
    assert.ok((await page.textContent("#ota-gh-notes"))?.startsWith(HOSTILE.split("\n")[0]));
    assert.equal(await page.locator("#ota-gh-notes *").count(), 0);
    assert.equal(await page.evaluate("window.pwned"), undefined, "nothing in the notes ran");

    await page.click("#ota-gh-install");
    try {
      await page.waitForFunction(() => document.getElementById("ota-outcome")!.textContent === "Restarted: now running version 2.0.0.", undefined, { timeout: 90_000 });
    } catch (e) {
      const ota = await (await fetch(`${sim!.url}/api/ota`)).text();
      throw new Error(`the card says ${JSON.stringify(await page.textContent("#ota-outcome"))}; /api/ota: ${ota}`, { cause: e });
    }
    assert.equal(await page.textContent("#ota-running"), "2.0.0", "versions, not the project name");
    await page.close();
  });

  it("checks and installs without JavaScript: the buttons are a form, answered by a 303 and the notice", async () => {
    const context = await chrome.browser.newContext({ javaScriptEnabled: false });
    const { page } = await offlinePage(context);
    await page.goto(`${sim!.url}/?view=ota`);
    await Promise.all([page.waitForURL(/\/\?view=ota&n=\d+$/), page.click("#ota-check")]);
    assert.match((await page.textContent("#notice")) ?? "", /^Checking for updates/);
    // Without script the card is what the server renders: reload until the check is done.
    let found = "";
    for (let i = 0; i < 60 && !/is available$/.test(found); i++) {
      await page.waitForTimeout(500);
      await page.goto(`${sim!.url}/?view=ota`);
      found = (await line(page)) ?? "";
    }
    assert.equal(found, "2.0.0 (v2.0.0) is available");
    assert.equal(await page.textContent("#ota-gh-install"), "Install 2.0.0");
    await Promise.all([page.waitForURL(/\/\?view=ota&n=\d+$/), page.click("#ota-gh-install")]);
    assert.match((await page.textContent("#notice")) ?? "", /^Installing the release the check found/);
    let version = "";
    for (let i = 0; i < 180 && version !== "2.0.0"; i++) {
      await new Promise((done) => setTimeout(done, 500));
      version = await fetch(`${sim!.url}/api/ota`).then((r) => r.json()).then((o: { version?: string }) => o.version ?? "", () => "");
    }
    assert.equal(version, "2.0.0", "installed and restarted into it");
    await context.close();
  });

  it("a check that fails says why on the card", async () => {
    github.repo = "acme/other"; // the device asks for acme/widget: 404
    const page = await open();
    await page.click("#ota-check");
    await page.waitForFunction(() => /^check failed: /.test(document.getElementById("ota-gh-line")!.textContent ?? ""), undefined, { timeout: 30_000 });
    assert.match(String(await line(page)), /acme\/widget/);
    assert.equal(await page.isVisible("#ota-gh-install"), false);
    await page.close();
  });
});
