/*
 * The manager's HTTP application, request in, response out, with no sockets: the page, /data,
 * the config API and form, status, reboot, and the answers to bad requests. The same file runs
 * on Node and on XS.
 */

import * as assert from "../support/assert";
import { bodyJson, bodyText, formRequest, jsonRequest, request } from "../support/http-request";
import { createTestHost, type TestHost } from "../support/test-host";
import { IotManager } from "../../modules/manager";
import { wifiSettings } from "../support/wifi-settings";

function demo(host: TestHost = createTestHost(), useCss = true): IotManager {
  const iot = new IotManager({ title: "IoT Demo Controller", useCss, otaUrl: "http://10.1.1.10:8080/fw.bin", version: "1.2.3", features: [wifiSettings()] }, host);
  iot.configAdd({ "60_CUSTOM_CONFIG": "Counter", interval: 3, enabled: true });
  for (let i = 0; i < 5; i++) iot.data.set(`Key ${i}`, `${i}`);
  return iot;
}

describe("manager HTTP: /data and status", () => {
  it("GET /data answers the data as JSON in insertion order, never cached", () => {
    const iot = demo();
    iot.data.set("10", "ten").set("gmt_time", "2026-01-01T00:00:00.000Z");
    const res = iot.handle(request("GET", "/data"));
    assert.equal(res.status, 200);
    assert.match(res.headers?.["content-type"] ?? "", /^application\/json/);
    assert.equal(res.headers?.["cache-control"], "no-store");
    assert.equal(bodyText(res), '{"Key 0":"0","Key 1":"1","Key 2":"2","Key 3":"3","Key 4":"4","10":"ten","gmt_time":"2026-01-01T00:00:00.000Z"}');
  });

  it("GET /api/status reports title, version, uptime and network", async () => {
    const host = createTestHost();
    const iot = demo(host);
    await host.clock.advance(65_000);
    const status = bodyJson(iot.handle(request("GET", "/api/status"))) as Record<string, unknown>;
    assert.equal(status.title, "IoT Demo Controller");
    assert.equal(status.version, "1.2.3");
    assert.equal(status.uptime, 65);
    assert.equal(status.hostname, "iot-123456");
    assert.deepEqual(status.network, { mode: "station", ssid: "Home", ip: "192.168.1.50" });
    assert.equal(status.canRestart, true);
  });

  it("unknown paths are 404, known paths with another method 405 with Allow", () => {
    const iot = demo();
    assert.equal(iot.handle(request("GET", "/nope")).status, 404);
    const res = iot.handle(request("DELETE", "/api/config"));
    assert.equal(res.status, 405);
    assert.equal(res.headers?.allow, "GET, HEAD, POST");
    assert.match(bodyText(res), /"error"/);
  });
});

describe("manager HTTP: config API", () => {
  it("GET /api/config leaves every secret out", () => {
    const iot = demo();
    iot.config.update({ wifi_password: "hunter22", admin_password: "topsecret", wifi_fallback_password: "fb-pass" });
    const text = bodyText(iot.handle(request("GET", "/api/config")));
    assert.notMatch(text, /hunter22|topsecret|fb-pass/);
    const view = JSON.parse(text) as Record<string, unknown>;
    assert.equal(view["60_CUSTOM_CONFIG"], "Counter");
    assert.equal(view.hostname, "iot-123456");
    assert.deepEqual(view.secrets_set, ["admin_password", "wifi_password", "wifi_fallback_password"]);
  });

  it("POST /api/config saves all changes and answers the new config", () => {
    const host = createTestHost();
    const iot = demo(host);
    const res = iot.handle(jsonRequest("POST", "/api/config", { wifi_ssid: "home", interval: 10, enabled: false }));
    assert.equal(res.status, 200);
    assert.equal((bodyJson(res) as Record<string, unknown>).interval, 10);
    const again = demo(host);
    assert.equal(again.config.get("wifi_ssid"), "home");
    assert.equal(again.config.get("interval"), 10);
    assert.equal(again.config.get("enabled"), false);
  });

  it("POST /api/config saves nothing when one key is wrong, and names it", () => {
    const iot = demo();
    const res = iot.handle(jsonRequest("POST", "/api/config", { wifi_ssid: "home", interval: "ten" }));
    assert.equal(res.status, 400);
    assert.deepEqual(bodyJson(res), { error: "interval must be a finite number", key: "interval" });
    assert.equal(iot.config.get("wifi_ssid"), "");
    const unknown = iot.handle(jsonRequest("POST", "/api/config", { bogus: 1 }));
    assert.equal(unknown.status, 400);
    assert.equal((bodyJson(unknown) as Record<string, unknown>).key, "bogus");
  });

  it("POST /api/config answers malformed or non-JSON bodies clearly", () => {
    const iot = demo();
    const bad = iot.handle(request("POST", "/api/config", { body: "{nope", headers: { "content-type": "application/json" } }));
    assert.equal(bad.status, 400);
    assert.match(bodyText(bad), /not valid JSON/);
    const arr = iot.handle(jsonRequest("POST", "/api/config", [1, 2]));
    assert.equal(arr.status, 400);
    const form = iot.handle(request("POST", "/api/config", { body: "a=b", headers: { "content-type": "text/plain" } }));
    assert.equal(form.status, 415);
  });
});

describe("manager HTTP: the settings form", () => {
  it("decodes + and %XX as UTF-8, saves, and shows the outcome once", () => {
    const iot = demo();
    const res = iot.handle(formRequest("/config", "wifi_ssid=K%C3%BCche+WLAN&60_CUSTOM_CONFIG=%E6%B8%A9%E5%BA%A6&interval=4.5&enabled=false"));
    assert.equal(res.status, 303);
    const location = res.headers?.location ?? "";
    assert.match(location, /^\/\?view=settings&n=\d+$/);
    assert.equal(iot.config.get("wifi_ssid"), "Küche WLAN");
    assert.equal(iot.config.get("60_CUSTOM_CONFIG"), "温度");
    assert.equal(iot.config.get("interval"), 4.5);
    const page = bodyText(iot.handle(request("GET", location)));
    assert.match(page, /<div class="alert alert-success iot-answer" id="settings-answer" role="status">Saved: Network \(SSID\), 60_CUSTOM_CONFIG, interval, enabled\.<\/div>/, "beside the form");
    assert.notMatch(bodyText(iot.handle(request("GET", "/?view=settings"))), /Saved:/, "only on the page the form went back to");
  });

  it("treats an empty password field as unchanged, and removes it only when asked", () => {
    const iot = demo();
    iot.config.set("wifi_password", "hunter22");
    iot.handle(formRequest("/config", "wifi_ssid=home&wifi_password="));
    assert.equal(iot.config.get("wifi_password"), "hunter22");
    iot.handle(formRequest("/config", "wifi_password=&clear%3Awifi_password=true"));
    assert.equal(iot.config.get("wifi_password"), "");
  });

  it("refuses a bad value with a message naming the key and saves nothing", () => {
    const iot = demo();
    const res = iot.handle(formRequest("/config", "wifi_ssid=home&interval=soon"));
    assert.equal(res.status, 303);
    assert.equal(iot.config.get("wifi_ssid"), "");
    const page = bodyText(iot.handle(request("GET", res.headers?.location ?? "/")));
    assert.match(page, /id="settings-answer" role="status">Not saved: interval must be a finite number/);
    assert.match(page, /<input class="form-control is-invalid" type="number" id="cfg-interval" name="interval"[^>]* aria-invalid="true" aria-errormessage="settings-answer">/, "the wrong field is marked");
  });

  it("answers the page's script in JSON: what was saved, or the refusal with the field", () => {
    const iot = demo();
    const json = { accept: "application/json" };
    const ok = iot.handle(formRequest("/config", "interval=7", undefined, json));
    assert.equal(ok.status, 200);
    assert.deepEqual(bodyJson(ok), { changed: ["interval"], message: "Saved: interval." });
    const refused = iot.handle(formRequest("/config", "interval=soon&wifi_ssid=x", undefined, json));
    assert.equal(refused.status, 400);
    assert.deepEqual(bodyJson(refused), { error: "Not saved: interval must be a finite number", key: "interval" });
    assert.equal(iot.config.get("wifi_ssid"), "", "nothing saved");
    const wifi = iot.handle(formRequest("/config?view=wifi", "wifi_ssid=home"));
    assert.match(wifi.headers?.location ?? "", /^\/\?view=wifi&n=\d+$/, "back to the view the form is on");
    assert.match(iot.handle(formRequest("/config?view=%3Cb%3E", "wifi_ssid=x")).headers?.location ?? "", /^\/\?view=settings&n=/, "never a view that is not a name");
  });

  it("refuses forms from other sites and forms with no origin at all", () => {
    const iot = demo();
    assert.equal(iot.handle(formRequest("/config", "wifi_ssid=evil", "http://evil.example")).status, 403);
    const bare = request("POST", "/config", { body: "wifi_ssid=evil", headers: { "content-type": "application/x-www-form-urlencoded" } });
    assert.equal(iot.handle(bare).status, 403);
    assert.equal(iot.config.get("wifi_ssid"), "");
  });

  it("answers a malformed form with 400", () => {
    const iot = demo();
    const res = iot.handle(formRequest("/config", "wifi_ssid=%E0%A4%A"));
    assert.equal(res.status, 400);
    assert.match(bodyText(res), /percent-encoding/);
  });
});

describe("manager HTTP: the page", () => {
  it("streams the page in fragments: head, header and navigation, status and data on the overview", () => {
    const iot = demo();
    const res = iot.handle(request("GET", "/"));
    assert.equal(res.status, 200);
    assert.ok(typeof res.body !== "string" && !(res.body instanceof Uint8Array), "the page must be fragments, not one string");
    const page = bodyText(res);
    assert.match(page, /<title>IoT Demo Controller<\/title>/);
    assert.match(page, /<h1 class="iot-title" title="IoT Demo Controller">IoT Demo Controller<\/h1>/);
    assert.match(page, /<nav class="container" aria-label="Views"><ul class="iot-nav"><li><a href="\/" aria-current="page">Overview<\/a><\/li>[\s\S]*<a href="\/\?view=settings">Settings<\/a>/);
    assert.match(page, /<tr><th scope="row">Key 3<\/th><td>3<\/td><\/tr>/);
    assert.match(page, /data-status="version">1\.2\.3</);
    assert.notMatch(page, /<form/, "the settings are a view of their own");
    assert.match(res.headers?.["content-security-policy"] ?? "", /script-src 'self'/);
    assert.notMatch(res.headers?.["content-security-policy"] ?? "", /unsafe-inline/, "no inline style either");
  });

  it("links its stylesheet and script by their tags, and inlines neither", () => {
    const iot = demo();
    const page = bodyText(iot.handle(request("GET", "/")));
    const css = /<link rel="stylesheet" href="\/app\.css\?v=([0-9a-f]{8}-[0-9a-f]+)">/.exec(page);
    const js = /<script src="\/app\.js\?v=([0-9a-f]{8}-[0-9a-f]+)" defer><\/script>/.exec(page);
    assert.ok(css && js, "both linked by tag");
    assert.notMatch(page, /<style|<script>/);
    const style = iot.handle(request("GET", `/app.css?v=${css[1]}`));
    assert.equal(style.headers?.etag, `"${css[1]}"`);
    assert.equal(style.headers?.["cache-control"], "public, max-age=31536000, immutable");
    assert.match(style.headers?.["content-type"] ?? "", /^text\/css/);
    assert.ok(style.body instanceof Uint8Array, "bytes made once");
    assert.equal(iot.handle(request("GET", "/app.css")).headers?.["cache-control"], "no-cache", "without the tag: checked each time");
    const again = iot.handle(request("GET", "/app.css", { headers: { "if-none-match": `"${css[1]}"` } }));
    assert.equal(again.status, 304);
    assert.equal(again.body, undefined);
    assert.equal(iot.handle(request("GET", "/app.js", { headers: { "if-none-match": `W/"${js[1]}", "x"` } })).status, 304);
    assert.equal(iot.handle(request("GET", "/app.js", { headers: { "if-none-match": '"stale-1"' } })).status, 200);
    assert.equal(iot.handle(request("GET", `/app.js?v=${js[1]}`)).headers?.etag, `"${js[1]}"`);
  });

  it("shows the settings form on its own view, grouped, with restart and factory reset", () => {
    const page = bodyText(demo().handle(request("GET", "/?view=settings")));
    assert.match(page, /<title>Settings · IoT Demo Controller<\/title>/);
    assert.match(page, /<a href="\/\?view=settings" aria-current="page">Settings<\/a>/);
    assert.match(page, /<form id="settings-form" method="post" action="\/config" accept-charset="utf-8" data-answer="auto"/);
    assert.match(page, /<legend[^>]*>WiFi<\/legend>[\s\S]*<legend[^>]*>Device<\/legend>[\s\S]*<legend[^>]*>Application<\/legend>/);
    assert.match(page, /name="60_CUSTOM_CONFIG" value="Counter"/);
    assert.match(page, /<form id="restart-form" method="post" action="\/restart"/);
    assert.match(page, /<form id="reset-form" method="post" action="\/factory-reset"[\s\S]*name="confirm" value="erase everything" required/);
  });

  it("escapes every value from users, the app or the network, and keeps non-ASCII", () => {
    const iot = demo();
    iot.data.set("<script>alert(1)</script>", '"><img src=x onerror=alert(2)>');
    iot.data.set("Küche", "温度 21°");
    iot.config.update({ wifi_ssid: `"><svg onload=alert(3)>`, "60_CUSTOM_CONFIG": "<b>bold</b>'" });
    const page = bodyText(iot.handle(request("GET", "/"))) + bodyText(iot.handle(request("GET", "/?view=settings")));
    assert.notMatch(page, /<script>alert|<img src=x|<svg onload|<b>bold/);
    assert.match(page, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.match(page, /value="&quot;&gt;&lt;svg onload=alert\(3\)&gt;"/);
    assert.match(page, /<th scope="row">Küche<\/th><td>温度 21°<\/td>/);
  });

  it("never puts a secret in the page, and warns while no admin password is set", () => {
    const iot = demo();
    iot.config.update({ wifi_password: "hunter22" });
    let page = bodyText(iot.handle(request("GET", "/"))) + bodyText(iot.handle(request("GET", "/?view=settings")));
    assert.notMatch(page, /hunter22/);
    assert.match(page, /No admin password is set/);
    iot.config.update({ admin_password: "s3cret-admin" });
    page = bodyText(iot.handle(request("GET", "/"))) + bodyText(iot.handle(request("GET", "/?view=settings")));
    assert.notMatch(page, /s3cret-admin|No admin password is set/);
  });

  it("offers Bootstrap to the browser only with useCss, always with its own stylesheet", () => {
    const withCss = bodyText(demo(createTestHost(), true).handle(request("GET", "/")));
    assert.match(withCss, /data-bootstrap="https:\/\/cdn\.jsdelivr\.net\/npm\/bootstrap@5\.3\.3\/dist\/css\/bootstrap\.min\.css" data-bootstrap-integrity="sha384-/);
    assert.match(withCss, /<link rel="stylesheet" href="\/app\.css\?v=/);
    const without = bodyText(demo(createTestHost(), false).handle(request("GET", "/")));
    assert.notMatch(without, /data-bootstrap=/);
    assert.match(without, /<link rel="stylesheet" href="\/app\.css\?v=/);
    assert.match(bodyText(demo().handle(request("GET", "/app.css"))), /html:not\(\.bs\) \.card\{/);
  });

  it("serves the page's script from /app.js", () => {
    const res = demo().handle(request("GET", "/app.js"));
    assert.equal(res.status, 200);
    assert.match(res.headers?.["content-type"] ?? "", /javascript/);
    const script = bodyText(res);
    assert.match(script, /window\.iot = \{/);
  });

  it("offers the Logs view and names the event stream only for routes of those very paths", async () => {
    // The framework's own live feature (where it has one) is off: this test brings its own routes.
    const noLive = (host: TestHost): IotManager =>
      new IotManager({ title: "T", version: "1.0.0", features: [wifiSettings()], live: false } as ConstructorParameters<typeof IotManager>[0], host);
    const host = createTestHost();
    const bare = noLive(host);
    // A pattern that happens to match (Alexa's Hue API has GET /api/:user) is not a log.
    bare.addFeature({ name: "hue-like", attach: (context) => context.router.add("GET", "/api/:user", () => ({ status: 200, body: "[]" })) });
    void bare.run();
    await host.clock.advance(10);
    const page = bodyText(bare.handle(request("GET", "/")));
    assert.ok(!page.includes("?view=logs"), "no Logs view");
    assert.ok(!page.includes("data-events"), "no stream named");
    bare.stop();

    const host2 = createTestHost();
    const live = noLive(host2);
    live.addFeature({
      name: "live-like",
      attach: (context) => {
        context.router.add("GET", "/api/log", () => ({ status: 200, body: "{}" }));
        context.router.add("GET", "/events", () => ({ status: 503, body: "" }));
      },
    });
    void live.run();
    await host2.clock.advance(10);
    const withLog = bodyText(live.handle(request("GET", "/")));
    assert.match(withLog, /<a href="\/\?view=logs">Logs<\/a>/);
    assert.match(withLog, / data-events="\/events"/);
    assert.match(bodyText(live.handle(request("GET", "/?view=logs"))), /id="iot-log"/);
    live.stop();
  });

  it("goes to the overview for a view it does not have", () => {
    const page = bodyText(demo().handle(request("GET", "/?view=nothing-here")));
    assert.match(page, /<a href="\/" aria-current="page">Overview<\/a>/);
  });
});

describe("manager: reboot and tasks", () => {
  it("POST /api/reboot answers 202, then restarts once the answer is out", async () => {
    const host = createTestHost();
    const iot = demo(host);
    const res = iot.handle(jsonRequest("POST", "/api/reboot", {}));
    assert.equal(res.status, 202);
    assert.equal(host.restarts, 0);
    await host.clock.advance(1000);
    assert.equal(host.restarts, 1);
    assert.equal(iot.handle(request("POST", "/api/reboot", { body: "x", headers: { "content-type": "text/plain" } })).status, 415);
  });

  it("runs tasks; one that throws is logged by name and the others go on", async () => {
    const host = createTestHost();
    const iot = demo(host);
    let ticks = 0;
    iot.addTask(async function ticker() {
      for (;;) {
        ticks++;
        await iot.sleep(3000);
      }
    });
    iot.addTask(async () => {
      await iot.sleep(100);
      throw new Error("sensor unplugged");
    }, "sensor");
    iot.addTask(() => {
      throw new Error("sync boom");
    }, "eager");
    void iot.run();
    await iot.listening;
    await host.clock.advance(9_000);
    assert.equal(ticks, 4);
    const errors = host.lines.filter((l) => l.level === "error").map((l) => l.line);
    assert.ok(errors.some((l) => /task sensor failed: Error: sensor unplugged/.test(l)), errors.join("\n"));
    assert.ok(errors.some((l) => /task eager failed: Error: sync boom/.test(l)), errors.join("\n"));
    assert.equal(iot.handle(request("GET", "/data")).status, 200);
    iot.stop();
    await host.clock.advance(9_000);
    assert.equal(ticks, 4, "a stopped manager's tasks never wake");
    assert.equal(host.clock.pending, 0);
  });

  it("leaves out a feature that fails to start, and keeps status and page working", async () => {
    const host = createTestHost();
    const broken = {
      name: "broken",
      attach: () => {
        throw new Error("no hardware");
      },
      status: () => ({ fine: (undefined as unknown as { x: number }).x }),
      pageSection: function* () {
        yield "<p>never</p>";
      },
    };
    const iot = new IotManager({ features: [broken] }, host);
    void iot.run();
    await iot.listening;
    assert.ok(host.lines.some((l) => /feature broken failed to start and is left out: Error: no hardware/.test(l.line)));
    assert.equal(iot.handle(request("GET", "/api/status")).status, 200);
    assert.notMatch(bodyText(iot.handle(request("GET", "/"))), /never/);
    iot.stop();
  });

  it("saves form fields named like Object.prototype members, and never takes __proto__, constructor or prototype as keys", () => {
    const iot = new IotManager({}, createTestHost());
    iot.configAdd({ valueOf: "b", toString: "c" });
    for (const key of ["__proto__", "constructor", "prototype"]) assert.throws(() => iot.configAdd({ [key]: "a" }), /must be 1-64 letters/);
    iot.handle(formRequest("/config", "valueOf=y&toString=z"));
    assert.equal(iot.config.get("valueOf"), "y");
    assert.equal(iot.config.get("toString"), "z");
    for (const key of ["__proto__", "constructor", "prototype"]) {
      const form = iot.handle(formRequest("/config", `${key}=x`));
      assert.equal(form.status, 303);
      assert.match(bodyText(iot.handle(request("GET", `/?${String(form.headers?.location).split("?")[1]}`))), new RegExp(`unknown config key &quot;${key}&quot;`));
      const api = iot.handle(jsonRequest("POST", "/api/config", JSON.parse(`{"${key}": "x"}`)));
      assert.equal(api.status, 400, key);
      assert.equal((bodyJson(api) as { key: string }).key, key);
    }
  });
});
