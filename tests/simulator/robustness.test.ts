/*
 * The simulator survives what an app can get wrong: an app that awaits run() at its top level
 * (a promise that never settles) still boots, and a page whose body fails halfway through
 * costs that one response, not the process.
 */

import * as assert from "node:assert/strict";
import { get } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startSimulator, type Simulator } from "../../hosts/node/simulator";

describe("simulator: apps that get things wrong", function () {
  this.timeout(30_000);
  let sim: Simulator;
  let stateDir: string;

  before(async () => {
    stateDir = mkdtempSync(join(tmpdir(), "iot-robust-"));
    sim = await startSimulator({ port: 0, stateDir, app: resolve(import.meta.dirname, "../fixtures/awaiting-app.ts"), logSink: () => undefined });
  });
  after(async () => {
    await sim?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("boots an app that awaits run() at its top level", async () => {
    const res = await fetch(`${sim.url}/data`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ok: true });
  });

  // node:http's client, not fetch: undici takes a chunked body cut short by a reset as whole
  // when the response says "connection: close" (which HTTP/1.1 makes the server send).
  it("cuts the connection of a page that fails halfway, and goes on serving", async () => {
    const outcome = await new Promise<string>((resolvePromise) => {
      // The broken card is on its own view.
      get(`${sim.url}/?view=broken-section`, (res) => {
        res.on("data", () => undefined);
        res.on("error", (e) => resolvePromise(`error: ${e.message}`));
        res.on("end", () => resolvePromise(res.complete ? "whole" : "incomplete"));
      }).on("error", (e) => resolvePromise(`error: ${e.message}`));
    });
    assert.notEqual(outcome, "whole", "a truncated chunked body is an error for the client, not a whole page");
    assert.equal((await fetch(`${sim.url}/data`)).status, 200);
  });

  it("reboots such an app too", async () => {
    await sim.restart();
    assert.equal(sim.boots, 2);
    assert.equal((await fetch(`${sim.url}/data`)).status, 200);
  });
});
