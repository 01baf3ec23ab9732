/*
 * The OTA feature (modules/ota/ota-feature.ts) through its routes: POST /api/ota starts (202),
 * a second POST while one runs is 409, GET /api/ota reports {state, received, total, error};
 * the URL comes from the request or the ota_url setting; a finished update restarts the device;
 * an updated app stays on probation until healthy (web server up, network settled) and a
 * rolled-back update is reported. Runs on XS too.
 */

import * as assert from "../support/assert";
import { Config } from "../../modules/config/config";
import { DataStore } from "../../modules/data/data-store";
import type { HttpRequest, HttpResponse } from "../../modules/http/http-message";
import type { NetworkMode } from "../../modules/host/network";
import { Router } from "../../modules/http/router";
import { Logger } from "../../modules/log/logger";
import { OtaFeature, type OtaFeatureOptions } from "../../modules/ota/ota-feature";
import { SlotUpdater } from "../../hosts/simulated/slot-updater";
import { buildImage } from "../support/esp32-image";
import { formRequest } from "../support/http-request";
import { utf8Decode } from "../../modules/text/utf8";
import type { StaticAsset } from "../../modules/http/static-asset";
import { MemoryStorage } from "../support/memory-storage";
import { MemoryPartitions, ScriptedHttpClient } from "../support/ota-fakes";
import { featureContext } from "../support/feature-context";
import { createTestHost, type TestHost } from "../support/test-host";
import { Events } from "../../modules/events";

const URL = "http://10.0.0.2:8000/fw.bin";
const WHERE = "10.0.0.2:8000/fw.bin";

interface Rig {
  host: TestHost;
  router: Router;
  feature: OtaFeature;
  client: ScriptedHttpClient;
  restarts: number[];
  boot(): SlotUpdater;
  request(method: string, body?: unknown, contentType?: string): { status: number; json: Record<string, unknown> };
}

function bodyText(response: HttpResponse): string {
  return typeof response.body === "string" ? response.body : "";
}

interface RigOptions extends OtaFeatureOptions {
  /** What the manager would say: the web server is up, the network is this. */
  serving?: () => boolean;
  network?: () => { mode: NetworkMode; ssid: string; ip: string; configured?: boolean };
}

function makeRig(rigOptions: RigOptions = {}, prepare?: (boot: () => SlotUpdater) => void, otaUrl = URL): Rig {
  const { serving, network, ...options } = rigOptions;
  const store = new MemoryPartitions(32 * 1024);
  const otaStorage = new MemoryStorage();
  const boot = (): SlotUpdater => new SlotUpdater({ store, storage: otaStorage, factory: { project: "xs_esp32", version: "", chipId: 0 } });
  prepare?.(boot);
  const base = createTestHost();
  const client = new ScriptedHttpClient(base.clock);
  const host: TestHost = Object.assign(base, { updater: boot() });
  const router = new Router();
  const config = new Config(host.storage);
  const restarts: number[] = [];
  const feature = new OtaFeature({ appVersion: "1.0.0", client, otaUrl, ...options });
  config.declare(feature.settings);
  feature.attach(
    featureContext(host, {
      config,
      router,
      serving,
      network: network ?? (() => ({ mode: "station", ssid: "Home", ip: "10.0.0.1" })),
      restartSoon: (ms) => void restarts.push(ms ?? 0),
    }),
  );
  return {
    host,
    router,
    feature,
    client,
    restarts,
    boot,
    request(method, body, contentType = "application/json") {
      const request: HttpRequest = {
        method,
        path: "/api/ota",
        query: "",
        headers: body === undefined ? {} : { "content-type": contentType },
        body: body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body),
      };
      const response = router.handle(request);
      return { status: response.status, json: JSON.parse(bodyText(response)) as Record<string, unknown> };
    },
  };
}

describe("ota: feature and API", () => {
  it("GET /api/ota reports an idle device and the running app", () => {
    const rig = makeRig();
    const { status, json } = rig.request("GET");
    assert.equal(status, 200);
    assert.deepEqual(json, {
      state: "idle", received: 0, total: 0, error: "",
      project: "xs_esp32", version: "1.0.0", probation: false, probationLeft: 0,
      checking: false, github: { repo: "", channel: "stable", auto: "off", decision: "automatic updates are off" },
    });
    assert.deepEqual(rig.feature.status(), json, "the same object in /api/status");
  });

  it("POST /api/ota starts from the ota_url setting (202), refuses a second start (409), then restarts", () => {
    const rig = makeRig({ rebootDelayMs: 500 });
    rig.client.serve(WHERE, { body: buildImage({ size: 6000, version: "2.0.0" }), delayMs: 10 });
    const first = rig.request("POST", {});
    assert.equal(first.status, 202);
    assert.equal(first.json.state, "downloading");
    const second = rig.request("POST", {});
    assert.equal(second.status, 409);
    assert.match(String(second.json.error), /already downloading/);
    rig.host.clock.runUntil(() => rig.request("GET").json.state === "rebooting", 10_000, "rebooting");
    assert.deepEqual(rig.restarts, [500]);
    assert.equal(rig.request("GET").json.received, rig.request("GET").json.total);
    assert.equal(rig.boot().running().version, "2.0.0");
  });

  it("takes the URL, expected hash and project override from the request", () => {
    const rig = makeRig();
    rig.client.serve("other:9000/x.bin", { body: buildImage({ size: 3000, project: "next-app", version: "5.0.0" }) });
    assert.equal(rig.request("POST", { url: "http://other:9000/x.bin", allowOtherProject: true }).status, 202);
    rig.host.clock.runUntil(() => rig.request("GET").json.state !== "downloading", 10_000, "the end");
    assert.equal(rig.request("GET").json.state, "rebooting");
  });

  it("answers a bad request with 400 or 415, saying why", () => {
    const rig = makeRig();
    const cases: [unknown, string | undefined, number, RegExp][] = [
      [{ url: 5 }, undefined, 400, /url must be a string/],
      [{ sha256: 1 }, undefined, 400, /sha256 must be a string/],
      [{ sha256: "xyz" }, undefined, 400, /64 hexadecimal digits/],
      [{ allowOtherProject: "yes" }, undefined, 400, /true or false/],
      [{ url: "https://x/fw.bin" }, undefined, 400, /https is not supported/],
      ["not json", undefined, 400, /not valid JSON/],
      ["url=x", "application/x-www-form-urlencoded", 415, /application\/json/],
    ];
    for (const [body, type, status, pattern] of cases) {
      const answer = rig.request("POST", body, type);
      assert.equal(answer.status, status, JSON.stringify(body));
      assert.match(String(answer.json.error), pattern);
    }
    assert.equal(rig.request("GET").json.state, "idle");
  });

  it("with no URL in the request or the settings, says to set ota_url", () => {
    const rig = makeRig({}, undefined, "");
    const answer = rig.request("POST", {});
    assert.equal(answer.status, 400);
    assert.match(String(answer.json.error), /no image URL: set ota_url/);
  });

  it("reports a failure in plain words and accepts a new attempt", () => {
    const rig = makeRig();
    rig.client.serve(WHERE, { status: 404 });
    rig.request("POST", {});
    rig.host.clock.run(100);
    const failed = rig.request("GET").json;
    assert.equal(failed.state, "failed");
    assert.match(String(failed.error), /the server answered 404 Not Found/);
    rig.client.serve(WHERE, { body: buildImage({ size: 3000, version: "2.0.0" }) });
    assert.equal(rig.request("POST", {}).status, 202);
    rig.host.clock.run(1000);
    assert.equal(rig.request("GET").json.state, "rebooting");
  });

  it("keeps an updated app on probation until it has run healthy, refusing updates meanwhile", () => {
    let serving = false;
    let mode: NetworkMode = "connecting";
    const rig = makeRig(
      {
        probationMs: 30_000,
        serving: () => serving,
        network: () => ({ mode, ssid: "", ip: "" }),
      },
      (boot) => {
        const u = boot();
        u.begin();
        u.write(buildImage({ size: 3000, version: "2.0.0" }));
        u.complete();
      },
    );
    let status = rig.request("GET").json;
    assert.deepEqual([status.version, status.probation, status.probationLeft], ["2.0.0", true, 30]);
    const refused = rig.request("POST", {});
    assert.equal(refused.status, 409);
    assert.match(String(refused.json.error), /on probation for 30 s more/);
    rig.host.clock.run(60_000);
    assert.equal(rig.request("GET").json.probation, true, "web server not up yet");
    serving = true;
    rig.host.clock.run(60_000);
    assert.equal(rig.request("GET").json.probation, true, "network not settled yet");
    mode = "station";
    rig.host.clock.run(29_000);
    assert.equal(rig.request("GET").json.probation, true);
    rig.host.clock.run(2000);
    status = rig.request("GET").json;
    assert.equal(status.probation, false);
    assert.equal(rig.boot().running().state, "valid");
  });

  it("with a network saved, only being on it is healthy: an update that cannot join is not kept", () => {
    let mode: NetworkMode = "ap";
    const fresh = makeRig(
      { probationMs: 30_000, serving: () => true, network: () => ({ mode, ssid: "", ip: "", configured: true }) },
      (boot) => {
        const u = boot();
        u.begin();
        u.write(buildImage({ size: 3000, version: "2.0.0" }));
        u.complete();
      },
    );
    fresh.host.clock.run(120_000);
    assert.equal(fresh.request("GET").json.probation, true, "portal only: not kept");
    mode = "ap+station";
    fresh.host.clock.run(120_000);
    assert.equal(fresh.request("GET").json.probation, true, "still trying the network: not kept");
    mode = "station";
    fresh.host.clock.run(31_000);
    assert.equal(fresh.request("GET").json.probation, false, "on the saved network: kept");
  });

  it("with no network saved, the access point is healthy", () => {
    const rig = makeRig(
      { probationMs: 30_000, serving: () => true, network: () => ({ mode: "ap", ssid: "", ip: "" }) },
      (boot) => {
        const u = boot();
        u.begin();
        u.write(buildImage({ size: 3000, version: "2.0.0" }));
        u.complete();
      },
    );
    rig.host.clock.run(31_000);
    assert.equal(rig.request("GET").json.probation, false);
  });

  it("reports an update that was rolled back, until the next attempt", () => {
    const rig = makeRig({}, (boot) => {
      const u = boot();
      u.begin();
      u.write(buildImage({ size: 3000, version: "2.0.0" }));
      u.complete();
      boot(); // 2.0.0 on probation...
      // ...and the device restarts before it was kept: the next boot rolls back.
    });
    const status = rig.request("GET").json;
    assert.equal(status.state, "failed");
    assert.equal(status.version, "1.0.0");
    assert.match(String(status.error), /the update to xs_esp32 2\.0\.0 was rolled back/);
  });

  it("renders a page section with the button, the progress bar and escaped values", () => {
    const rig = makeRig();
    assert.equal(rig.request("POST", { url: "http://evil:1/<script>.bin" }).status, 400);
    rig.request("POST", { url: "http://evil:1/it's.bin" });
    rig.host.clock.run(100);
    const html = Array.from(rig.feature.pageSection()).join("");
    assert.match(html, /Update failed: the server answered 404 Not Found for http:\/\/evil:1\/it&#39;s\.bin/);
    assert.match(html, /<form id="ota-form" method="post" action="\/ota" accept-charset="utf-8" data-answer="auto"/);
    assert.match(html, /<input class="form-control" type="url" id="ota-url" name="ota_url" value="http:\/\/10\.0\.0\.2:8000\/fw\.bin"/, "the setting itself, one URL field");
    assert.match(html, /<button class="btn btn-primary" type="submit" id="ota-start">Update<\/button>/);
    assert.match(html, /id="ota-progress"/);
    assert.match(html, /<td id="ota-running">1\.0\.0<\/td>/, "a version, not the image's project name");
    assert.notMatch(html, /xs_esp32/);
    assert.notMatch(html, /<script>/);
    assert.match(utf8Decode((rig.feature.clientScript as StaticAsset).bytes), /\/api\/ota/);
  });

  it("POST /ota (the Update view's form) saves the URL as the setting, then updates from it", () => {
    const rig = makeRig({}, undefined, "");
    const json = { accept: "application/json" };
    const form = (body: string, headers: Record<string, string> = json): HttpResponse => rig.router.handle(formRequest("/ota", body, undefined, headers));
    const empty = form("ota_url=");
    assert.equal(empty.status, 400);
    assert.deepEqual(JSON.parse(bodyText(empty)).key, "ota_url");
    const bad = form(`ota_url=${encodeURIComponent("https://example.com/fw.bin")}`);
    assert.equal(bad.status, 400);
    assert.match(JSON.parse(bodyText(bad)).error, /^Not started: .*https/, bodyText(bad));
    assert.equal(JSON.parse(bodyText(bad)).key, "ota_url", "the field to mark");
    rig.client.serve(WHERE, { body: buildImage({ size: 6000, version: "2.0.0" }), delayMs: 10 });
    const started = form(`ota_url=${encodeURIComponent(URL)}`);
    assert.equal(started.status, 202, bodyText(started));
    const answer = JSON.parse(bodyText(started));
    assert.equal(answer.message, `Update started from ${URL}.`);
    assert.equal(answer.state, "downloading", "the status rides along, for the progress bar");
    const saved = rig.router.handle({ method: "GET", path: "/api/ota", query: "", headers: {}, body: "" });
    assert.equal(saved.status, 200);
    const again = form(`ota_url=${encodeURIComponent(URL)}`, {});
    assert.equal(again.status, 303, "without script: back to the view");
    assert.match(again.headers?.location ?? "", /^\/\?view=ota&n=\d+$/);
  });

  it("POST /ota with github=...: the GitHub buttons without script refuse what they cannot do, in words", () => {
    const rig = makeRig({}, undefined, "");
    const form = (body: string, headers: Record<string, string> = { accept: "application/json" }): HttpResponse => rig.router.handle(formRequest("/ota", body, undefined, headers));
    const odd = form("github=upgrade");
    assert.equal(odd.status, 400);
    assert.equal(JSON.parse(bodyText(odd)).error, 'Not started: github must be "check" or "install".');
    const early = form("github=install");
    assert.equal(early.status, 409);
    assert.equal(JSON.parse(bodyText(early)).error, "Not started: nothing to install: check for updates first");
    const back = form("github=install", {});
    assert.equal(back.status, 303, "without script: back to the view with the notice");
    assert.match(back.headers?.location ?? "", /^\/\?view=ota&n=\d+$/);
    assert.equal(rig.router.handle({ method: "GET", path: "/api/ota", query: "", headers: {}, body: "" }).status, 200);
  });

  it("starts the GitHub schedule once automatic updates are set after boot, not before", () => {
    const host: TestHost = Object.assign(createTestHost(), { updater: new SlotUpdater({ store: new MemoryPartitions(32 * 1024), storage: new MemoryStorage(), factory: { project: "xs_esp32", version: "" } }) });
    const config = new Config(host.storage);
    const events = new Events((name, e) => {
      throw new Error(`a ${name} listener failed: ${String(e)}`);
    });
    config.onChange((keys) => events.emit("config", keys));
    const feature = new OtaFeature({ appVersion: "1.0.0", client: new ScriptedHttpClient(host.clock), random: () => 0 });
    config.declare(feature.settings);
    feature.attach(featureContext(host, { config, events }));
    assert.equal(host.clock.pending, 0, "nothing set: no timer");
    const idle = feature.status().github as Record<string, unknown>;
    assert.equal(idle.nextCheckInS, undefined);
    config.update({ ota_auto: "notify" });
    const planned = feature.status().github as Record<string, unknown>;
    assert.equal(planned.auto, "notify");
    assert.equal(planned.nextCheckInS, 60, "the first check a minute after (random 0)");
    assert.equal(planned.decision, "nothing newer to install");
    config.update({ ota_auto: "off" });
    assert.equal((feature.status().github as Record<string, unknown>).nextCheckInS, undefined);
    assert.equal(host.clock.pending, 0, "off again: no timer");
    feature.detach();
  });

  it("detach() stops a running update and leaves no timer", () => {
    const rig = makeRig();
    rig.client.serve(WHERE, { body: buildImage({ size: 8000 }), delayMs: 100 });
    rig.request("POST", {});
    rig.host.clock.run(300);
    rig.feature.detach();
    assert.equal(rig.host.clock.pending, 0);
    assert.equal(rig.client.open, 0);
    assert.equal(rig.boot().running().version, "");
  });
});
