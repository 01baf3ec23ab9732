/// <reference lib="dom" />
/*
 * The captive portal as a phone meets it, in real Chromium: the phone joins the device's open
 * access point, where every name leads to the device (its portal DNS answers every name with
 * the AP's address, tested in tests/simulator/wifi-portal.test.ts), and its OS opens a probe
 * URL. The browser follows the device's 302 to http://192.168.4.1/, finds the WiFi form, picks
 * a network from the scan and joins it; the page then says where the device now is and counts
 * the access point's last seconds down, and the device answers at its new address.
 *
 * What stands in for the radio: an HTTP proxy that takes every request the browser makes to
 * any name or address to the simulator, as the AP's network takes a phone's packets to the
 * device. Captive-network assistants (iOS's, Android's) are not Chromium and are not run here.
 */

import * as assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import type { Page } from "playwright-core";
import { offlinePage, useBrowser, useSimulator } from "../support/browser";
import { freeUdpPort } from "../support/wifi-http";

/** Every plain-HTTP request the browser makes, to whatever host, is handed to the device with its Host kept. */
async function airTo(device: () => string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const target = new URL(device());
    const asked = new URL(req.url ?? "/", `http://${req.headers.host ?? "unknown"}`);
    const forward = request(
      { host: target.hostname, port: Number(target.port), method: req.method, path: asked.pathname + asked.search, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", () => res.destroy());
    req.pipe(forward);
  });
  // The browser tunnels https through CONNECT: there is no Internet on the portal.
  server.on("connect", (_req, socket) => socket.destroy());
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe("browser: a phone on the captive portal", function () {
  this.timeout(90_000);
  let air: { server: Server; url: string } | undefined;
  const rig = useSimulator({
    prefix: "iot-portal-phone-",
    app: resolve(import.meta.dirname, "../fixtures/wifi-phone-app.ts"),
    options: async (dir) => {
      const file = join(dir, "networks.json");
      writeFileSync(file, JSON.stringify({ networks: [{ ssid: "Home", password: "correct horse", rssi: -48, ip: "192.168.1.23" }, { ssid: "Cafe", password: "", rssi: -71 }] }));
      return { stateDir: join(dir, "state"), networksFile: file, dnsPort: await freeUdpPort() };
    },
  });
  before(async () => {
    air = await airTo(() => rig.sim.url);
  });
  // The browser is told of the proxy when it starts, so it starts once the proxy listens.
  const chrome = useBrowser(() => [`--proxy-server=${air!.url}`, "--proxy-bypass-list=<-loopback>"]);
  after(async () => {
    await new Promise((done) => air?.server.close(done));
  });

  async function phone(): Promise<{ page: Page; dialogs: string[] }> {
    return offlinePage(chrome.browser, { viewport: { width: 390, height: 844 } });
  }

  for (const probe of ["http://connectivitycheck.gstatic.com/generate_204", "http://captive.apple.com/hotspot-detect.html", "http://www.msftconnecttest.com/redirect"]) {
    it(`follows ${new URL(probe).host}'s probe to the portal page`, async () => {
      const { page, dialogs } = await phone();
      const answer = await page.goto(probe);
      assert.equal(page.url(), "http://192.168.4.1/");
      assert.equal(answer?.status(), 200);
      assert.equal(await page.locator("#wifi-form").count(), 1, "the WiFi form is on the page the probe led to");
      assert.deepEqual(dialogs, []);
      await page.close();
    });
  }

  it("joins a network from the scan, counts the access point's last seconds down, and answers at its new address", async () => {
    const { page } = await phone();
    await page.goto("http://connectivitycheck.gstatic.com/generate_204");
    // The access point is open (nothing saved), so the page scans by itself.
    await page.waitForFunction(() => document.querySelectorAll("#wifi-networks .wifi-net").length === 2);
    assert.deepEqual(await page.$$eval(".wifi-net-ssid", (els) => els.map((e) => e.textContent)), ["Home", "Cafe"], "strongest first");
    await page.locator(".wifi-net").first().click();
    assert.equal(await page.inputValue("#wifi-ssid"), "Home");
    await page.fill("#wifi-password", "correct horse");
    await page.click("#wifi-save");
    await page.waitForFunction(() => /^Connected to Home with address 192\.168\.1\.23\./.test(document.getElementById("wifi-outcome")?.textContent ?? ""), undefined, { timeout: 30_000 });

    const seconds = page.locator('#wifi-outcome [data-status="wifi.accessPoint.closesInMs"]');
    const first = Number(await seconds.textContent());
    assert.ok(first > 3 && first <= 12, `the access point closes in ${first} s`);
    await page.waitForFunction((v) => Number(document.querySelector('#wifi-outcome [data-status="wifi.accessPoint.closesInMs"]')?.textContent) < v, first, { timeout: 5_000 });
    const outcome = (await page.locator("#wifi-outcome").textContent()) ?? "";
    assert.match(outcome, /The access point Greenhouse-[0-9A-F]{4} closes in \d+ s: join Home and open http:\/\/192\.168\.1\.23\//);
    assert.equal(await page.locator("#wifi-outcome a").getAttribute("href"), "http://192.168.1.23/");

    // The phone, back on the home network, opens the link: the device's page at its new address,
    // whose WiFi card shows the access point closed and the station joined.
    await page.click("#wifi-outcome a");
    await page.waitForURL("http://192.168.1.23/");
    await page.waitForFunction(() => document.getElementById("iot-state")?.textContent === "Online");
    await page.goto("http://192.168.1.23/?view=wifi");
    await page.waitForFunction(() => document.getElementById("wifi-ap")!.hidden, undefined, { timeout: 20_000 });
    await page.waitForFunction(() => document.querySelector('#wifi [data-status="network.mode"]')?.textContent === "station", undefined, { timeout: 10_000 });
    const status = (await (await fetch(`${rig.sim.url}/api/status`)).json()) as { network: { mode: string; ssid: string } };
    assert.deepEqual([status.network.mode, status.network.ssid], ["station", "Home"]);
    await page.close();
  });
});
