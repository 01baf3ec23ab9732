/*
 * Black box, part 3: the admin password (docs/security.md, "Authentication") and what a device keeps
 * across a restart (the config, the password with it). Runs last: once the password is set,
 * every change needs it. The restart is the harness's (device.ts: run-on-sdk.ts stops mcsim and
 * starts it again over the same Preference file, since mcsim cannot restart an app itself);
 * with only IOT_DEVICE_URL that test skips. The password is removed again at the end, so a
 * device given by URL is left without one.
 */

import * as assert from "node:assert/strict";
import { basicAuth, device, getJson, postJson } from "./device";

const PASSWORD = "s3cret-admin 温";
const APP_KEY = "60_CUSTOM_CONFIG";

describe("device: the admin password, and what survives a restart", function () {
  this.timeout(90_000);
  let passwordSet = false;

  after(async () => {
    if (passwordSet) await postJson("/api/config", { admin_password: "" }, basicAuth(PASSWORD));
  });

  it("with admin_password set, a change without it is 401 with WWW-Authenticate; with it, it is saved", async () => {
    const set = await postJson("/api/config", { admin_password: PASSWORD });
    assert.equal(set.status, 200, set.bytes.toString("utf8"));
    passwordSet = true;
    const view = set.json as Record<string, unknown>;
    assert.ok(!("admin_password" in view), "the password is never sent back");
    assert.ok((view.secrets_set as string[]).includes("admin_password"));

    const without = await postJson("/api/config", { [APP_KEY]: "no password" });
    assert.equal(without.status, 401, without.bytes.toString("utf8"));
    assert.match(without.headers.get("www-authenticate") ?? "", /^Basic /);
    const wrong = await postJson("/api/config", { [APP_KEY]: "wrong password" }, basicAuth("guess"));
    assert.equal(wrong.status, 401);
    const reads = await fetch(`${device().url}/api/config`);
    assert.equal(reads.status, 200, "reads stay open");
    assert.notEqual(((await reads.json()) as Record<string, unknown>)[APP_KEY], "no password");

    const withIt = await postJson("/api/config", { [APP_KEY]: "Visitors" }, basicAuth(PASSWORD));
    assert.equal(withIt.status, 200, withIt.bytes.toString("utf8"));
    assert.equal((await getJson("/api/config"))[APP_KEY], "Visitors");
  });

  it("keeps the config and the password across a restart", async function () {
    const restart = device().restart;
    if (!restart) {
      // Only the harness can restart a device (mcsim has no way to restart an app).
      this.skip();
    }
    const saved = await postJson("/api/config", { [APP_KEY]: "Guests", hostname: "greenhouse-1" }, basicAuth(PASSWORD));
    assert.equal(saved.status, 200, saved.bytes.toString("utf8"));
    await restart();
    const config = await getJson("/api/config");
    assert.equal(config[APP_KEY], "Guests");
    assert.equal(config.hostname, "greenhouse-1");
    assert.ok((config.secrets_set as string[]).includes("admin_password"), "the password is still set");
    const status = await getJson("/api/status");
    assert.ok((status.uptime as number) < 30, `uptime ${String(status.uptime)} s: it did restart`);
    // The task reads its key once, at start: the new name shows that the app booted with it.
    assert.ok("Guests" in (await getJson("/data")), "the task counts under the saved key");
    assert.equal((await postJson("/api/config", { [APP_KEY]: "x" })).status, 401, "a change still needs the password");
    assert.equal((await postJson("/api/config", { [APP_KEY]: "Counter" }, basicAuth(PASSWORD))).status, 200, "and takes it");
  });
});
