/*
 * DNS rebinding in real Chromium (issue 12, finding 1). An attacker's page is served from a
 * name of its own, then that name is made to lead to the device: here the name resolves
 * (--host-resolver-rules) to a loopback address where a small server first serves the
 * attacker's page and then, "rebound", forwards every connection to the simulated device byte
 * for byte, which is what a DNS answer changing to the device's address does for the browser.
 * The page's script and form then talk to the device from the attacker's origin, with Host and
 * Origin naming that origin. The name starts with the device's hostname, as the finding's did.
 * Reads stay open (the forwarding works: GET /data answers); every change is refused with 403
 * and nothing is saved.
 */

import * as assert from "node:assert/strict";
import { connect, createServer, type Server, type Socket } from "node:net";
import { useBrowser } from "../support/browser";
import { startSimulatorProcess, type SimulatorProcess } from "../support/simulator-process";

const ATTACKER_ADDRESS = "127.0.0.2";

/** The attacker's server: serves `page` until rebind(), then forwards connections to the device. */
async function attackerServer(page: () => string, device: { host: string; port: number }): Promise<{ port: number; rebind(): void; close(): Promise<void> }> {
  let rebound = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    if (rebound) {
      const upstream = connect(device.port, device.host);
      upstream.on("error", () => socket.destroy());
      socket.pipe(upstream).pipe(socket);
      return;
    }
    socket.once("data", () => {
      const body = Buffer.from(page());
      socket.end(`HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, ATTACKER_ADDRESS, resolve));
  return {
    port: (server.address() as { port: number }).port,
    rebind: () => {
      rebound = true;
      // The browser's kept-alive connections to the old address go too, as after a DNS change.
      for (const s of sockets) s.destroy();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("browser: a page on a rebinding name cannot change the device", function () {
  this.timeout(60_000);
  const chrome = useBrowser([`--host-resolver-rules=MAP *.attacker.example ${ATTACKER_ADDRESS}`]);
  let sim: SimulatorProcess;
  let hostname: string;

  before(async () => {
    sim = await startSimulatorProcess();
    hostname = ((await (await fetch(`${sim.url}/api/status`)).json()) as { hostname: string }).hostname;
  });
  after(async () => {
    await sim?.stop();
  });

  it("answers its fetches and its form 403, saves nothing, and still lets it read /data", async () => {
    const device = new URL(sim.url);
    const before = (await (await fetch(`${sim.url}/api/config`)).json()) as Record<string, unknown>;
    const attacker = await attackerServer(
      () => `<!DOCTYPE html><html><body>
        <form id="f" method="POST" action="/config"><input name="hostname" value="pwned-by-form"><input name="ota_url" value="http://203.0.113.9/evil.bin"></form>
        </body></html>`,
      { host: device.hostname, port: Number(device.port) },
    );
    try {
      const origin = `http://${hostname}.attacker.example:${attacker.port}`;
      const page = await chrome.browser.newPage();
      await page.goto(`${origin}/`);
      attacker.rebind();

      // A string, not a function: the test's compiler would wrap named functions in a helper the page lacks.
      const results = (await page.evaluate(`(async () => {
        const post = async (path, body) => {
          const res = await fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
          return { status: res.status, text: await res.text() };
        };
        const data = await fetch("/data");
        return {
          data: { status: data.status, text: await data.text() },
          config: await post("/api/config", { hostname: "pwned", ota_url: "http://203.0.113.9/evil.bin" }),
          reboot: await post("/api/reboot", {}),
          reset: await post("/api/factory-reset", { confirm: "erase everything" }),
        };
      })()`)) as Record<"data" | "config" | "reboot" | "reset", { status: number; text: string }>;
      assert.equal(results.data.status, 200, "the page reaches the device: reads are open, for scrapers");
      assert.match(results.data.text, /^\{/);
      for (const [what, res] of Object.entries({ config: results.config, reboot: results.reboot, reset: results.reset })) {
        assert.equal(res.status, 403, `${what}: ${res.text}`);
        assert.match(res.text, /IP address|allowed hosts/, "the answer says how to reach the device properly");
      }

      // The form: a top-level navigation from the attacker's page, to the rebound name.
      const [answer] = await Promise.all([page.waitForResponse((r) => r.url().endsWith("/config")), page.evaluate('document.getElementById("f").submit()')]);
      assert.equal(answer.status(), 403);
      await page.close();
    } finally {
      await attacker.close();
    }
    const after = (await (await fetch(`${sim.url}/api/config`)).json()) as Record<string, unknown>;
    assert.deepEqual(after, before, "nothing was saved");
    assert.equal(sim.output.filter((l) => /restart|factory reset/i.test(l)).length, 0, "no reboot, no reset");
  });
});
