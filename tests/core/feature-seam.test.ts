/*
 * The plug-in seam, as the next feature's author meets it: a feature from a test folder
 * (tests/fixtures/features/guestbook) plugs in through the app's feature list alone, and gets
 * declared settings enforced on every path, routes with parameters and a policy of its own,
 * status, a page card, events, and a detach that ends its subscriptions. The manager leaves out
 * a feature whose host lacks what it needs, starts features in the order `after` asks, and
 * refuses two features with one name. Runs on Node and on XS.
 */

import type { Feature } from "../../modules/feature";
import { IotManager, MAX_SLEEP_MS } from "../../modules/manager";
import * as assert from "../support/assert";
import { bodyJson, bodyText, formRequest, jsonRequest, request } from "../support/http-request";
import { createTestHost } from "../support/test-host";
import { GuestbookFeature } from "../fixtures/features/guestbook/guestbook-feature";

function started(features: Feature[]): { iot: IotManager; host: ReturnType<typeof createTestHost> } {
  const host = createTestHost();
  const iot = new IotManager({ title: "Seam" }, host);
  for (const feature of features) iot.addFeature(feature);
  void iot.run();
  return { iot, host };
}

describe("feature seam: a feature from its own folder", () => {
  it("declares settings that every path enforces, with label, help and limits on the page", () => {
    const guestbook = new GuestbookFeature();
    const { iot } = started([guestbook]);
    assert.equal(iot.config.get("guestbook_max"), 10);
    for (const bad of [51, 0, 2.5, "7"]) {
      const res = iot.handle(jsonRequest("POST", "/api/config", { guestbook_max: bad }));
      assert.equal(res.status, 400, `json ${JSON.stringify(bad)}`);
      assert.equal((bodyJson(res) as { key: string }).key, "guestbook_max");
    }
    for (const bad of ["51", "0x10", "1e", " 5", "Infinity", "2.5"]) {
      const form = iot.handle(formRequest("/config", `guestbook_max=${encodeURIComponent(bad)}`));
      assert.match(bodyText(iot.handle(request("GET", `/?${String(form.headers?.location).split("?")[1]}`))), /Not saved: guestbook_max must be/, `form ${bad}`);
    }
    assert.throws(() => iot.config.set("guestbook_max", 99), /guestbook_max must be at most 50/);
    assert.equal(iot.handle(jsonRequest("POST", "/api/config", { guestbook_max: 20 })).status, 200);
    assert.equal(iot.config.get("guestbook_max"), 20);
    const page = bodyText(iot.handle(request("GET", "/?view=settings")));
    assert.match(page, /<legend[^>]*>Guestbook<\/legend>/);
    assert.match(page, /<label class="form-label" for="cfg-guestbook_max">Most entries kept<\/label><input class="form-control" type="number" id="cfg-guestbook_max" name="guestbook_max" value="20" min="1" max="50" step="1" aria-describedby="cfg-guestbook_max-help"><div class="form-text" id="cfg-guestbook_max-help">Older entries are dropped\.<\/div>/);
    assert.match(page, /type="password" id="cfg-guestbook_key"/, "a declared secret is a password field");
    assert.deepEqual((bodyJson(iot.handle(request("GET", "/api/config"))) as { secrets_set: string[] }).secrets_set, []);
  });

  it("routes with parameters, the default admin rule for changes, and a policy of its own", () => {
    const { iot } = started([new GuestbookFeature()]);
    assert.equal(iot.handle(jsonRequest("POST", "/api/guestbook", { name: "Ada", text: "hello" })).status, 201);
    assert.deepEqual(bodyJson(iot.handle(request("GET", "/api/guestbook/1"))), { id: 1, name: "Ada", text: "hello" });
    assert.equal(iot.handle(request("GET", "/api/guestbook/99")).status, 404);
    assert.equal(iot.handle(request("GET", "/api/guestbook/1/extra")).status, 404, "a parameter is one segment");
    const denied = iot.handle(request("DELETE", "/api/guestbook/1"));
    assert.equal(denied.status, 403);
    assert.match(bodyText(denied), /X-Guestbook-Key/);
    iot.config.set("guestbook_key", "k3y");
    assert.equal(iot.handle(request("DELETE", "/api/guestbook/1", { headers: { "x-guestbook-key": "k3y" } })).status, 200);
    // The admin password guards the default routes, not the feature's own policy.
    iot.config.set("admin_password", "s3cret pass");
    assert.equal(iot.handle(jsonRequest("POST", "/api/guestbook", { name: "Bo", text: "hi" })).status, 401);
    assert.equal(iot.handle(request("DELETE", "/api/guestbook/2", { headers: { "x-guestbook-key": "k3y" } })).status, 404, "past the policy, not the password");
    // And the device's own names still hold for it: a change from another site's name is refused.
    assert.equal(iot.handle(request("DELETE", "/api/guestbook/2", { headers: { host: "evil.example", "x-guestbook-key": "k3y" } })).status, 403);
  });

  it("shows its card and status, and follows data and network events until it stops", () => {
    const guestbook = new GuestbookFeature();
    const { iot } = started([guestbook]);
    iot.handle(jsonRequest("POST", "/api/guestbook", { name: "<b>Ada</b>", text: "hi" }));
    assert.match(bodyText(iot.handle(request("GET", "/?view=guestbook"))), /<li>&lt;b&gt;Ada&lt;\/b&gt;: hi<\/li>/, "on its own view");
    assert.match(bodyText(iot.handle(request("GET", "/"))), /<a href="\/\?view=guestbook">Guestbook<\/a>/, "named in the navigation");
    assert.deepEqual((bodyJson(iot.handle(request("GET", "/api/status"))) as Record<string, unknown>).guestbook, { entries: 1 });
    assert.deepEqual(guestbook.networks, ["station 192.168.1.50"], "the network as the manager started");
    iot.data.set("a", 1);
    iot.data.set("a", 2);
    assert.equal(guestbook.dataChanges, 2);
    iot.stop();
    iot.data.set("a", 3);
    assert.equal(guestbook.dataChanges, 2, "no event after detach");
  });
});

describe("feature seam: the manager's rules", () => {
  it("leaves out, and logs, a feature whose host lacks a part it needs", () => {
    const host = createTestHost();
    const iot = new IotManager({ features: [{ name: "needs-radio", needs: ["radio"], settings: { radio_x: { type: "string", default: "", group: "needs-radio", label: "x" } }, attach: () => undefined }] }, host);
    assert.ok(host.lines.some((l) => /feature needs-radio left out: the host has no radio/.test(l.line)));
    assert.ok(host.lines.some((l) => /feature wifi left out: the host has no radio/.test(l.line)), "the list's WiFi too");
    assert.ok(host.lines.some((l) => /feature ota left out: the host has no updater/.test(l.line)));
    assert.equal(iot.config.has("radio_x"), false, "its settings are not declared either");
    assert.equal(iot.features.some((f) => f.name === "needs-radio"), false);
  });

  it("starts features in the order their `after` asks for, and refuses two with one name", () => {
    const order: string[] = [];
    const feature = (name: string, after?: string[]): Feature => ({ name, after, attach: () => void order.push(name) });
    const { iot } = started([feature("c", ["b"]), feature("b", ["a"]), feature("a")]);
    assert.deepEqual(order, ["a", "b", "c"]);
    assert.throws(() => iot.addFeature(feature("z")), /before run\(\)/);
    assert.throws(() => new IotManager({ features: [feature("x"), feature("x")] }, createTestHost()), /two features named x/);
  });

  it("keeps a save, and answers it, when a feature's config listener throws; the failure is logged", () => {
    // Features hear config changes through the manager's Events (as WiFi, time and mDNS do): a
    // listener's exception must not turn a save that happened into a 500, nor stop the others.
    const heard: string[][] = [];
    const throwing: Feature = {
      name: "brittle",
      settings: { brittle_x: { type: "string", default: "", group: "brittle", label: "x" } },
      attach: (context) => void context.events.on("config", () => {
        throw new Error("brittle cannot apply it");
      }),
    };
    const listening: Feature = { name: "steady", attach: (context) => void context.events.on("config", (keys) => void heard.push([...keys])) };
    const { iot, host } = started([throwing, listening]);
    const saved = iot.handle(jsonRequest("POST", "/api/config", { brittle_x: "new", hostname: "porch" }));
    assert.equal(saved.status, 200, bodyText(saved));
    assert.equal(iot.config.get("brittle_x"), "new");
    assert.equal(iot.config.get("hostname"), "porch");
    assert.deepEqual(heard, [["brittle_x", "hostname"]], "the next listener still hears it");
    assert.ok(host.lines.some((l) => /a config listener failed: .*brittle cannot apply it/.test(l.line)), host.lines.map((l) => l.line).join("\n"));
    const form = iot.handle(formRequest("/config", "brittle_x=again"));
    assert.equal(form.status, 303, "the form's save is answered as usual");
    assert.equal(iot.config.get("brittle_x"), "again");
  });

  it("refuses a sleep no timer can do, with a clear error", async () => {
    const iot = new IotManager({}, createTestHost());
    for (const ms of [-1, NaN, Infinity, 1e311, MAX_SLEEP_MS + 1]) {
      let error: unknown;
      await iot.sleep(ms).catch((e: unknown) => (error = e));
      assert.ok(error instanceof RangeError, `sleep(${ms})`);
      assert.match((error as Error).message, /the delay must be a number of ms from 0 to 86400000/);
    }
  });
});
