/*
 * GET /events from the simulator over real loopback sockets, read as EventSource reads it: the
 * stream opens with hello, status and the data, then carries the app's changes, its log lines
 * and its task failures as they happen; two streams at most (a third is 503 while plain
 * requests are still served); a client that goes away gives its place back at once; an idle
 * stream outlives the server's no-progress cut-off on keep-alives; a reboot ends the stream.
 */

import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { startSimulator, type Simulator } from "../../hosts/node/simulator";
import { endpoint } from "../support/raw-http";
import { eventsNamed, parseSse, type SseStream } from "../support/sse";

const APP = resolve(import.meta.dirname, "../fixtures/live-app.ts");
const QUIET_APP = resolve(import.meta.dirname, "../fixtures/limits-app.ts");

interface Client {
  socket: Socket;
  read(): SseStream;
  readonly closed: boolean;
  until(test: (s: SseStream) => boolean, ms?: number): Promise<SseStream>;
}

function openStream(url: string, target = "/events", headers = ""): Promise<Client> {
  const { host, port } = endpoint(url);
  return new Promise((resolveClient, reject) => {
    const socket = connect(port, host);
    const chunks: Buffer[] = [];
    let closed = false;
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("close", () => (closed = true));
    socket.on("error", () => undefined);
    socket.once("error", reject);
    socket.once("connect", () => {
      socket.write(`GET ${target} HTTP/1.1\r\nHost: ${host}:${port}\r\n${headers}\r\n`);
      const client: Client = {
        socket,
        read: () => parseSse(new Uint8Array(Buffer.concat(chunks))),
        get closed() {
          return closed;
        },
        async until(test, ms = 5000) {
          const deadline = Date.now() + ms;
          for (;;) {
            const s = client.read();
            if (test(s)) return s;
            if (Date.now() > deadline) throw new Error(`not seen within ${ms} ms; got ${JSON.stringify(s.events.map((e) => e.event))}`);
            await delay(20);
          }
        },
      };
      resolveClient(client);
    });
  });
}

async function streams(sim: Simulator): Promise<number> {
  const status = (await (await fetch(`${sim.url}/api/status`)).json()) as { live: { streams: number } };
  return status.live.streams;
}

describe("simulator: live events (GET /events) over real sockets", function () {
  this.timeout(60_000);
  let sim: Simulator;
  let stateDir: string;
  const clients: Client[] = [];

  async function boot(limits = {}, app = APP): Promise<void> {
    stateDir = mkdtempSync(join(tmpdir(), "iot-live-"));
    sim = await startSimulator({ port: 0, stateDir, app, logSink: () => undefined, limits });
  }
  async function open(target?: string, headers?: string): Promise<Client> {
    const client = await openStream(sim.url, target, headers);
    clients.push(client);
    return client;
  }

  afterEach(async () => {
    for (const c of clients.splice(0)) c.socket.destroy();
    await sim?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("opens with hello, status and the data, then carries changes, log lines and a task's failure", async () => {
    await boot();
    const client = await open();
    const first = await client.until((s) => s.events.length >= 3);
    assert.equal(first.status, 200);
    assert.deepEqual(first.events.slice(0, 3).map((e) => e.event), ["hello", "status", "data-all"]);
    assert.equal((JSON.parse(first.events[2].data) as Record<string, unknown>)["Küche 温度"], "21.5");
    const s = await client.until((x) => eventsNamed(x, "data").length >= 3 && eventsNamed(x, "task").length >= 1 && eventsNamed(x, "log").length >= 3);
    const counters = (eventsNamed(s, "data") as { counter?: number }[]).map((d) => d.counter).filter((c) => c !== undefined);
    assert.ok(counters.every((c, i) => i === 0 || c! > counters[i - 1]!), `the counter only goes up: ${counters.join(" ")}`);
    assert.deepEqual(eventsNamed(s, "task")[0], { name: "sensor", error: "Error: the sensor did not answer", at: 0 });
    const lines = eventsNamed(s, "log") as { seq: number; line: string }[];
    assert.ok(lines.some((l) => /^INFO tick \d+$/.test(l.line)));
    assert.ok(lines.every((l, i) => i === 0 || l.seq === lines[i - 1].seq + 1), "consecutive seqs: nothing lost for a reader that reads");
    const status = eventsNamed(s, "status").at(-1) as { tasks: { failed: { name: string }[] } };
    assert.deepEqual(status.tasks.failed.map((f) => f.name), ["sensor"]);
  });

  it("serves two streams at most: the third gets 503 with Retry-After, plain requests still go through, and a client that leaves frees its place", async () => {
    await boot();
    const one = await open();
    const two = await open();
    await one.until((s) => s.status === 200);
    await two.until((s) => s.status === 200);
    const three = await open();
    const refused = await three.until((s) => s.status !== 0);
    assert.equal(refused.status, 503);
    assert.match(refused.head, /retry-after: 30/i);
    assert.equal((await fetch(`${sim.url}/data`)).status, 200, "plain requests are served beside two streams");
    assert.equal(await streams(sim), 2);
    one.socket.destroy();
    for (let i = 0; i < 50 && (await streams(sim)) !== 1; i++) await delay(20);
    assert.equal(await streams(sim), 1, "the place is given back when the client goes");
    const four = await open();
    assert.equal((await four.until((s) => s.status !== 0)).status, 200);
  });

  it("keeps a stream that has nothing to say open past the no-progress cut-off, on keep-alives", async () => {
    // A 1.5 s request timeout: keep-alives every 0.5 s; an app that changes nothing by itself.
    await boot({ requestTimeoutMs: 1500 }, QUIET_APP);
    const client = await open("/events?log=off");
    await client.until((s) => s.status === 200);
    await delay(4000);
    assert.equal(client.closed, false, "open well past the 1.5 s no-progress cut-off");
    const s = client.read();
    assert.ok(s.comments >= 4, `${s.comments} keep-alives in 4 s`);
    assert.deepEqual(eventsNamed(s, "log"), [], "?log=off");
  });

  it("ends the stream when the device reboots, and the client gets the new boot on reconnecting with Last-Event-ID", async () => {
    await boot();
    const client = await open();
    const before = await client.until((s) => eventsNamed(s, "log").length >= 2);
    const last = before.events.filter((e) => e.event === "log").at(-1)!.id;
    const reboot = await fetch(`${sim.url}/api/reboot`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    assert.equal(reboot.status, 202);
    for (let i = 0; i < 200 && !client.closed; i++) await delay(20);
    assert.ok(client.closed, "the stream ended with the app");
    for (let i = 0; i < 200 && sim.boots < 2; i++) await delay(20);
    // The new boot counts before its server listens: wait until it answers.
    for (let i = 0; i < 200; i++) {
      const up = await fetch(`${sim.url}/api/status`).then((r) => r.ok, () => false);
      if (up) break;
      await delay(20);
    }
    const again = await open("/events", `Last-Event-ID: ${last}\r\n`);
    const s = await again.until((x) => eventsNamed(x, "log").length >= 1);
    const lines = eventsNamed(s, "log") as { seq: number; line: string }[];
    // A seq beyond what this boot has logged is from the boot before: the new boot's lines from its
    // first. When the new boot has logged past it already (a slow reconnect: this app logs every
    // 100 ms), the seq alone cannot tell the boots apart and the stream goes on after it
    // (docs/events.md says so): either way, nothing before what was asked for.
    assert.ok(lines[0].seq === 0 || lines[0].seq === Number(last) + 1, `the new boot's first line, or the one after the last received: ${lines[0].seq} ${lines[0].line}`);
    assert.ok(lines.every((l, i) => i === 0 || l.seq === lines[i - 1].seq + 1), "consecutive");
  });
});
