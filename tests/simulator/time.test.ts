/*
 * The simulated device's clock, black box: `npm start` with --ntp-server pointing at a silent
 * server and then at chrony (a real NTP server on loopback, an hour ahead of this machine). The
 * demo's gmt_time is null until the clock is set, then chrony's time; GET /api/status and the
 * page say where the time came from. Without --ntp-server the computer's clock is used at once.
 */

import * as assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { setTimeout as delay } from "node:timers/promises";
import { freeUdpPort, startChrony, type Chrony } from "../support/chrony";
import { startSimulatorProcess, type SimulatorProcess } from "../support/simulator-process";

async function data(sim: SimulatorProcess): Promise<Record<string, unknown>> {
  return (await (await fetch(`${sim.url}/data`)).json()) as Record<string, unknown>;
}

async function status(sim: SimulatorProcess): Promise<Record<string, any>> {
  return (await (await fetch(`${sim.url}/api/status`)).json()) as Record<string, any>;
}

describe("simulator: time from SNTP", function () {
  this.timeout(60_000);
  let chrony: Chrony;
  let silent: Socket;
  let silentPort: number;
  let heard = 0;

  before(async () => {
    chrony = await startChrony({ offsetSeconds: 3600 });
    silentPort = await freeUdpPort();
    silent = createSocket("udp4");
    silent.on("message", () => heard++);
    await new Promise<void>((resolve) => silent.bind(silentPort, "127.0.0.1", resolve));
  });
  after(async () => {
    silent?.close();
    await chrony?.stop();
  });

  it("gmt_time is null until SNTP set the clock, then chrony's time; status and page say so", async () => {
    const sim = await startSimulatorProcess({ args: ["--ntp-server", `127.0.0.1:${silentPort}`, "--ntp-server", `127.0.0.1:${chrony.port}`] });
    try {
      const first = await data(sim);
      assert.equal(first.gmt_time, null, "no 1970 date before the clock is set");
      const before = (await status(sim)).time;
      assert.equal(before.valid, false);
      assert.match(before.summary, /not set yet/);
      let gmt: unknown = null;
      const deadline = Date.now() + 20_000;
      while (gmt === null && Date.now() < deadline) {
        await delay(200);
        gmt = (await data(sim)).gmt_time;
      }
      assert.equal(typeof gmt, "string", "set within 20 s");
      const ahead = Date.parse(gmt as string) - Date.now();
      const want = await chrony.offsetMs();
      assert.ok(Math.abs(ahead - want) < 4000, `gmt_time is ${ahead} ms ahead, chrony ${want} ms (the task writes every 3 s)`);
      assert.ok(heard >= 1, "the silent server was asked first");
      const time = (await status(sim)).time;
      assert.equal(time.valid, true);
      assert.equal(time.source, "sntp");
      assert.equal(time.server, `127.0.0.1:${chrony.port}`);
      assert.ok(Math.abs(Date.parse(time.utc) - Date.now() - want) < 1500);
      assert.ok(Math.abs(time.offsetMs) > 1e12, "corrected from 1970");
      const page = await (await fetch(`${sim.url}/`)).text();
      assert.match(page, new RegExp(`synchronised with 127\\.0\\.0\\.1:${chrony.port}`));
    } finally {
      await sim.stop();
    }
  });

  it("without --ntp-server the clock is the computer's at once", async () => {
    const sim = await startSimulatorProcess();
    try {
      const time = (await status(sim)).time;
      assert.equal(time.valid, true);
      assert.equal(time.source, "host");
      assert.ok(Math.abs(Date.parse(time.utc) - Date.now()) < 2000);
      assert.equal(typeof (await data(sim)).gmt_time, "string");
    } finally {
      await sim.stop();
    }
  });

  it("refuses an --ntp-server that is neither host nor HOST[:PORT]", async () => {
    const sim = startSimulatorProcess({ args: ["--ntp-server", "no such:host"] });
    await assert.rejects(sim, /ntp-server/);
  });
});
