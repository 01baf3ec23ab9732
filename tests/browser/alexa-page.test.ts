/// <reference lib="dom" />
/*
 * The Alexa card in real Chromium: hostile device names and a hostile devicetype (whatever a
 * client on the network sent) shown as text and run nowhere; "Pair with Alexa" opens the
 * window, the client that pairs then appears, a change an Echo makes shows on the card and in
 * the data table without a reload, Remove forgets the client, and the switch turns it all off.
 */

import * as assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { resolve } from "node:path";
import type { Page } from "playwright-core";
import { offlinePage, useBrowser, useSimulator } from "../support/browser";

const HOSTILE_DEVICETYPE = `<img src=x onerror=alert(2)>`;

/** A request as an Echo sends it (JSON labelled a form, no Origin). */
function echo(url: string, method: string, body: unknown): Promise<unknown> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers: { "content-type": "application/x-www-form-urlencoded", "content-length": String(Buffer.byteLength(payload)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve(JSON.parse(Buffer.concat(chunks).toString("utf8"))));
    });
    req.on("error", reject);
    req.end(payload);
  });
}

describe("browser: the Alexa card", function () {
  this.timeout(60_000);
  const chrome = useBrowser();
  const rig = useSimulator({ prefix: "iot-alexa-browser-", app: resolve(import.meta.dirname, "../fixtures/alexa-app.ts") });

  async function open(): Promise<{ page: Page; dialogs: string[] }> {
    // Only the Remove button asks, and it is meant to be answered yes.
    const { page, dialogs } = await offlinePage(chrome.browser, { refuse: "all", dialogs: "confirm" });
    await page.goto(`${rig.sim.url}/?view=alexa`);
    return { page, dialogs };
  }

  async function assertNothingRan(page: Page, dialogs: string[]): Promise<void> {
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss), undefined);
    assert.ok(!dialogs.some((d) => d === "1" || d === "2"), `no alert ran: ${JSON.stringify(dialogs)}`);
    assert.equal(await page.locator("img").count(), 0, "no element made from a name");
    assert.equal(await page.locator("script").count(), 1, "only the page's own script");
  }

  it("pairs a client from the card, shows its hostile devicetype as text, follows a change, and removes it", async () => {
    const { page, dialogs } = await open();
    const names = await page.$$eval("#alexa-devices tr td:first-child", (els) => els.map((e) => e.textContent));
    assert.deepEqual(names, ["<img src=x onerror=alert(1)>", `"><script>__xss=1</script>`, "Küche ☕"]);
    await page.click("#alexa-pair");
    await page.waitForFunction(() => /Pairing is open for \d+ s/.test(document.getElementById("alexa-pairing")?.textContent ?? ""));
    const answer = (await echo(`${rig.sim.url}/api`, "POST", { devicetype: HOSTILE_DEVICETYPE })) as { success: { username: string } }[];
    const username = answer[0].success.username;
    await page.waitForFunction((text) => (document.getElementById("alexa-users")?.textContent ?? "").includes(text), HOSTILE_DEVICETYPE);
    assert.ok(!(await page.content()).includes(username), "the username is never on the page");
    const lights = (await echo(`${rig.sim.url}/api/${username}/lights`, "GET", {})) as Record<string, { name: string }>;
    const lamp = Object.keys(lights).find((id) => lights[id].name.startsWith("<img")) as string;
    await echo(`${rig.sim.url}/api/${username}/lights/${lamp}/state`, "PUT", { on: true, bri: 254 });
    await page.waitForFunction((id) => document.querySelector(`#alexa-devices tr[data-alexa-id="${id}"] td:nth-child(2)`)?.textContent === "on, brightness 100", lamp);
    await assertNothingRan(page, dialogs);
    // The data table is on the overview: the same change is there, as text.
    const overview = await chrome.browser.newPage();
    overview.on("dialog", (d) => void (dialogs.push(d.message()), d.dismiss()));
    await overview.route("https://**", (route) => route.abort("internetdisconnected"));
    await overview.goto(`${rig.sim.url}/`);
    await overview.waitForFunction(() => (document.querySelector('#data-body tr[data-key="<img src=x onerror=alert(1)>"] td')?.textContent ?? "").includes('"on":true'));
    await assertNothingRan(overview, dialogs);
    await overview.close();
    await page.click(`#alexa-users button[data-forget="${username.slice(0, 8)}"]`);
    await page.waitForFunction(() => !document.getElementById("alexa-no-users")?.hidden);
    const refused = (await echo(`${rig.sim.url}/api/${username}/lights`, "GET", {})) as { error: { type: number } }[];
    assert.equal(refused[0].error.type, 1, "removed: a stranger now");
    await page.close();
  });

  it("switches Alexa off from the card without script help, and the Hue routes with it", async () => {
    const { page, dialogs } = await open();
    await page.uncheck("#alexa-enabled");
    await Promise.all([page.waitForURL(/\/\?view=alexa&n=\d+/), page.click('#alexa form button[type="submit"]')]);
    assert.equal(await page.isChecked("#alexa-enabled"), false);
    assert.match((await page.textContent("#alexa-discovery")) ?? "", /^Off:/);
    assert.equal(await page.isDisabled("#alexa-pair"), true);
    const res = await fetch(`${rig.sim.url}/description.xml`);
    assert.equal(res.status, 404);
    await page.check("#alexa-enabled");
    await Promise.all([page.waitForURL(/\/\?view=alexa&n=\d+/), page.click('#alexa form button[type="submit"]')]);
    assert.equal((await fetch(`${rig.sim.url}/description.xml`)).status, 200);
    await assertNothingRan(page, dialogs);
    await page.close();
  });
});
