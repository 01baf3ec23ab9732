/*
 * Soak: thousands of mixed requests (page, /data, status, config saves through the API and the
 * form, refused saves, malformed requests) from more clients at once than the device serves.
 * Afterwards the server still answers, the heap has settled (measured after gc and printed;
 * the bound is loose, a leak of a few bytes per request would still pass it but a leak of
 * requests would not), and the config holds exactly the last successful save, after a reboot
 * too.
 */

import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:net";
import { rawRequest } from "../support/raw-http";
import { startSimulator, type Simulator } from "../../hosts/node/simulator";

const TOTAL = 2000;
const CLIENTS = 8;
const gc = (globalThis as { gc?: () => void }).gc;

function heapAfterGc(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

describe("simulator: soak", function () {
  this.timeout(180_000);
  let sim: Simulator;
  let stateDir: string;

  before(async () => {
    stateDir = mkdtempSync(join(tmpdir(), "iot-soak-"));
    // Two connections at once against eight clients: the 503 path and the clients' retries run.
    sim = await startSimulator({ port: 0, stateDir, logSink: () => undefined, limits: { maxConnections: 2 } });
  });
  after(async () => {
    await sim?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it(`serves ${TOTAL} mixed requests from ${CLIENTS} clients, keeps the last save, and settles`, async () => {
    const url = sim.url;
    const counts = new Map<number, number>();
    const count = (status: number): void => void counts.set(status, (counts.get(status) ?? 0) + 1);
    // A 503 is the device's answer past its connection budget; the client tries again.
    const send = async (path: string, init?: RequestInit): Promise<Response> => {
      for (;;) {
        const res = await fetch(url + path, init);
        count(res.status);
        if (res.status !== 503) return res;
        await res.arrayBuffer();
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    const json = (value: unknown): RequestInit => ({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(value) });

    // Warm up, then measure the heap.
    for (let i = 0; i < 50; i++) await (await send("/data")).arrayBuffer();
    const heapBefore = heapAfterGc();

    let lastSaved = "";
    let issued = 0;
    // One client saves in sequence, so "the last successful save" is well defined; the others
    // read, send refused saves and garbage at the same time.
    const saver = async (): Promise<void> => {
      for (let n = 0; issued < TOTAL; n++) {
        issued++;
        const value = `soak ${n} Küche`;
        const viaForm = n % 3 === 0;
        const res = viaForm
          ? await send("/config", {
              method: "POST",
              redirect: "manual",
              headers: { "content-type": "application/x-www-form-urlencoded", origin: url },
              body: `60_CUSTOM_CONFIG=${encodeURIComponent(value)}`,
            })
          : await send("/api/config", json({ "60_CUSTOM_CONFIG": value }));
        await res.arrayBuffer();
        if (res.status === 200 || res.status === 303) lastSaved = value;
      }
    };
    const other = async (id: number): Promise<void> => {
      for (let n = 0; issued < TOTAL; n++) {
        issued++;
        const pick = (n + id) % 10;
        if (pick < 4) {
          const res = await send("/data");
          assert.equal(res.status, 200);
          await res.json();
        } else if (pick < 6) {
          const res = await send("/");
          assert.equal(res.status, 200);
          assert.match(await res.text(), /<\/html>$/);
        } else if (pick === 6) {
          const res = await send("/api/status");
          await res.arrayBuffer();
        } else if (pick === 7) {
          const res = await send("/api/config", json({ "60_CUSTOM_CONFIG": 42, hostname: "ok" }));
          assert.equal(res.status, 400);
          await res.arrayBuffer();
        } else if (pick === 8) {
          const res = await send("/api/config", { method: "POST", headers: { "content-type": "application/json" }, body: "{broken" });
          assert.equal(res.status, 400);
          await res.arrayBuffer();
        } else {
          const reply = await rawRequest(url, "NOT HTTP AT ALL\r\n\r\n");
          count(reply.status);
          assert.ok([400, 501, 503].includes(reply.status), `garbage answered ${reply.status}`);
        }
      }
    };
    // One connection held half-sent for the whole run leaves a single slot for eight clients.
    const { hostname, port } = new URL(url);
    const held = connect(Number(port), hostname, () => held.write("GET /data HTTP/1.1\r\n"));
    held.on("error", () => undefined);
    const started = Date.now();
    await Promise.all([saver(), ...Array.from({ length: CLIENTS - 1 }, (_, i) => other(i))]);
    const seconds = (Date.now() - started) / 1000;
    held.destroy();

    const heapAfter = heapAfterGc();
    const growth = heapAfter - heapBefore;
    const summary = Array.from(counts.entries()).sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${n}`).join(", ");
    console.log(`      soak: ${TOTAL} requests in ${seconds.toFixed(1)} s; ${summary}; heap ${(heapBefore / 1e6).toFixed(1)} MB -> ${(heapAfter / 1e6).toFixed(1)} MB after gc${gc ? "" : " (gc not exposed: figures are rough)"}`);

    assert.ok(!counts.has(500), "no request failed inside the server");
    assert.ok((counts.get(503) ?? 0) > 0, "the connection limit was reached and answered 503");
    assert.notEqual(lastSaved, "");
    const config = (await (await send("/api/config")).json()) as Record<string, unknown>;
    assert.equal(config["60_CUSTOM_CONFIG"], lastSaved);
    if (gc) assert.ok(growth < 16e6, `heap grew by ${growth} bytes`);

    await sim.restart();
    const afterReboot = (await (await send("/api/config")).json()) as Record<string, unknown>;
    assert.equal(afterReboot["60_CUSTOM_CONFIG"], lastSaved);
    assert.equal((await send("/data")).status, 200);
  });
});
