/// <reference lib="dom" />
/*
 * Hostile network names in real Chromium: SSIDs come from anyone in radio range, so the scan
 * list, the network picker, the outcome message and the saved value must show them as text and
 * run nothing: markup, quotes that try to leave an attribute, a 32-byte name, non-ASCII,
 * emoji, and "__proto__" (an open network the page must still send an empty password for). The simulated radio broadcasts them from a networks file; the device's page is opened
 * the way a phone on the portal would.
 */

import * as assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Page } from "playwright-core";
import { offlinePage, useBrowser, useSimulator } from "../support/browser";
import { freeUdpPort } from "../support/wifi-http";

const HOSTILE = [
  { ssid: `<img src=x onerror=alert(1)>`, password: "letmein-123", rssi: -40 },
  { ssid: `"><script>__xss=1</script>`, password: "", rssi: -45 },
  { ssid: `' onmouseover='window.__xss=2`, password: "", rssi: -50 },
  { ssid: "W".repeat(32), password: "", rssi: -55 },
  { ssid: "Café ☕ 温度 & <b>", password: "", rssi: -60 },
  { ssid: "🏠 Home Wi‑Fi", password: "", rssi: -65 },
  // Named like an object's own member: the page must still know it is open.
  { ssid: "__proto__", password: "", rssi: -70 },
];

describe("browser: hostile SSIDs are shown as text", function () {
  this.timeout(60_000);
  const chrome = useBrowser();
  const rig = useSimulator({
    prefix: "iot-wifi-browser-",
    app: resolve(import.meta.dirname, "../fixtures/wifi-app.ts"),
    options: async (dir) => {
      const file = join(dir, "networks.json");
      writeFileSync(file, JSON.stringify({ networks: HOSTILE }));
      return { stateDir: join(dir, "state"), networksFile: file, dnsPort: await freeUdpPort() };
    },
  });

  const watched = (): Promise<{ page: Page; dialogs: string[] }> => offlinePage(chrome.browser, { refuse: "all" });

  async function assertNothingRan(page: Page, dialogs: string[]): Promise<void> {
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss), undefined);
    assert.deepEqual(dialogs, []);
    assert.equal(await page.locator("img").count(), 0, "no element made from a name");
    assert.equal(await page.locator("script").count(), 1, "only the page's own script");
  }

  it("lists every scanned name literally, picks it literally, and runs none of them", async () => {
    const { page, dialogs } = await watched();
    await page.goto(`${rig.sim.url}/`);
    // The access point is open (nothing saved), so the page scans by itself.
    await page.waitForFunction((n) => document.querySelectorAll("#wifi-networks .wifi-net").length === n, HOSTILE.length);
    const shown = await page.$$eval(".wifi-net-ssid", (els) => els.map((e) => e.textContent));
    assert.deepEqual(shown, HOSTILE.map((n) => n.ssid));
    const options = await page.$$eval("#ssid-list option", (els) => els.map((e) => (e as HTMLOptionElement).value));
    assert.deepEqual(options, HOSTILE.map((n) => n.ssid));
    await page.hover("#wifi-networks");
    for (let i = 0; i < HOSTILE.length; i++) {
      await page.locator(".wifi-net").nth(i).hover();
      await page.locator(".wifi-net").nth(i).click();
      assert.equal(await page.inputValue("#wifi-ssid"), HOSTILE[i].ssid);
    }
    await assertNothingRan(page, dialogs);
    // Saving the open "__proto__" network sends its empty password (clearing a saved one); the
    // request is answered here, so the device keeps its access point for the next test.
    let posted: Record<string, unknown> | undefined;
    await page.route("**/api/wifi", (route) => {
      posted = JSON.parse(route.request().postData() ?? "{}") as Record<string, unknown>;
      return route.fulfill({ status: 400, contentType: "application/json", body: JSON.stringify({ error: "not sent to the device (test)" }) });
    });
    await page.locator(".wifi-net", { hasText: "__proto__" }).click();
    assert.equal(await page.inputValue("#wifi-ssid"), "__proto__");
    await page.click("#wifi-save");
    await page.waitForFunction(() => /^Not saved/.test(document.getElementById("wifi-outcome")?.textContent ?? ""));
    assert.deepEqual(posted && { ssid: posted.ssid, password: posted.password }, { ssid: "__proto__", password: "" });
    await page.close();
  });

  it("shows the outcome with the name as text, and the saved name as the field's value after a reload", async () => {
    const { page, dialogs } = await watched();
    await page.goto(`${rig.sim.url}/`);
    await page.waitForSelector(".wifi-net");
    await page.locator(".wifi-net").first().click();
    await page.fill("#wifi-password", HOSTILE[0].password);
    await page.click("#wifi-save");
    await page.waitForFunction(() => /^Connected to /.test(document.getElementById("wifi-outcome")?.textContent ?? ""), undefined, { timeout: 20_000 });
    const outcome = (await page.locator("#wifi-outcome").textContent()) ?? "";
    assert.ok(outcome.startsWith(`Connected to ${HOSTILE[0].ssid} with address 192.168.1.50.`), outcome);
    await assertNothingRan(page, dialogs);
    // Complaint 6: the card follows the device without a reload: the access point's notice goes
    // once it has closed, and the mode is the station's.
    await page.waitForFunction(() => document.getElementById("wifi-ap")!.hidden, undefined, { timeout: 15_000 });
    await page.waitForFunction(() => document.querySelector('#wifi [data-status="network.mode"]')?.textContent === "station", undefined, { timeout: 10_000 });

    // Joined: the card has left the overview (setup is done) and has its own view.
    await page.goto(`${rig.sim.url}/?view=wifi`);
    assert.equal(await page.inputValue("#wifi-ssid"), HOSTILE[0].ssid);
    assert.equal(await page.inputValue("#wifi-password"), "", "the password never comes back");
    await page.waitForFunction(() => (document.querySelector('[data-status="network.ssid"]')?.textContent ?? "") !== "-");
    assert.equal(await page.locator('[data-status="network.ssid"]').textContent(), HOSTILE[0].ssid);
    await assertNothingRan(page, dialogs);
    await page.close();
  });
});
