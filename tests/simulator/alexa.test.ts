/*
 * A scripted Echo against the simulator running the demo app (main.ts), over real UDP and
 * HTTP on loopback, the way an Echo finds and drives a Hue bridge: M-SEARCH to the SSDP port
 * (--ssdp-port), the description at LOCATION, pairing while the window is open (JSON labelled
 * as a form, no Origin), the lights, a switch and a dim, a read-back; the desk lamp's
 * variables changed, shown in /data and still there after a restart, with the same IDs. And a
 * stranger's username refused, hostile bodies answered by Hue's errors, the page escaped.
 * No datagram is sent to the multicast group: nothing of this test leaves loopback.
 */

import * as assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSimulator, type Simulator } from "../../hosts/node/simulator";
import { startSimulatorProcess } from "../support/simulator-process";
import { freeUdpPort } from "../support/wifi-http";

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One HTTP request as an Echo sends it: JSON body labelled as a form, no Origin. */
function echoRequest(url: string, method: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
    const req = httpRequest(
      url,
      {
        method,
        headers: {
          ...(payload === undefined ? {} : { "content-type": "application/x-www-form-urlencoded", "content-length": String(Buffer.byteLength(payload)) }),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }));
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

async function hue(url: string, method: string, body?: unknown): Promise<unknown> {
  const reply = await echoRequest(url, method, body);
  assert.equal(reply.status, 200, `${method} ${url}: ${reply.text}`);
  assert.match(String(reply.headers["content-type"]), /^application\/json/);
  return JSON.parse(reply.text);
}

/** Sends one M-SEARCH to 127.0.0.1:port and collects the answers for `waitMs`. */
async function mSearch(port: number, st: string, mx: number, waitMs: number): Promise<string[]> {
  const socket: Socket = createSocket("udp4");
  const answers: string[] = [];
  socket.on("message", (message) => answers.push(message.toString("latin1")));
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  const text = `M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: ${mx}\r\nST: ${st}\r\n\r\n`;
  await new Promise<void>((resolve, reject) => socket.send(text, port, "127.0.0.1", (e) => (e ? reject(e) : resolve())));
  await new Promise((resolve) => setTimeout(resolve, waitMs));
  socket.close();
  return answers;
}

function header(answer: string, name: string): string | undefined {
  const line = answer.split("\r\n").find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

describe("simulator: a scripted Echo finds, pairs with and drives the desk lamp", function () {
  this.timeout(60_000);
  let sim: Simulator;
  let stateDir: string;
  let ssdpPort: number;
  let username = "";
  let lightId = "";
  let uniqueid = "";

  before(async () => {
    stateDir = mkdtempSync(join(tmpdir(), "iot-alexa-"));
    ssdpPort = await freeUdpPort();
    sim = await startSimulator({ port: 0, stateDir, ssdpPort, logSink: () => undefined });
  });
  after(async () => {
    await sim?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("answers an M-SEARCH for ssdp:all with three answers whose LOCATION names the real web port", async () => {
    const answers = await mSearch(ssdpPort, "ssdp:all", 1, 1500);
    assert.equal(answers.length, 3, answers.join("\n---\n"));
    for (const answer of answers) {
      assert.match(answer, /^HTTP\/1\.1 200 OK\r\n/);
      assert.equal(header(answer, "LOCATION"), `http://127.0.0.1:${sim.port}/description.xml`);
      assert.equal(header(answer, "SERVER"), "Linux/3.14.0 UPnP/1.0 IpBridge/1.24.0");
      assert.match(header(answer, "hue-bridgeid") ?? "", /^[0-9A-F]{6}FFFE[0-9A-F]{6}$/);
    }
    assert.deepEqual(
      answers.map((a) => header(a, "ST")),
      ["upnp:rootdevice", header(answers[1], "USN"), "urn:schemas-upnp-org:device:basic:1"],
    );
    const basic = await mSearch(ssdpPort, "urn:schemas-upnp-org:device:basic:1", 1, 1500);
    assert.equal(basic.length, 1);
    assert.equal((await mSearch(ssdpPort, "urn:schemas-upnp-org:device:MediaRenderer:1", 1, 1200)).length, 0);
  });

  it("joins the SSDP group on loopback (as the device joins it on its station interface)", function () {
    if (!existsSync("/proc/net/igmp")) this.skip();
    const igmp = readFileSync("/proc/net/igmp", "utf8");
    const lo = igmp.split(/\n(?=\d)/).find((block) => /^\d+\s+lo\s/.test(block)) ?? "";
    assert.match(lo, /FAFFFFEF/i, "239.255.255.250 is joined on lo");
  });

  it("serves the description at LOCATION", async () => {
    const reply = await echoRequest(`${sim.url}/description.xml`, "GET");
    assert.equal(reply.status, 200);
    assert.match(reply.text, /<modelName>Philips hue bridge 2012<\/modelName>/);
    assert.match(reply.text, /<modelNumber>929000226503<\/modelNumber>/);
    assert.match(reply.text, /<UDN>uuid:2f402f80-da50-11e1-9b23-[0-9a-f]{12}<\/UDN>/);
  });

  it("says link button not pressed, then pairs while the window is open", async () => {
    assert.deepEqual(await hue(`${sim.url}/api`, "POST", { devicetype: "Echo" }), [{ error: { type: 101, address: "", description: "link button not pressed" } }]);
    const open = await fetch(`${sim.url}/api/alexa/pair`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    assert.equal(open.status, 200);
    const answer = (await hue(`${sim.url}/api`, "POST", { devicetype: "Echo" })) as { success: { username: string } }[];
    username = answer[0].success.username;
    assert.match(username, /^[0-9a-f]{32}$/);
  });

  it("lists the lights, switches and dims the desk lamp, and reads it back", async () => {
    const lights = (await hue(`${sim.url}/api/${username}/lights`, "GET")) as Record<string, { name: string; uniqueid: string; state: Record<string, unknown> }>;
    const entries = Object.entries(lights);
    assert.equal(entries.length, 1);
    [lightId] = entries[0];
    uniqueid = entries[0][1].uniqueid;
    assert.equal(entries[0][1].name, "Desk lamp");
    assert.equal(entries[0][1].state.on, false);
    const answer = await hue(`${sim.url}/api/${username}/lights/${lightId}/state`, "PUT", { on: true, bri: 64 });
    assert.deepEqual(answer, [{ success: { [`/lights/${lightId}/state/on`]: true } }, { success: { [`/lights/${lightId}/state/bri`]: 64 } }]);
    const light = (await hue(`${sim.url}/api/${username}/lights/${lightId}`, "GET")) as { state: { on: boolean; bri: number } };
    assert.equal(light.state.on, true);
    assert.equal(light.state.bri, 64);
    const data = (await (await fetch(`${sim.url}/data`)).json()) as Record<string, unknown>;
    assert.deepEqual(data["Desk lamp"], { on: true, brightness: 25 }, "the variable changed and /data shows it at once");
  });

  it("refuses a username it never gave out, and answers hostile bodies with Hue's errors", async () => {
    const stranger = (await hue(`${sim.url}/api/0123456789abcdef0123456789abcdef/lights`, "GET")) as { error: { type: number } }[];
    assert.equal(stranger[0].error.type, 1);
    const bad = (await hue(`${sim.url}/api/${username}/lights/${lightId}/state`, "PUT", "{not json")) as { error: { type: number } }[];
    assert.equal(bad[0].error.type, 2);
    const long = (await hue(`${sim.url}/api`, "POST", { devicetype: `<script>"${"x".repeat(300)}` })) as { error: { type: number } }[];
    assert.equal(long[0].error.type, 7);
    const page = await (await fetch(`${sim.url}/?view=alexa`)).text();
    assert.match(page, /<section class="card mb-3" id="alexa">/);
    assert.ok(page.includes("Desk lamp"));
  });

  it("keeps the lamp's state, the username and the light's IDs across a restart", async () => {
    await sim.restart();
    const data = (await (await fetch(`${sim.url}/data`)).json()) as Record<string, unknown>;
    assert.deepEqual(data["Desk lamp"], { on: true, brightness: 25 });
    const lights = (await hue(`${sim.url}/api/${username}/lights`, "GET")) as Record<string, { uniqueid: string }>;
    assert.deepEqual(Object.keys(lights), [lightId]);
    assert.equal(lights[lightId].uniqueid, uniqueid);
    assert.equal((await mSearch(ssdpPort, "upnp:rootdevice", 1, 1500)).length, 1, "discovery answers again after the restart");
  });
});

describe("simulator: npm start -- --ssdp-port", function () {
  this.timeout(60_000);

  it("answers Hue bridge searches on the port given", async () => {
    const port = await freeUdpPort();
    const sim = await startSimulatorProcess({ args: ["--ssdp-port", String(port)] });
    try {
      await sim.waitForLine(new RegExp(`answering Hue bridge searches on UDP port ${port}`));
      const answers = await mSearch(port, "upnp:rootdevice", 1, 1500);
      assert.equal(answers.length, 1);
      assert.equal(header(answers[0], "LOCATION"), `${sim.url}/description.xml`);
    } finally {
      await sim.stop();
    }
  });
});
