/*
 * Storage that is broken is named and worked around (issue 12, finding 6). The simulator's state
 * files are damaged between boots the way a hand edit, a full disk or a bad card leaves them:
 * truncated mid-string, garbled, one copy of a record torn. Each time the device must boot, say
 * which domain it could not read (log, GET /api/status, the page), serve on defaults for that
 * domain alone, store a good record on the next save, and a factory reset must still restart.
 */

import * as assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { startSimulator, type Simulator } from "../../hosts/node/simulator";

const APP = resolve(import.meta.dirname, "../fixtures/variables-app.ts");
const JSON_HEADERS = { "content-type": "application/json" };

describe("simulator: broken storage is named and worked around", function () {
  this.timeout(60_000);
  let stateDir: string;
  let sim: Simulator | undefined;
  let lines: string[];

  const file = (domain: string): string => join(stateDir, "storage", `${domain}.json`);
  const truncate = (domain: string): void => {
    const text = readFileSync(file(domain), "utf8");
    writeFileSync(file(domain), text.slice(0, Math.floor(text.length / 2)));
  };
  async function boot(): Promise<Simulator> {
    await sim?.stop();
    lines = [];
    sim = await startSimulator({ port: 0, stateDir, app: APP, logSink: (_level, line) => lines.push(line) });
    return sim;
  }
  async function json(path: string, init?: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${sim!.url}${path}`, init);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }
  const post = (path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> =>
    json(path, { method: "POST", headers: JSON_HEADERS, body: JSON.stringify(body) });
  const problems = async (): Promise<string[]> => {
    const { body } = await json("/api/status");
    return ((body.storage as { problems?: string[] } | undefined)?.problems ?? []);
  };

  beforeEach(async () => {
    stateDir = mkdtempSync(join(tmpdir(), "iot-broken-"));
    await boot();
    assert.equal((await post("/api/config", { hostname: "kitchen" })).status, 200);
    assert.equal((await post("/api/variables", { "vars/count": 5, "app/note": "kept" })).status, 200);
    assert.deepEqual(await problems(), [], "nothing is wrong before the damage");
  });
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("boots on default settings when the settings file is truncated, says so, and the next save mends it", async () => {
    truncate("iot");
    await boot();
    assert.ok(lines.some((l) => /ERROR/.test(l) && /"iot"/.test(l) && /iot\.json/.test(l)), `the log names the domain and its file:\n${lines.join("\n")}`);
    const found = await problems();
    assert.equal(found.length, 1, found.join("\n"));
    assert.match(found[0], /iot/);
    assert.match(found[0], /defaults/);
    assert.ok(existsSync(`${file("iot")}.damaged`), "the damaged file is kept beside");

    const page = await fetch(`${sim!.url}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /class="alert alert-danger" role="alert"><strong>Storage:<\/strong> the settings could not be read, defaults are in use/);
    assert.notEqual((await json("/api/config")).body.hostname, "kitchen", "the settings are at their defaults");
    assert.deepEqual((await json("/api/variables")).body, { "vars/count": 5, "app/note": "kept" }, "the other domains are untouched");

    assert.equal((await post("/api/config", { hostname: "kitchen2" })).status, 200);
    assert.deepEqual(await problems(), [], "a save stores the domain afresh");
    await boot();
    assert.equal((await json("/api/config")).body.hostname, "kitchen2", "the saved record reads back after a reboot");
    assert.deepEqual(await problems(), []);
  });

  it("serves the page and takes variables when the variables file is truncated", async () => {
    truncate("vars");
    await boot();
    assert.ok(lines.some((l) => /ERROR/.test(l) && /"vars"/.test(l)), lines.join("\n"));
    assert.match((await problems()).join("\n"), /"vars"/);
    const page = await fetch(`${sim!.url}/?view=variables`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /name="vars\/count"[^>]*value="1"/, "the variable is back at its default");
    assert.equal((await json("/api/config")).body.hostname, "kitchen", "the settings are untouched");

    const saved = await post("/api/variables", { "vars/count": 7 });
    assert.equal(saved.status, 200);
    assert.equal(saved.body["vars/count"], 7);
    assert.deepEqual(await problems(), []);
    await boot();
    assert.equal((await json("/api/variables")).body["vars/count"], 7);
  });

  it("reads a garbled file (not JSON at all) the same way", async () => {
    writeFileSync(file("app"), "\u0000\u00ff garbage \u0001");
    await boot();
    assert.match((await problems()).join("\n"), /"app"/);
    assert.equal((await json("/api/variables")).body["app/note"], "hello");
    assert.equal((await json("/api/variables")).body["vars/count"], 5);
  });

  it("factory reset over damaged storage erases what it can, answers, and restarts", async () => {
    truncate("iot");
    truncate("vars");
    await boot();
    const reset = await post("/api/factory-reset", { confirm: "erase everything" });
    assert.equal(reset.status, 202, JSON.stringify(reset.body));
    assert.equal(reset.body.rebooting, true);
    assert.equal(reset.body.failed, undefined, "a damaged file can still be erased");
    const deadline = Date.now() + 10_000;
    let serving = false;
    while (!serving && Date.now() < deadline) {
      await delay(50);
      serving = sim!.boots === 2 && (await fetch(`${sim!.url}/data`).then((r) => r.ok, () => false));
    }
    assert.ok(serving, "the device restarted and serves");
    assert.deepEqual(await problems(), []);
    assert.deepEqual((await json("/api/variables")).body, { "vars/count": 1, "app/note": "hello" });
    assert.notEqual((await json("/api/config")).body.hostname, "kitchen");
  });

  it("logs a fall back to the other copy when one copy of the settings is torn", async () => {
    assert.equal((await post("/api/config", { hostname: "kitchen2" })).status, 200);
    await sim!.stop();
    sim = undefined;
    const stored = JSON.parse(readFileSync(file("iot"), "utf8")) as Record<string, string>;
    const slots = Object.keys(stored).filter((k) => /^config\.[01]$/.test(k));
    assert.equal(slots.length, 2, `two copies after two saves: ${Object.keys(stored).join(", ")}`);
    // Tear the newer copy (seq:crc:payload; the save of "kitchen2"): what a power cut inside that write leaves.
    const seq = (k: string): number => Number(stored[k].split(":")[0]);
    const newest = slots.sort((a, b) => seq(b) - seq(a))[0];
    stored[newest] = stored[newest].slice(0, 20);
    writeFileSync(file("iot"), JSON.stringify(stored));
    await boot();
    assert.ok(lines.some((l) => /WARN/.test(l) && /one copy of the saved settings/.test(l)), lines.join("\n"));
    assert.equal((await json("/api/config")).body.hostname, "kitchen", "the older copy is in use");
    assert.deepEqual(await problems(), [], "a fall back is not a problem: every setting saved before is there");
  });
});
