/*
 * GET /events and GET /api/log through the manager's own HttpServer on the in-memory Tcp and a
 * virtual clock: the bytes a client receives, parsed as EventSource parses them. What is sent
 * on open, what a change sends, how a burst is coalesced, what a client that stops reading
 * costs, who gets log lines, the stream limit, keep-alives, and that every way a stream ends
 * gives its place back. Runs on Node and on XS.
 */

import { IotManager, type IotManagerOptions } from "../../modules/manager";
import { MAX_KEYS } from "../../modules/live/event-stream";
import * as assert from "../support/assert";
import { bodyJson, request } from "../support/http-request";
import type { MemoryPeer } from "../support/memory-tcp";
import { settle } from "../support/memory-tcp";
import { eventsNamed, parseSse, type SseStream } from "../support/sse";
import { createTestHost, type TestHost } from "../support/test-host";

const HOST = "192.168.1.50";

interface Device {
  iot: IotManager;
  host: TestHost;
}

async function device(options: IotManagerOptions = {}): Promise<Device> {
  const host = createTestHost();
  const iot = new IotManager({ title: "Live", version: "1.0.0", ...options }, host);
  void iot.run();
  await iot.listening;
  await settle();
  return { iot, host };
}

/** Lets the flush timer and the deliveries run. */
async function tick(d: Device, ms = 0): Promise<void> {
  await d.host.clock.advance(ms);
  await settle();
}

async function open(d: Device, target = "/events", headers = "", remote = "10.0.0.7"): Promise<MemoryPeer> {
  const peer = d.host.tcp.dial(80, { remote });
  peer.send(`GET ${target} HTTP/1.1\r\nHost: ${HOST}\r\n${headers}\r\n`);
  await tick(d);
  return peer;
}

function read(peer: MemoryPeer): SseStream {
  return parseSse(peer.bytes());
}

function basic(password: string): string {
  // "admin:<password>" in base64, ASCII only.
  const text = `admin:${password}`;
  const table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  let out = "";
  for (let i = 0; i < text.length; i += 3) {
    const n = (text.charCodeAt(i) << 16) | ((text.charCodeAt(i + 1) || 0) << 8) | (text.charCodeAt(i + 2) || 0);
    out += table[(n >> 18) & 63] + table[(n >> 12) & 63] + (i + 1 < text.length ? table[(n >> 6) & 63] : "=") + (i + 2 < text.length ? table[n & 63] : "=");
  }
  return `Basic ${out}`;
}

describe("live: GET /events", () => {
  it("opens with hello, the status and the whole data, as text/event-stream without a length", async () => {
    const d = await device();
    d.iot.data.set("Key 0", "0").set("1", 1);
    const peer = await open(d);
    const s = read(peer);
    assert.equal(s.status, 200);
    assert.match(s.head, /content-type: text\/event-stream/i);
    assert.match(s.head, /cache-control: no-store/i);
    assert.notMatch(s.head, /content-length|transfer-encoding/i);
    assert.deepEqual(s.events.map((e) => e.event), ["hello", "status", "data-all"]);
    assert.equal(s.retry, 3000);
    const hello = eventsNamed(s, "hello")[0] as Record<string, unknown>;
    assert.deepEqual({ format: hello.format, log: hello.log, maxStreams: hello.maxStreams, keepAliveMs: hello.keepAliveMs }, { format: 1, log: true, maxStreams: 2, keepAliveMs: 3333 });
    const status = eventsNamed(s, "status")[0] as Record<string, any>;
    assert.equal(status.title, "Live");
    assert.equal(status.live.streams, 1);
    // Insertion order, index-like keys included, exactly as GET /data.
    assert.equal(s.events[2].data, d.iot.data.toJSONText());
    assert.equal(s.events[2].data, '{"Key 0":"0","1":1}');
    assert.equal(peer.closed, false, "the stream stays open");
    d.iot.stop();
  });

  it("sends what changed a turn later, one data event per burst, with the values of the moment it is sent", async () => {
    const d = await device();
    d.iot.data.set("a", 1).set("b", 2);
    const peer = await open(d);
    const before = read(peer).events.length;
    for (let i = 0; i <= 1000; i++) d.iot.data.set("a", i);
    d.iot.data.set("b", "two").set("new", true);
    await tick(d);
    const after = read(peer).events.slice(before);
    assert.deepEqual(after.map((e) => e.event), ["data"], "one event for the whole burst");
    assert.equal(after[0].data, '{"a":1000,"b":"two","new":true}');
    d.iot.stop();
  });

  it("replaces the table (data-all) after a delete, a clear, or more changed keys than a stream remembers", async () => {
    const d = await device();
    d.iot.data.set("a", 1).set("b", 2);
    const peer = await open(d);
    let seen = read(peer).events.length;
    const next = () => {
      const events = read(peer).events.slice(seen);
      seen += events.length;
      return events;
    };
    d.iot.data.delete("a");
    await tick(d);
    assert.deepEqual(next().map((e) => [e.event, e.data]), [["data-all", '{"b":2}']]);
    d.iot.data.clear();
    await tick(d);
    assert.deepEqual(next().map((e) => [e.event, e.data]), [["data-all", "{}"]]);
    for (let i = 0; i <= MAX_KEYS; i++) d.iot.data.set(`k${i}`, i);
    await tick(d);
    const events = next();
    assert.deepEqual(events.map((e) => e.event), ["data-all"]);
    assert.equal(events[0].data, d.iot.data.toJSONText());
    d.iot.stop();
  });

  it("sends the status again when the config changes, and a task's failure with its name", async () => {
    const d = await device();
    const peer = await open(d);
    let seen = read(peer).events.length;
    d.iot.config.set("hostname", "greenhouse");
    await tick(d);
    let events = read(peer).events.slice(seen);
    seen += events.length;
    assert.deepEqual(events.map((e) => e.event).filter((n) => n !== "log"), ["status"]);
    assert.equal((JSON.parse(events.find((e) => e.event === "status")!.data) as { hostname: string }).hostname, "greenhouse");
    d.iot.addTask(async () => {
      await d.iot.sleep(5);
      throw new TypeError("sensor unplugged");
    }, "sensor");
    await tick(d, 10);
    events = read(peer).events.slice(seen);
    const task = events.find((e) => e.event === "task");
    assert.ok(task, "a task event");
    assert.deepEqual(JSON.parse(task.data), { name: "sensor", error: "TypeError: sensor unplugged", at: 0 });
    const status = JSON.parse(events.filter((e) => e.event === "status").at(-1)!.data) as { tasks: { failed: unknown[] } };
    assert.deepEqual(status.tasks.failed, [{ name: "sensor", error: "TypeError: sensor unplugged", at: 0 }]);
    const log = eventsNamed(read(peer), "log") as { line: string; level: string }[];
    assert.ok(log.some((l) => l.level === "error" && /task sensor failed: TypeError: sensor unplugged/.test(l.line)), "and its log line");
    d.iot.stop();
  });

  it("sends new log lines with their seq as the event id, and from ?since= or Last-Event-ID on", async () => {
    const d = await device();
    d.iot.log.info("before the stream");
    const peer = await open(d);
    assert.deepEqual(eventsNamed(read(peer), "log"), [], "no backlog unless asked for");
    d.iot.log.warn("Küche: 21.5 °C");
    await tick(d);
    const lines = read(peer).events.filter((e) => e.event === "log");
    assert.equal(lines.length, 1);
    const line = JSON.parse(lines[0].data) as { seq: number; level: string; line: string; ms: number };
    assert.equal(line.level, "warn");
    assert.equal(line.line, "WARN Küche: 21.5 °C");
    assert.equal(lines[0].id, String(line.seq));
    const from = line.seq - 1;
    const again = await open(d, `/events?since=${from}`, "", "10.0.0.8");
    assert.deepEqual((eventsNamed(read(again), "log") as { seq: number }[]).map((l) => l.seq), [from, line.seq]);
    again.close();
    await tick(d);
    const resumed = await open(d, "/events", `Last-Event-ID: ${from}\r\n`, "10.0.0.9");
    assert.deepEqual((eventsNamed(read(resumed), "log") as { seq: number }[]).map((l) => l.seq), [line.seq], "after the last one received");
    d.iot.stop();
  });

  it("leaves log lines out for a client without the admin password, and answers ?log=on 401 instead", async () => {
    const d = await device();
    d.iot.config.set("admin_password", "s3cret-pass");
    const anonymous = await open(d);
    assert.equal((eventsNamed(read(anonymous), "hello")[0] as { log: boolean }).log, false);
    d.iot.log.info("the SSID is Home and the router is 192.168.1.1");
    await tick(d);
    assert.deepEqual(eventsNamed(read(anonymous), "log"), []);
    anonymous.close();
    await tick(d);
    const refused = await open(d, "/events?log=on");
    assert.ok(await refused.whenClosed().then(() => true));
    assert.equal(read(refused).status, 401);
    assert.match(read(refused).head, /www-authenticate: Basic/i);
    const admin = await open(d, "/events?log=on", `Authorization: ${basic("s3cret-pass")}\r\n`, "10.0.0.8");
    assert.equal((eventsNamed(read(admin), "hello")[0] as { log: boolean }).log, true);
    d.iot.log.info("a line for the admin");
    await tick(d);
    assert.deepEqual((eventsNamed(read(admin), "log") as { line: string }[]).map((l) => l.line), ["INFO a line for the admin"]);
    d.iot.stop();
  });

  it("needs the device's own Host, as /api/ does (DNS rebinding)", async () => {
    const d = await device();
    const peer = d.host.tcp.dial(80);
    peer.send("GET /events HTTP/1.1\r\nHost: attacker.example\r\n\r\n");
    await tick(d);
    await peer.whenClosed();
    assert.equal(read(peer).status, 403);
    assert.equal((bodyJson(d.iot.handle(request("GET", "/api/status"))) as { live: { streams: number } }).live.streams, 0);
    d.iot.stop();
  });

  it("opens two streams at most: the third is answered 503 with Retry-After, and a place freed is taken again", async () => {
    const d = await device();
    const one = await open(d, "/events", "", "10.0.0.1");
    const two = await open(d, "/events", "", "10.0.0.2");
    const three = await open(d, "/events", "", "10.0.0.3");
    await three.whenClosed();
    const refused = read(three);
    assert.equal(refused.status, 503);
    assert.match(refused.head, /retry-after: 30/i);
    assert.equal(read(one).status, 200);
    assert.equal(two.closed, false);
    // The other two connections still serve plain requests.
    const plain = d.host.tcp.dial(80, { remote: "10.0.0.4" });
    plain.send(`GET /data HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`);
    await tick(d);
    await plain.whenClosed();
    assert.match(plain.text(), /^HTTP\/1\.1 200/);
    one.close();
    await tick(d);
    const again = await open(d, "/events", "", "10.0.0.5");
    assert.equal(read(again).status, 200, "the place the client left is free");
    d.iot.stop();
  });

  it("keeps an idle stream alive with comments, past the time a stalled response is cut off", async () => {
    const d = await device();
    const peer = await open(d);
    for (let t = 0; t < 60_000; t += 500) await tick(d, 500);
    const s = read(peer);
    assert.equal(peer.closed, false, "open after a minute of nothing to say");
    assert.ok(s.comments >= 15 && s.comments <= 20, `${s.comments} keep-alives in 60 s (one every 3.3-3.8 s)`);
    d.iot.stop();
  });

  it("holds no more for a client that stops reading than its send buffer, cuts it off after 10 s, and goes on for the others", async () => {
    const d = await device();
    const slow = await open(d, "/events", "", "10.0.0.1");
    const quick = await open(d, "/events", "", "10.0.0.2");
    slow.stall();
    const received = slow.bytes().length;
    // Ten thousand changes while it does not read: at most one pull's worth waits for it.
    for (let i = 0; i < 10_000; i++) {
      d.iot.data.set(`key ${i % 20}`, "x".repeat(i % 50));
      if (i % 500 === 0) await tick(d, 100);
    }
    await tick(d);
    assert.equal(slow.bytes().length, received, "nothing arrived while it was not reading");
    assert.equal(slow.closed, false);
    await tick(d, 10_500);
    slow.resume();
    await tick(d);
    assert.ok(slow.closed, "cut off after 10 s without progress");
    assert.ok(slow.bytes().length - received <= 5744 + 1024, `what was waiting for it: ${slow.bytes().length - received} bytes`);
    assert.equal(quick.closed, false, "the reader that reads is still served");
    const last = read(quick).events.filter((e) => e.event.startsWith("data")).at(-1)!;
    const table = JSON.parse(d.iot.data.toJSONText()) as Record<string, string>;
    const shown: Record<string, unknown> = last.event === "data-all" ? (JSON.parse(last.data) as Record<string, unknown>) : {};
    if (last.event === "data") for (const [k, v] of Object.entries(JSON.parse(last.data) as Record<string, unknown>)) shown[k] = v;
    for (const key of Object.keys(shown)) assert.equal(shown[key], table[key], `${key} is its last value`);
    d.iot.stop();
  });

  it("gives its place back however it ends: the client leaves, HEAD, the manager stops", async () => {
    const d = await device();
    const streams = (): number => (bodyJson(d.iot.handle(request("GET", "/api/status"))) as { live: { streams: number } }).live.streams;
    const peer = await open(d);
    assert.equal(streams(), 1);
    peer.close();
    await tick(d);
    assert.equal(streams(), 0, "the client left");
    const head = d.host.tcp.dial(80);
    head.send(`HEAD /events HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`);
    await tick(d);
    await head.whenClosed();
    assert.equal(read(head).status, 200);
    assert.equal(read(head).events.length, 0);
    assert.equal(streams(), 0, "HEAD");
    // An answer the server never sent (a test calling handle()) is forgotten after 10 s.
    d.iot.handle(request("GET", "/events"));
    d.iot.handle(request("GET", "/events"));
    assert.equal(streams(), 2);
    await tick(d, 10_000);
    const late = await open(d);
    assert.equal(read(late).status, 200);
    assert.equal(streams(), 1);
    d.iot.stop();
    await tick(d);
    assert.ok(late.closed, "stop() ends the streams");
  });

  it("refuses a log mode it does not know", async () => {
    const d = await device();
    const res = d.iot.handle(request("GET", "/events?log=maybe"));
    assert.equal(res.status, 400);
    d.iot.stop();
  });
});

describe("live: GET /api/log", () => {
  it("gives the lines the ring holds, in order, and those from ?since= on", async () => {
    const d = await device({ debug: true });
    for (let i = 0; i < 5; i++) d.iot.log.info(`line ${i}`);
    const all = bodyJson(d.iot.handle(request("GET", "/api/log"))) as { first: number; next: number; lost: number; lines: { seq: number; level: string; line: string; ms: number }[] };
    assert.equal(all.first, 0);
    assert.equal(all.next, all.lines.length);
    assert.deepEqual(all.lines.slice(-5).map((l) => l.line), [0, 1, 2, 3, 4].map((i) => `INFO line ${i}`));
    assert.deepEqual(all.lines.map((l) => l.seq), all.lines.map((_, i) => i));
    const since = bodyJson(d.iot.handle(request("GET", `/api/log?since=${all.next - 2}`))) as typeof all;
    assert.deepEqual(since.lines.map((l) => l.line), ["INFO line 3", "INFO line 4"]);
    assert.equal(since.lost, 0);
    assert.equal(d.iot.handle(request("GET", "/api/log?since=x")).status, 400);
    d.iot.stop();
  });

  it("says how many lines a slow reader lost when the ring overwrote them", async () => {
    const d = await device({ logBytes: 512 });
    for (let i = 0; i < 100; i++) d.iot.log.info(`a line that takes some room, number ${i}`);
    const log = bodyJson(d.iot.handle(request("GET", "/api/log?since=0"))) as { first: number; next: number; lost: number; lines: { seq: number; line: string }[] };
    assert.ok(log.first > 0);
    assert.equal(log.lost, log.first);
    assert.equal(log.lines.at(-1)!.line, "INFO a line that takes some room, number 99");
    assert.equal(log.lines[0].seq, log.first);
    d.iot.stop();
  });

  it("needs the admin password when one is set, and the device's own Host", async () => {
    const d = await device();
    d.iot.config.set("admin_password", "s3cret-pass");
    assert.equal(d.iot.handle(request("GET", "/api/log")).status, 401);
    assert.equal(d.iot.handle(request("GET", "/api/log", { headers: { authorization: basic("s3cret-pass") } })).status, 200);
    assert.equal(d.iot.handle(request("GET", "/api/log", { headers: { host: "attacker.example", authorization: basic("s3cret-pass") } })).status, 403);
    d.iot.stop();
  });

  it("is 404 when the app keeps no log lines (logBytes: 0), and the stream then says log: false", async () => {
    const d = await device({ logBytes: 0 });
    assert.equal(d.iot.handle(request("GET", "/api/log")).status, 404);
    const peer = await open(d);
    assert.equal((eventsNamed(read(peer), "hello")[0] as { log: boolean }).log, false);
    d.iot.stop();
  });
});
