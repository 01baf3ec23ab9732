/*
 * The Alexa feature through the manager's HTTP application and an in-memory UDP network: a
 * scripted Echo discovers the bridge, pairs during an open window, lists, switches, dims and
 * colours lights, and reads them back; strangers, hostile bodies and names get Hue's errors
 * (never a 500); IDs stay put across restarts and reordering and differ between boards;
 * alexa_enabled off closes it all. Runs on Node and on XS.
 */

import { AlexaFeature } from "../../modules/alexa/alexa-feature";
import { deriveIdentity } from "../../modules/alexa/light-ids";
import { Sha256 } from "../../modules/crypto/sha256";
import type { Storage } from "../../modules/host/storage";
import type { HttpRequest, HttpResponse } from "../../modules/http/http-message";
import { IotManager } from "../../modules/manager";
import { PersistentBoolean } from "../../modules/persistent/persistent-boolean";
import { PersistentFloat } from "../../modules/persistent/persistent-float";
import { PersistentInteger } from "../../modules/persistent/persistent-integer";
import { PersistentRange } from "../../modules/persistent/persistent-range";
import { PersistentRgb } from "../../modules/persistent/persistent-rgb";
import { AtomicRecord } from "../../modules/storage/atomic-record";
import { utf8Decode, utf8Encode } from "../../modules/text/utf8";
import * as assert from "../support/assert";
import { bodyJson, bodyText, jsonRequest } from "../support/http-request";
import { MemoryStorage } from "../support/memory-storage";
import { MemoryUdp } from "../support/memory-udp";
import { createTestHost, type TestHost } from "../support/test-host";

const ECHO = "192.168.1.77";
const MAC = "24:0a:c4:12:34:56";

interface Board {
  host: TestHost & { udp: MemoryUdp };
  iot: IotManager;
  lamp: PersistentBoolean;
  level: PersistentRange;
}

function makeHost(storage: Storage, mac = MAC): TestHost & { udp: MemoryUdp } {
  return Object.assign(createTestHost(storage, mac), { udp: new MemoryUdp() });
}

/** A board with the demo's desk lamp exposed, running. */
function board(options: { storage?: Storage; mac?: string; expose?: (b: Board) => void } = {}): Board {
  const host = makeHost(options.storage ?? new MemoryStorage(), options.mac);
  const iot = new IotManager({ title: "Test <Bridge>" }, host);
  const lamp = new PersistentBoolean("lamp", { default: false, storage: host.storage });
  const level = new PersistentRange("level", { min: 0, max: 100, default: 50, storage: host.storage });
  const b = { host, iot, lamp, level };
  if (options.expose) options.expose(b);
  else iot.alexa.expose("Desk lamp", { on: lamp, brightness: level });
  void iot.run();
  return b;
}

/** A request as an Echo sends it: JSON labelled as a form, no Origin, the device's IP as Host. */
function echo(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): HttpRequest {
  return {
    method,
    path,
    query: "",
    headers: { host: "192.168.1.50:80", "content-type": "application/x-www-form-urlencoded", ...headers },
    body: body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body),
    remote: ECHO,
  };
}

function hue(b: Board, method: string, path: string, body?: unknown, headers?: Record<string, string>): unknown {
  const res = b.iot.handle(echo(method, path, body, headers));
  assert.equal(res.status, 200, `${method} ${path}: ${bodyText(res)}`);
  assert.match(res.headers?.["content-type"] ?? "", /^application\/json/);
  return bodyJson(res);
}

function openPairing(b: Board): HttpResponse {
  const res = b.iot.handle(jsonRequest("POST", "/api/alexa/pair", {}));
  assert.equal(res.status, 200, bodyText(res));
  return res;
}

function pair(b: Board, devicetype = "Echo"): string {
  openPairing(b);
  const answer = hue(b, "POST", "/api", { devicetype }) as { success?: { username: string } }[];
  const username = answer[0].success?.username;
  assert.ok(typeof username === "string" && /^[0-9a-f]{32}$/.test(username), JSON.stringify(answer));
  return username;
}

function errorOf(answer: unknown, index = 0): { type: number; address: string; description: string } {
  const entry = (answer as { error?: { type: number; address: string; description: string } }[])[index];
  assert.ok(entry?.error, `an error: ${JSON.stringify(answer)}`);
  return entry.error;
}

function lights(b: Board, username: string): Record<string, { name: string; uniqueid: string; type: string; state: Record<string, unknown> }> {
  return hue(b, "GET", `/api/${username}/lights`) as never;
}

function idOf(b: Board, username: string, name: string): string {
  const found = Object.entries(lights(b, username)).find(([, l]) => l.name === name);
  assert.ok(found, `light ${name}`);
  return found[0];
}

function search(st: string, mx = 1): Uint8Array {
  return utf8Encode(`M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: ${mx}\r\nST: ${st}\r\n\r\n`);
}

describe("alexa: discovery", () => {
  it("answers an Echo's M-SEARCH by unicast after a delay within MX, as a Hue bridge", async () => {
    const b = board();
    const udp = b.host.udp;
    assert.ok(udp.isBound(1900), "SSDP listens on 1900");
    const from = { address: ECHO, port: 50000 };
    assert.equal(udp.deliver(1900, search("ssdp:all", 2), from).length, 0, "not at once");
    b.host.clock.run(2000);
    const answers = udp.sentFrom(1900).map((d) => ({ to: `${d.address}:${d.port}`, text: utf8Decode(d.bytes) }));
    assert.equal(answers.length, 3, "root device, uuid, basic:1");
    for (const a of answers) {
      assert.equal(a.to, `${ECHO}:50000`);
      assert.match(a.text, /^HTTP\/1\.1 200 OK\r\n/);
      assert.match(a.text, /\r\nLOCATION: http:\/\/192\.168\.1\.50:80\/description\.xml\r\n/);
      assert.match(a.text, /\r\nSERVER: Linux\/3\.14\.0 UPnP\/1\.0 IpBridge\/1\.24\.0\r\n/);
      assert.match(a.text, /\r\nhue-bridgeid: 240AC4FFFE123456\r\n/);
      assert.match(a.text, /\r\n\r\n$/);
    }
    assert.match(answers[0].text, /\r\nST: upnp:rootdevice\r\nUSN: uuid:2f402f80-da50-11e1-9b23-240ac4123456::upnp:rootdevice\r\n/);
    assert.match(answers[1].text, /\r\nST: uuid:2f402f80-da50-11e1-9b23-240ac4123456\r\n/);
    assert.match(answers[2].text, /\r\nST: urn:schemas-upnp-org:device:basic:1\r\nUSN: uuid:2f402f80-da50-11e1-9b23-240ac4123456\r\n/);
    b.iot.stop();
  });

  it("answers basic:1 and upnp:rootdevice once each, and ignores other searches and noise", () => {
    const b = board();
    const udp = b.host.udp;
    udp.deliver(1900, search("urn:schemas-upnp-org:device:basic:1"));
    b.host.clock.run(1000);
    assert.equal(udp.sentFrom(1900).length, 1);
    udp.deliver(1900, search("upnp:rootdevice"));
    b.host.clock.run(1000);
    assert.equal(udp.sentFrom(1900).length, 2);
    for (const noise of [
      search("urn:dial-multiscreen-org:service:dial:1"),
      utf8Encode("NOTIFY * HTTP/1.1\r\nNT: upnp:rootdevice\r\n\r\n"),
      utf8Encode('M-SEARCH * HTTP/1.1\r\nMAN: "ssdp:update"\r\nST: ssdp:all\r\n\r\n'),
      utf8Encode("M-SEARCH * HTTP/1.1\r\nST: ssdp:all\r\n\r\n"),
      new Uint8Array([0, 255, 13, 10, 13, 10]),
      new Uint8Array(2000).fill(77),
    ])
      udp.deliver(1900, noise);
    b.host.clock.run(6000);
    assert.equal(udp.sentFrom(1900).length, 2, "nothing more");
    b.iot.stop();
  });

  it("keeps at most 8 answers waiting however many searches arrive", () => {
    const b = board();
    for (let i = 0; i < 100; i++) b.host.udp.deliver(1900, search("upnp:rootdevice", 5), { address: ECHO, port: 40000 + i });
    assert.ok(b.host.clock.pending <= 8 + 4, `timers pending: ${b.host.clock.pending}`);
    b.host.clock.run(5000);
    assert.equal(b.host.udp.sentFrom(1900).length, 8);
    b.iot.stop();
    assert.ok(!b.host.udp.isBound(1900), "stop() closes the socket");
  });

  it("serves the bridge's description.xml, its name escaped", () => {
    const b = board();
    const res = b.iot.handle(echo("GET", "/description.xml"));
    assert.equal(res.status, 200);
    assert.match(res.headers?.["content-type"] ?? "", /^text\/xml/);
    const xml = bodyText(res);
    assert.match(xml, /<deviceType>urn:schemas-upnp-org:device:Basic:1<\/deviceType>/);
    assert.match(xml, /<modelName>Philips hue bridge 2012<\/modelName>/);
    assert.match(xml, /<modelNumber>929000226503<\/modelNumber>/);
    assert.match(xml, /<serialNumber>240ac4123456<\/serialNumber>/);
    assert.match(xml, /<UDN>uuid:2f402f80-da50-11e1-9b23-240ac4123456<\/UDN>/);
    assert.match(xml, /<URLBase>http:\/\/192\.168\.1\.50:80\/<\/URLBase>/);
    assert.match(xml, /<friendlyName>Test &lt;Bridge&gt; \(192\.168\.1\.50\)<\/friendlyName>/);
    b.iot.stop();
  });

  it("does not answer while the device has no network address", () => {
    const host = Object.assign(makeHost(new MemoryStorage()), { network: { status: () => ({ mode: "ap" as const, ssid: "", ip: "", apIp: "192.168.4.1" }) } });
    const iot = new IotManager({}, host);
    iot.alexa.expose("Lamp", { on: new PersistentBoolean("lamp", { storage: host.storage }) });
    void iot.run();
    assert.ok(!host.udp.isBound(1900), "no SSDP in setup mode");
    iot.stop();
  });
});

describe("alexa: pairing", () => {
  it("answers link button not pressed until pairing is opened, then gives a username once per client", () => {
    const b = board();
    const closed = hue(b, "POST", "/api", { devicetype: "Echo" });
    assert.deepEqual(closed, [{ error: { type: 101, address: "", description: "link button not pressed" } }]);
    const opened = bodyJson(openPairing(b)) as { pairing: { open: boolean; secondsLeft: number } };
    assert.deepEqual(opened.pairing, { open: true, secondsLeft: 30 });
    const first = hue(b, "POST", "/api", { devicetype: "Echo" }) as { success: { username: string } }[];
    const again = hue(b, "POST", "/api/", { devicetype: "Echo" }) as { success: { username: string } }[];
    assert.equal(again[0].success.username, first[0].success.username, "a retry gets the same username");
    const other = hue(b, "POST", "/api", { devicetype: "Echo#Kitchen" }) as { success: { username: string } }[];
    assert.notEqual(other[0].success.username, first[0].success.username);
    b.host.clock.run(30_000);
    assert.equal(errorOf(hue(b, "POST", "/api", { devicetype: "Echo" })).type, 101, "closed after 30 s");
    const view = bodyJson(b.iot.handle(jsonRequest("GET", "/api/alexa", undefined))) as { users: { user: string; devicetype: string }[] };
    assert.deepEqual(
      view.users.map((u) => u.devicetype),
      ["Echo", "Echo#Kitchen"],
    );
    assert.equal(view.users[0].user, first[0].success.username.slice(0, 8), "a handle, never the username");
    assert.ok(!bodyText(b.iot.handle(jsonRequest("GET", "/api/alexa", undefined))).includes(first[0].success.username));
    b.iot.stop();
  });

  it("keeps paired usernames across a restart and forgets them on a factory reset", () => {
    const storage = new MemoryStorage();
    const b = board({ storage });
    const username = pair(b);
    b.iot.stop();
    const after = board({ storage });
    assert.equal(Object.keys(lights(after, username)).length, 1);
    after.iot.factoryReset();
    after.iot.stop();
    const reset = board({ storage });
    assert.equal(errorOf(hue(reset, "GET", `/api/${username}/lights`)).type, 1);
    reset.iot.stop();
  });

  it("removes a paired user from the page's API; it is then a stranger", () => {
    const b = board();
    const username = pair(b);
    const res = b.iot.handle(jsonRequest("POST", "/api/alexa/forget", { user: username.slice(0, 8) }));
    assert.equal(res.status, 200, bodyText(res));
    assert.equal(errorOf(hue(b, "GET", `/api/${username}/lights`)).type, 1);
    assert.equal(b.iot.handle(jsonRequest("POST", "/api/alexa/forget", { user: username.slice(0, 8) })).status, 404);
    assert.equal(b.iot.handle(jsonRequest("POST", "/api/alexa/forget", { user: 5 })).status, 400);
    b.iot.stop();
  });

  it("refuses a ninth client until one is removed", () => {
    const b = board();
    openPairing(b);
    for (let i = 0; i < 8; i++) assert.ok((hue(b, "POST", "/api", { devicetype: `Echo ${i}` }) as { success?: unknown }[])[0].success);
    const refused = errorOf(hue(b, "POST", "/api", { devicetype: "Echo 9" }));
    assert.equal(refused.type, 901);
    assert.match(refused.description, /8 clients are paired already/);
    b.iot.stop();
  });

  it("takes the admin password for opening pairing and removing users, never for the Echo's routes", () => {
    const b = board();
    const username = pair(b);
    b.iot.config.update({ admin_password: "s3cret-admin" });
    assert.equal(b.iot.handle(jsonRequest("POST", "/api/alexa/pair", {})).status, 401);
    assert.equal(b.iot.handle(jsonRequest("POST", "/api/alexa/forget", { user: username.slice(0, 8) })).status, 401);
    const id = idOf(b, username, "Desk lamp");
    assert.deepEqual(hue(b, "PUT", `/api/${username}/lights/${id}/state`, { on: true }), [{ success: { [`/lights/${id}/state/on`]: true } }]);
    assert.ok((hue(b, "POST", "/api", { devicetype: "Echo#2" }) as { success?: unknown }[])[0].success, "pairing needs no password");
    b.iot.stop();
  });

  it("refuses devicetypes that are no Hue devicetype, with Hue's errors", () => {
    const b = board();
    openPairing(b);
    assert.equal(errorOf(hue(b, "POST", "/api", {})).type, 5);
    assert.equal(errorOf(hue(b, "POST", "/api", "devicetype=Echo")).type, 2);
    assert.equal(errorOf(hue(b, "POST", "/api", "[1,2]")).type, 2);
    assert.equal(errorOf(hue(b, "POST", "/api", "")).type, 2);
    for (const bad of ["x".repeat(300), "", 42, null, "line\nfeed", ["Echo"]]) {
      const e = errorOf(hue(b, "POST", "/api", { devicetype: bad }));
      assert.equal(e.type, 7, JSON.stringify(bad));
      assert.ok(e.description.length < 120, "the value shown back is cut");
    }
    b.iot.stop();
  });
});

describe("alexa: the Hue API", () => {
  it("lists, switches, dims and reads back a light; the variable is saved and the data entry follows", () => {
    const storage = new MemoryStorage();
    const b = board({ storage });
    const username = pair(b);
    const all = lights(b, username);
    const [id, light] = Object.entries(all)[0];
    assert.match(id, /^[1-9][0-9]{0,7}$/, "a numeric light ID");
    assert.match(light.uniqueid, /^([0-9a-f]{2}:){7}[0-9a-f]{2}-0b$/);
    assert.equal(light.type, "Dimmable light");
    assert.deepEqual(light.state, { on: false, bri: 127, alert: "none", mode: "homeautomation", reachable: true });
    const answer = hue(b, "PUT", `/api/${username}/lights/${id}/state`, { on: true, bri: 64 });
    assert.deepEqual(answer, [{ success: { [`/lights/${id}/state/on`]: true } }, { success: { [`/lights/${id}/state/bri`]: 64 } }]);
    assert.equal(b.lamp.value, true);
    assert.equal(b.level.value, 25);
    assert.deepEqual(b.iot.data.get("Desk lamp"), { on: true, brightness: 25 }, "shown in /data at once");
    const one = hue(b, "GET", `/api/${username}/lights/${id}`) as { state: { on: boolean; bri: number } };
    assert.equal(one.state.on, true);
    assert.equal(one.state.bri, 64);
    b.iot.stop();
    const again = new PersistentRange("level", { min: 0, max: 100, default: 50, storage });
    assert.equal(again.value, 25, "saved");
  });

  it("clamps out-of-range values as a bridge does and answers the value applied", () => {
    const b = board();
    const username = pair(b);
    const id = idOf(b, username, "Desk lamp");
    const answer = hue(b, "PUT", `/api/${username}/lights/${id}/state`, { bri: 9999 });
    assert.deepEqual(answer, [{ success: { [`/lights/${id}/state/bri`]: 254 } }]);
    assert.equal(b.level.value, 100);
    hue(b, "PUT", `/api/${username}/lights/${id}/state`, { bri: -3 });
    assert.equal(b.level.value, 0);
    hue(b, "PUT", `/api/${username}/lights/${id}/state`, { bri: 126.6 });
    assert.equal(b.level.value, 50, "127 is Alexa's 50%");
    hue(b, "PUT", `/api/${username}/lights/${id}/state`, { bri_inc: 254 });
    assert.equal(b.level.value, 100);
    b.iot.stop();
  });

  it("answers hostile bodies with Hue's errors, never a 500, and applies only what is valid", () => {
    const b = board();
    const username = pair(b);
    const id = idOf(b, username, "Desk lamp");
    const put = (body: unknown): unknown => hue(b, "PUT", `/api/${username}/lights/${id}/state`, body);
    for (const bad of ["{", "", "null", "[true]", '"on"', "on=true", "\u0000\u00ff"]) assert.equal(errorOf(put(bad)).type, 2, JSON.stringify(bad));
    assert.equal(errorOf(put({})).type, 5);
    const many: Record<string, number> = {};
    for (let i = 0; i < 40; i++) many[`k${i}`] = i;
    assert.equal((put(many) as unknown[]).length, 1, "too many attributes: one error");
    const mixed = put({ on: "yes", bri: "50", hue: 5, "<script>alert(1)</script>": 1, __proto__x: 2, transitiontime: 4 }) as unknown[];
    assert.equal(mixed.length, 6);
    assert.equal(errorOf(mixed, 0).type, 7);
    assert.equal(errorOf(mixed, 1).type, 7);
    assert.equal(errorOf(mixed, 2).type, 6, "no colour on a dimmable light");
    assert.equal(errorOf(mixed, 3).description, "parameter, <script>alert(1)</script>, not available");
    assert.deepEqual(mixed[5], { success: { [`/lights/${id}/state/transitiontime`]: 4 } });
    assert.equal(b.lamp.value, false, "nothing invalid was applied");
    const proto = put('{"__proto__": {"on": true}, "on": true}') as unknown[];
    assert.equal(errorOf(proto, 0).type, 6);
    assert.equal(b.lamp.value, true, "the valid attribute applies");
    assert.equal(errorOf(hue(b, "PUT", `/api/${username}/lights/999/state`, { on: true })).type, 3);
    assert.equal(errorOf(hue(b, "GET", `/api/${username}/lights/%3Cb%3E`)).description, "resource, /lights/<b>, not available");
    b.iot.stop();
  });

  it("refuses every route to a username it never gave out", () => {
    const b = board();
    pair(b);
    for (const path of ["/api/nouser/lights", "/api/0123456789abcdef0123456789abcdef/lights", "/api/x", "/api/x/config", "/api/x/groups", "/api/x/lights/1", "/api/status/lights"]) {
      const e = errorOf(hue(b, "GET", path));
      assert.equal(e.type, 1, path);
      assert.equal(e.description, "unauthorized user");
    }
    assert.equal(errorOf(hue(b, "PUT", "/api/x/lights/1/state", { on: true })).type, 1);
    assert.equal(errorOf(hue(b, "GET", "/api")).type, 1);
    assert.equal(b.lamp.value, false);
    b.iot.stop();
  });

  it("leaves the framework's own /api/ routes alone", () => {
    const b = board();
    pair(b);
    const status = b.iot.handle(jsonRequest("GET", "/api/status", undefined));
    assert.equal(status.status, 200);
    assert.equal((bodyJson(status) as { title: string }).title, "Test <Bridge>");
    assert.ok("hostname" in (bodyJson(b.iot.handle(jsonRequest("GET", "/api/config", undefined))) as object));
    assert.equal(b.iot.handle(echo("POST", "/api/config", { hostname: "x" })).status, 415, "the JSON-only rule still holds there");
    b.iot.stop();
  });

  it("keeps the device-name check: another Host, or a foreign Origin on a change, is refused", () => {
    const b = board();
    const username = pair(b);
    const id = idOf(b, username, "Desk lamp");
    assert.equal(b.iot.handle(echo("GET", `/api/${username}/lights`, undefined, { host: "evil.example" })).status, 403);
    assert.equal(b.iot.handle(echo("PUT", `/api/${username}/lights/${id}/state`, { on: true }, { origin: "http://evil.example" })).status, 403);
    assert.equal(b.iot.handle(echo("POST", "/api", { devicetype: "Echo" }, { host: "evil.example" })).status, 403);
    assert.equal(b.lamp.value, false);
    b.iot.stop();
  });

  it("answers the full state and the config as a bridge does", () => {
    const b = board();
    const username = pair(b, "Echo <Dot> \"2\"");
    const full = hue(b, "GET", `/api/${username}`) as Record<string, unknown>;
    assert.deepEqual(Object.keys(full), ["lights", "groups", "config", "schedules", "scenes", "rules", "sensors", "resourcelinks"]);
    const config = hue(b, "GET", `/api/${username}/config`) as Record<string, unknown>;
    assert.equal(config.bridgeid, "240AC4FFFE123456");
    assert.equal(config.mac, "24:0a:c4:12:34:56");
    assert.equal(config.ipaddress, "192.168.1.50");
    assert.equal(config.linkbutton, true, "pairing is still open");
    assert.deepEqual(Object.keys(config.whitelist as object), [username]);
    assert.deepEqual(hue(b, "GET", `/api/${username}/groups`), {});
    b.iot.stop();
  });

  it("colours an extended color light by hue/sat, xy and ct, and reads back what was set", () => {
    const b = board({
      expose: ({ iot, host, lamp }) => {
        const tint = new PersistentRgb("tint", { default: "#ffffff", storage: host.storage });
        const level = new PersistentInteger("glow", { default: 10, storage: host.storage });
        iot.alexa.expose("Strip", { on: lamp, brightness: level, colour: tint, brightnessRange: [0, 255] });
        iot.alexa.expose("Bulb", { on: { get: () => true, set: () => undefined }, color: new PersistentRgb("bulb", { default: "#808080", storage: host.storage }) });
      },
    });
    const username = pair(b);
    const id = idOf(b, username, "Strip");
    const put = (body: unknown): unknown => hue(b, "PUT", `/api/${username}/lights/${id}/state`, body);
    const read = (): Record<string, unknown> => (hue(b, "GET", `/api/${username}/lights/${id}`) as { state: Record<string, unknown> }).state;
    assert.equal((lights(b, username)[id] as { type: string }).type, "Extended color light");
    put({ hue: 21845, sat: 254 });
    assert.equal(b.iot.data.get("Strip") && (b.iot.data.get("Strip") as { colour: string }).colour, "#00ff00");
    assert.deepEqual([read().hue, read().sat, read().colormode], [21845, 254, "hs"]);
    put({ xy: [0.64, 0.33] });
    assert.deepEqual([read().xy, read().colormode], [[0.64, 0.33], "xy"]);
    assert.equal((b.iot.data.get("Strip") as { colour: string }).colour, "#ff0000");
    put({ ct: 500 });
    assert.deepEqual([read().ct, read().colormode], [500, "ct"]);
    assert.equal((b.iot.data.get("Strip") as { colour: string }).colour.slice(0, 3), "#ff", "warm white");
    put({ bri: 254, xy: [2, -1] });
    assert.deepEqual(read().xy, [1, 0], "clamped to 0..1");
    assert.equal((b.iot.data.get("Strip") as { brightness: number }).brightness, 255, "an integer scale 0..255");
    // Without a brightness value the colour holds the brightness.
    const bulb = idOf(b, username, "Bulb");
    assert.equal((hue(b, "GET", `/api/${username}/lights/${bulb}`) as { state: { bri: number } }).state.bri, 127, "#808080 is half bright");
    hue(b, "PUT", `/api/${username}/lights/${bulb}/state`, { bri: 254 });
    assert.equal((b.iot.data.get("Bulb") as { colour: string }).colour, "#ffffff");
    hue(b, "PUT", `/api/${username}/lights/${bulb}/state`, { hue: 0, sat: 254, bri: 128 });
    assert.equal((b.iot.data.get("Bulb") as { colour: string }).colour, "#800000");
    b.iot.stop();
  });

  it("takes floats, integers and the app's own get/set, and marks a device whose get throws unreachable", () => {
    let fan = 0;
    let broken = false;
    const b = board({
      expose: ({ iot, host, lamp }) => {
        iot.alexa.expose("Heater", { on: lamp, brightness: new PersistentFloat("heat", { default: 0.5, storage: host.storage }), brightnessRange: [0, 1] });
        iot.alexa.expose("Fan", {
          on: {
            get: () => {
              if (broken) throw new Error("sensor gone");
              return fan > 0;
            },
            set: (on) => void (fan = on ? Math.max(fan, 1) : 0),
          },
          brightness: { get: () => fan, set: (v) => void (fan = v) },
          data: false,
        });
      },
    });
    const username = pair(b);
    const heater = idOf(b, username, "Heater");
    const fanId = idOf(b, username, "Fan");
    hue(b, "PUT", `/api/${username}/lights/${heater}/state`, { bri: 254 });
    assert.equal((b.iot.data.get("Heater") as { brightness: number }).brightness, 1);
    hue(b, "PUT", `/api/${username}/lights/${fanId}/state`, { on: true, bri: 128 });
    assert.ok(Math.abs(fan - 50) < 0.5, `fan ${fan}`);
    assert.ok(!b.iot.data.has("Fan"), "data: false keeps it out of /data");
    broken = true;
    const state = (hue(b, "GET", `/api/${username}/lights/${fanId}`) as { state: { reachable: boolean } }).state;
    assert.equal(state.reachable, false);
    assert.equal(b.iot.handle(echo("GET", `/api/${username}/lights`)).status, 200, "one broken device does not break the list");
    b.iot.stop();
  });

  it("has the data entry follow a change the app makes itself, within a second", () => {
    const b = board();
    b.lamp.value = true;
    b.host.clock.run(1000);
    assert.deepEqual(b.iot.data.get("Desk lamp"), { on: true, brightness: 50 });
    b.iot.stop();
  });

  it("follows a persistent variable at once, told by the variable, with no polling timer", () => {
    const b = board();
    b.level.value = 70;
    assert.deepEqual(b.iot.data.get("Desk lamp"), { on: false, brightness: 70 }, "shown before any time passes");
    b.lamp.reset();
    b.level.reset();
    assert.deepEqual(b.iot.data.get("Desk lamp"), { on: false, brightness: 50 });
    b.iot.stop();
    b.level.value = 20;
    assert.deepEqual(b.iot.data.get("Desk lamp"), { on: false, brightness: 50 }, "a stopped feature is no longer told");
  });

  it("polls an app's own { get, set } (and a variable another feature watches) within a second", () => {
    let on = false;
    const b = board({
      expose: (x) => {
        x.iot.alexa.expose("Desk lamp", { on: x.lamp, brightness: x.level });
        x.iot.alexa.expose("Fan", { on: { get: () => on, set: (v) => (on = v) } });
      },
    });
    const plain = board();
    plain.host.clock.run(0);
    b.host.clock.run(0);
    assert.equal(b.host.clock.pending, plain.host.clock.pending + 1, "one timer polls, only where a value cannot tell");
    plain.iot.stop();
    on = true;
    b.host.clock.run(1000);
    assert.deepEqual(b.iot.data.get("Fan"), { on: true });
    b.lamp.value = true;
    assert.deepEqual(b.iot.data.get("Desk lamp"), { on: true, brightness: 50 });
    // A second manager exposing the same variables: the first keeps them, the second polls.
    const host2 = b.host;
    const other = new IotManager({ title: "Other", port: 8081 }, host2);
    other.alexa.expose("Desk lamp", { on: b.lamp, brightness: b.level });
    void other.run();
    b.lamp.value = false;
    assert.deepEqual(b.iot.data.get("Desk lamp"), { on: false, brightness: 50 }, "the first is told");
    b.host.clock.run(1000);
    assert.deepEqual(other.data.get("Desk lamp"), { on: false, brightness: 50 }, "the second polls");
    other.stop();
    b.iot.stop();
  });
});

describe("alexa: stable IDs", () => {
  function ids(b: Board, username: string): Record<string, [string, string]> {
    const out: Record<string, [string, string]> = {};
    for (const [id, light] of Object.entries(lights(b, username))) out[light.name] = [id, light.uniqueid];
    return out;
  }
  const three = (order: string[]) => (b: Board) => {
    for (const name of order) b.iot.alexa.expose(name, { on: new PersistentBoolean(name.replace(/ /g, "").slice(0, 15), { storage: b.host.storage }) });
  };

  it("keeps every ID and uniqueid across a restart and a reordering, and differs between boards", () => {
    const storage = new MemoryStorage();
    const first = board({ storage, expose: three(["Desk lamp", "Fan", "Heater"]) });
    const username = pair(first);
    const before = ids(first, username);
    first.iot.stop();
    const reordered = board({ storage, expose: three(["Heater", "Desk lamp", "Fan"]) });
    assert.deepEqual(ids(reordered, username), before);
    reordered.iot.stop();
    const fewer = board({ storage, expose: three(["Fan"]) });
    assert.deepEqual(ids(fewer, username).Fan, before.Fan, "removing others moves nothing");
    fewer.iot.stop();
    const other = board({ mac: "24:0a:c4:ab:cd:ef", expose: three(["Desk lamp", "Fan", "Heater"]) });
    const otherIds = ids(other, pair(other));
    for (const name of Object.keys(before)) {
      assert.notEqual(otherIds[name][0], before[name][0], `${name}: another board, another ID`);
      assert.notEqual(otherIds[name][1], before[name][1]);
    }
    other.iot.stop();
  });

  it("uses the saved identity over the derived one, and settles a collision once", () => {
    const storage = new MemoryStorage();
    // An identity saved by an earlier version (another scheme) stays the device's.
    new AtomicRecord(storage, "alexa", "ids").save(JSON.stringify([["Desk lamp", "42", "00:11:22:33:44:55:66:77-0b"]]));
    const b = board({ storage });
    const username = pair(b);
    assert.deepEqual(ids(b, username)["Desk lamp"], ["42", "00:11:22:33:44:55:66:77-0b"]);
    b.iot.stop();
    // A key whose derived ID another device holds gets the next derivation.
    const derived = deriveIdentity(() => new Sha256(), "240ac4123456", "Fan", 0).id;
    new AtomicRecord(storage, "alexa", "ids").save(JSON.stringify([["Desk lamp", derived, "00:11:22:33:44:55:66:77-0b"]]));
    const c = board({ storage, expose: three(["Desk lamp", "Fan"]) });
    const got = ids(c, pair(c));
    assert.equal(got["Desk lamp"][0], derived);
    assert.notEqual(got.Fan[0], derived);
    assert.equal(got.Fan[0], deriveIdentity(() => new Sha256(), "240ac4123456", "Fan", 1).id);
    c.iot.stop();
  });

  it("keeps a device's IDs through a rename when the app gives it a key", () => {
    const storage = new MemoryStorage();
    const a = board({ storage, expose: ({ iot, lamp }) => iot.alexa.expose("Desk lamp", { on: lamp, key: "lamp" }) });
    const username = pair(a);
    const before = Object.entries(lights(a, username))[0];
    a.iot.stop();
    const b = board({ storage, expose: ({ iot, lamp }) => iot.alexa.expose("Reading light", { on: lamp, key: "lamp" }) });
    const after = Object.entries(lights(b, username))[0];
    assert.equal(after[0], before[0]);
    assert.equal(after[1].uniqueid, before[1].uniqueid);
    assert.equal(after[1].name, "Reading light");
    b.iot.stop();
  });
});

describe("alexa: the app's side", () => {
  it("refuses names Alexa cannot use and a seventeenth device", () => {
    const host = makeHost(new MemoryStorage());
    const iot = new IotManager({}, host);
    const on = new PersistentBoolean("on", { storage: host.storage });
    assert.throws(() => iot.alexa.expose("", { on }), /empty/);
    assert.throws(() => iot.alexa.expose("x".repeat(33), { on }), /longer than 32/);
    assert.throws(() => iot.alexa.expose("tab\there", { on }), /control character/);
    assert.throws(() => iot.alexa.expose("Lamp", {} as never), /on must be/);
    assert.throws(() => iot.alexa.expose("Lamp", { on, brightness: { value: 1 } as never }), /brightness must be/);
    assert.throws(() => iot.alexa.expose("Lamp", { on, brightness: on as never, brightnessRange: [5, 5] }), /brightnessRange/);
    for (let i = 0; i < 16; i++) iot.alexa.expose(`Lamp ${i}`, { on });
    assert.throws(() => iot.alexa.expose("Lamp 16", { on }), /at most 16 devices/);
    assert.throws(() => iot.alexa.expose("lamp 3", { on }), /already exposed/);
    assert.equal(iot.alexa.devices.length, 16);
  });

  it("reaches the feature as iot.alexa or iot.feature('alexa'), and says why when it is off", () => {
    const host = makeHost(new MemoryStorage());
    const iot = new IotManager({}, host);
    assert.equal(iot.feature("alexa"), iot.alexa);
    const off = new IotManager({ alexa: false }, makeHost(new MemoryStorage()));
    assert.throws(() => off.alexa.expose("Lamp", { on: { get: () => true, set: () => undefined } }), /alexa is not available: the app switched it off/);
    assert.throws(() => iot.feature("metrics"), /no calls for the app/);
    assert.throws(() => iot.feature("nope"), /no feature of that name/);
    assert.ok(iot.features.some((f) => f instanceof AlexaFeature));
  });

  it("alexa_enabled off: no SSDP, every Hue route and the description 404; on again: all back", () => {
    const b = board();
    const username = pair(b);
    b.iot.config.update({ alexa_enabled: false });
    assert.ok(!b.host.udp.isBound(1900));
    for (const [method, path] of [
      ["GET", "/description.xml"],
      ["POST", "/api"],
      ["GET", "/api"],
      ["GET", `/api/${username}/lights`],
      ["PUT", `/api/${username}/lights/1/state`],
    ])
      assert.equal(b.iot.handle(echo(method, path, { on: true, devicetype: "Echo" })).status, 404, `${method} ${path}`);
    assert.equal(b.iot.handle(jsonRequest("POST", "/api/alexa/pair", {})).status, 409);
    b.iot.config.update({ alexa_enabled: true });
    assert.ok(b.host.udp.isBound(1900));
    assert.equal(Object.keys(lights(b, username)).length, 1);
    b.iot.stop();
  });

  it("offers nothing, and shows no card, when the app exposes no device", () => {
    const host = makeHost(new MemoryStorage());
    const iot = new IotManager({}, host);
    void iot.run();
    assert.ok(!host.udp.isBound(1900));
    assert.equal(iot.handle(echo("GET", "/description.xml")).status, 404);
    assert.equal(iot.handle(echo("POST", "/api", { devicetype: "Echo" })).status, 404);
    assert.ok(!bodyText(iot.handle(jsonRequest("GET", "/", undefined))).includes('id="alexa"'));
    iot.stop();
  });

  it("shows the card with names and devicetypes escaped", () => {
    const b = board({
      expose: ({ iot, lamp }) => iot.alexa.expose('<img src=x onerror="1">', { on: lamp }),
    });
    pair(b, '<b>"Echo"</b>');
    // The card is on its own view.
    const page = bodyText(b.iot.handle(jsonRequest("GET", "/?view=alexa", undefined)));
    assert.match(page, /<section class="card mb-3" id="alexa">/);
    assert.ok(!page.includes("<img src=x"), "the name is escaped");
    assert.ok(page.includes("&lt;img src=x onerror=&quot;1&quot;&gt;"));
    assert.ok(!page.includes('<b>"Echo"</b>'));
    assert.ok(page.includes("&lt;b&gt;&quot;Echo&quot;&lt;/b&gt;"));
    assert.ok(page.includes('id="alexa-pair"'));
    assert.ok(!page.includes('name="alexa_enabled" value="true" checked>') || page.includes('id="alexa-enabled"'));
    b.iot.stop();
  });

  it("reports its state under alexa in /api/status", () => {
    const b = board();
    pair(b);
    const status = (bodyJson(b.iot.handle(jsonRequest("GET", "/api/status", undefined))) as { alexa: Record<string, unknown> }).alexa;
    assert.equal(status.enabled, true);
    assert.equal(status.devices, 1);
    assert.equal(status.users, 1);
    assert.equal((status.discovery as { running: boolean }).running, true);
    b.iot.stop();
  });
});
