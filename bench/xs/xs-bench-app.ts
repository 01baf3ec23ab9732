/*
 * The benchmark's side inside XS (@agoric/xsnap): the demo app (main.ts, unchanged) on a quiet
 * in-memory host, and the core's OTA job, driven one command per xsnap crank so the parent can
 * read XS's own meter after each: live slots (meterUsage.currentHeapCount right after a gc())
 * and deterministic compute (meterUsage.compute, which xsnap resets at the start of every crank).
 *
 * Commands arrive through xsnap's issueCommand path (globalThis.handleCommand), not evaluate():
 * every evaluate() compiles a new script and leaves a slot or so behind for good, which would
 * show up as "growth"; a command only calls this already-compiled function. The gc command is
 * always the same bytes, so its own footprint (the parsed command object) is the same constant
 * at every measuring point and cancels out of every difference.
 *
 * Commands: load (the host, then the core's modules), boot (main.ts, then a minute of virtual
 * time), requests, clear-data / fill-data, prepare-floors / meter / time (compute next to its
 * floor), ota-* (an OTA download fed by the parent's image), idle-features / idle-drop (a
 * manager with only the time and mDNS features asked for, synced and claimed, then idle: what
 * each costs at rest), result (what load, boot or idle-features gave).
 *
 * Engine-neutral: no Node, no Moddable; xsnap's globals (gc, TextEncoder, performance) are
 * reached through globalThis. Each command answers a small JSON object (or nothing, for gc).
 */

import { Config } from "../../modules/config/config";
import { DataStore } from "../../modules/data/data-store";
import { bindHost, type Host } from "../../modules/host/host";
import type { HttpClient, HttpDownloadHandler } from "../../modules/http/http-client";
import { isHttpStream, type HttpHandler, type HttpRequest, type HttpResponse } from "../../modules/http/http-message";
import { IotManager } from "../../modules/manager";
import { WIFI_SETTINGS } from "../../modules/wifi/wifi-feature";
import type { Tcp, TcpConnection, TcpEvents, TcpListener, TcpListenOptions } from "../../modules/host/tcp";
import type { Slot } from "../../hosts/simulated/boot-record";
import { RequestParser, requestPatterns } from "../../modules/http/request-parser";
import { ResponseWriter, responsePatterns } from "../../modules/http/response-writer";
import { HTTP_LIMITS } from "../../modules/http/limits";
import { dataProbes } from "./data-probes";
import { OtaJob } from "../../modules/ota/ota-job";
import { SlotUpdater, type PartitionStore } from "../../hosts/simulated/slot-updater";
import { FakeRadio } from "../../tests/support/fake-radio";
import { jsonRequest, request } from "../../tests/support/http-request";
import { MemoryStorage } from "../../tests/support/memory-storage";
import { MemoryTcp } from "../../tests/support/memory-tcp";
import type { Udp, UdpListener } from "../../modules/host/udp";
import { VirtualClock } from "../../tests/support/virtual-clock";
import { VirtualWallClock } from "../../tests/support/virtual-wall-clock";
import { ntpReply, scriptedNtpServer, type ScriptedServer } from "../../tests/support/ntp-script";
import type { NetworkStatus } from "../../modules/host/network";
import { decoder, encoder, xsnap as xs } from "../../tests/xs/xsnap-globals";



/** The measured operations: the framework's and its floor's, for GET /data and for the page. */
export type Work = "serve-asset" | "serve-data" | "floor-data" | "serve-page" | "floor-page" | "data-text" | "wire-data" | "wire-page" | "encode-data" | "probe-parse" | "probe-write" | "probe-writer-only";

/** How far a connection held open has got: nothing sent, or each part of a request just under its limit. */
export type ConnectionStage = "idle" | "request-line" | "headers" | "body";

/** What a command asks for; `iterations` repeats the measured work inside one crank. */
export interface XsCommand {
  op:
    | "gc"
    | "load"
    | "boot"
    | "boot-budget"
    | "result"
    | "requests"
    | "clear-data"
    | "fill-data"
    | "prepare-floors"
    | "meter"
    | "time"
    | "wire-figures"
    | "conn-open"
    | "conn-drop"
    | "profile-page"
    | "meter-page-prefix"
    | "ota-prepare"
    | "ota-start"
    | "ota-feed"
    | "ota-drop"
    | "idle-features"
    | "idle-drop"
    | "probe";
  /** probe: the name of one of bench/xs/data-probes.ts's probes. */
  probe?: string;
  /** idle-features: which of the two features the manager runs. */
  features?: { time?: boolean; mdns?: boolean };
  /** boot-budget: the features the manager runs (the others switched off). */
  budget?: string[];
  /** conn-open: what the open connection has sent so far (each just under its limit). */
  stage?: ConnectionStage;
  /** load: build the device's host (radio, partitions) instead of the plain one. */
  device?: boolean;
  /** ota-feed: deliver fragments until this many bytes of the image have gone. */
  upTo?: number;
  /** ota-prepare: the project name in the image, so the running app matches it. */
  project?: string;
  work?: Work;
  /** Time budget of a "time" command, in ms. */
  ms?: number;
  n?: number;
  from?: number;
  iterations?: number;
}

// The host: what the device's host gives the core, minus every side effect that would retain
// memory here but not on the device (a log that keeps lines, a server with sockets). The
// "device" host adds what the ESP32's host has, so that the manager runs the features it runs
// there: a radio and UDP (WiFi feature; a network "Home" on the air) and app partitions (OTA
// feature).
/** The demo app's manager, once main.ts has run: its handle() is the HTTP application. */
let app: IotManager | undefined;
const clock = new VirtualClock();
let host!: Host;

function plainHost(): Host {
  return {
    storage: new MemoryStorage(),
    clock,
    // trace() on the device keeps nothing; neither does this.
    log: { write: () => undefined },
    system: { info: () => ({ mac: "24:0a:c4:12:34:56", platform: "xs-bench" }), restart: () => undefined },
    tcp: wire,
    text: NATIVE_TEXT,
  };
}

/**
 * UDP for measuring: what MemoryUdp does (loopback datagrams between bound ports, a promise turn
 * later) minus its records of what was sent, which a device does not keep. Multicast goes nowhere.
 */
class QuietUdp implements Udp {
  readonly #bound = new Map<number, UdpListener>();
  #next = 50000;

  open(options: { port?: number }, onMessage: UdpListener) {
    const port = options.port || this.#next++;
    const taken = this.#bound.has(port);
    if (!taken) this.#bound.set(port, onMessage);
    let open = !taken;
    const ready = taken ? Promise.reject(new Error(`UDP port ${port} is in use`)) : Promise.resolve(port);
    ready.catch(() => undefined);
    return {
      ready,
      send: (bytes: Uint8Array, address: string, to: number) => {
        if (!open || address !== "127.0.0.1") return;
        const copy = bytes.slice();
        void Promise.resolve().then(() => this.#bound.get(to)?.(copy, "127.0.0.1", port));
      },
      close: () => {
        if (!open) return;
        open = false;
        this.#bound.delete(port);
      },
    };
  }
}

const HOME = Object.freeze({ ssid: "Home", password: "correct horse", rssi: -50, ip: "192.168.1.23" });

function deviceHost(): Host {
  const base = plainHost();
  const radio = new FakeRadio(clock, { mac: "24:0a:c4:12:34:56" });
  radio.put(HOME);
  const updater = new SlotUpdater({
    store: new FlashPartitions(new Uint8Array(0), 0x1f0000),
    storage: base.storage,
    factory: { project: "xs_esp32", version: "1.0.0" },
  });
  // The WiFi settings the device has saved: it joins Home at boot, as a device in the field does.
  const saved = new Config(base.storage);
  saved.declare(WIFI_SETTINGS);
  saved.update({ wifi_ssid: HOME.ssid, wifi_password: HOME.password });
  return { ...base, radio, udp: new QuietUdp(), updater };
}

/**
 * The device's native UTF-8 (ArrayBuffer.fromString on a Moddable device; xsnap's TextEncoder
 * here, also C): what hosts/moddable/text-codec.ts gives the server. Decoding is not measured.
 */
const NATIVE_TEXT = Object.freeze({
  encode: (text: string): Uint8Array => encoder.encode(text),
  decode: (bytes: Uint8Array): string => decoder.decode(bytes),
});

/** lwIP's send buffer on the ESP32 (TCP_SND_BUF, 4 segments of 1436 bytes). */
const SEND_BUFFER = 5744;

/**
 * One accepted connection as the server sees a device socket, without the socket: writable()
 * is what is left of the send buffer, write() counts what it is handed (per write, for the
 * page's fragments), and the driver acks everything between writable events.
 */
class WireConnection implements TcpConnection {
  readonly remoteAddress = "192.168.1.50";
  events: TcpEvents | undefined;
  closed = false;
  inFlight = 0;
  writes = 0;
  bytes = 0;
  largest = 0;
  smallest = 0;
  listen(events: TcpEvents): void {
    this.events = events;
  }
  writable(): number {
    return this.closed ? 0 : SEND_BUFFER - this.inFlight;
  }
  write(...chunks: Uint8Array[]): void {
    let n = 0;
    for (let i = 0; i < chunks.length; i++) n += chunks[i].byteLength;
    if (n > SEND_BUFFER - this.inFlight) throw new Error("write beyond writable()");
    this.inFlight += n;
    this.writes++;
    this.bytes += n;
    if (n > this.largest) this.largest = n;
    if (this.smallest === 0 || n < this.smallest) this.smallest = n;
  }
  close(): void {
    this.closed = true;
  }
  abort(): void {
    this.closed = true;
  }
}

/** The host's Tcp: it hands the manager's own server each connection the bench opens. */
class WireTcp implements Tcp {
  #accept: ((connection: TcpConnection) => void) | undefined;
  listen(_options: TcpListenOptions, onConnection: (connection: TcpConnection) => void): TcpListener {
    this.#accept = onConnection;
    return { ready: Promise.resolve({ host: "0.0.0.0", port: 80 }), close: () => (this.#accept = undefined) };
  }
  connect(): TcpConnection {
    throw new Error("the bench's Tcp makes no connections");
  }
  /** A connection the server accepts, nothing sent yet. */
  open(): WireConnection {
    const accept = this.#accept;
    if (!accept) throw new Error("boot first: the app has not started its server");
    const connection = new WireConnection();
    accept(connection);
    return connection;
  }
  /** One request from its bytes to the last byte of its answer; the connection, to read its figures. */
  exchange(request: Uint8Array): WireConnection {
    const connection = this.open();
    connection.events!.data(request);
    // Every byte written is acked before the next writable event, as a quick client does.
    for (let turns = 0; !connection.closed && turns < 10_000; turns++) {
      connection.inFlight = 0;
      connection.events!.writable();
    }
    return connection;
  }
}
const wire = new WireTcp();
const PROBE_PATTERNS = requestPatterns();
const PROBE_RPATTERNS = responsePatterns();
let PROBE_RESPONSE: HttpResponse | undefined;
host = plainHost();

/** A request as curl sends it, and as a browser asks for the page: the bytes the server reads. */
const DATA_BYTES = encoder.encode("GET /data HTTP/1.1\r\nHost: 192.168.1.23\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n");
const PAGE_BYTES = encoder.encode(
  "GET / HTTP/1.1\r\nHost: 192.168.1.23\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n" +
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\nAccept-Language: en-US,en;q=0.5\r\n" +
    "Accept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\nUpgrade-Insecure-Requests: 1\r\n\r\n",
);

// Built once, before any measuring point, so they are part of every baseline alike.
const REQUESTS: readonly HttpRequest[] = Object.freeze([
  request("GET", "/"),
  request("GET", "/data"),
  request("GET", "/api/status"),
  request("GET", "/api/config"),
  request("GET", "/app.js"),
  request("GET", "/no-such-page"),
  // A save that changes nothing: validated in full, written nowhere.
  jsonRequest("POST", "/api/config", { "60_CUSTOM_CONFIG": "Counter" }),
]);
const GET_DATA = REQUESTS[1];
const GET_PAGE = REQUESTS[0];
/** An answer with nothing to render: a resource that is bytes made once, its validator checked (not in the mixed requests). */
const GET_ASSET = request("GET", "/app.css");

let data: DataStore | undefined;
let probes: Record<string, () => number> | undefined;
let floorObject: Record<string, string> = {};
let floorFragments: (string | Uint8Array)[] = [];

/** Reads a response body whole, the way a host walks it to write it to a socket. */
function consume(response: HttpResponse): number {
  const body = response.body;
  if (body === undefined) return 0;
  if (typeof body === "string") return body.length;
  if (body instanceof Uint8Array) return body.byteLength;
  if (isHttpStream(body)) throw new Error("the bench serves no stream bodies");
  // Strings are joined (the server joins neighbouring ones before encoding), bytes are handed on
  // as they are (the server writes them without a copy).
  let out = "";
  let bytes = 0;
  for (const fragment of body) {
    if (typeof fragment === "string") out += fragment;
    else bytes += fragment.byteLength;
  }
  return out.length + bytes;
}

const performance = (globalThis as unknown as { performance: { now(): number } }).performance;
const now = (): number => performance.now();

/** Each returns the length of what it produced, so no engine could skip the work. */
const WORK: Readonly<Record<Work, () => number>> = Object.freeze({
  "serve-asset": () => consume(serve(GET_ASSET)),
  "serve-data": () => consume(serve(GET_DATA)),
  "floor-data": () => JSON.stringify(floorObject).length,
  "serve-page": () => consume(serve(GET_PAGE)),
  "data-text": () => requireData().toJSONText().length,
  "encode-data": () => NATIVE_TEXT.encode(JSON.stringify(floorObject)).byteLength,
  "wire-data": () => wire.exchange(DATA_BYTES).bytes,
  "wire-page": () => wire.exchange(PAGE_BYTES).bytes,
  "probe-parse": () => (new RequestParser(HTTP_LIMITS, NATIVE_TEXT, PROBE_PATTERNS).push(DATA_BYTES) ? 1 : 0),
  "probe-write": () => {
    const c = new WireConnection();
    new ResponseWriter(serve(GET_DATA), false, NATIVE_TEXT, PROBE_RPATTERNS).pump(c);
    return c.bytes;
  },
  "probe-writer-only": () => {
    const c = new WireConnection();
    new ResponseWriter(PROBE_RESPONSE!, false, NATIVE_TEXT, PROBE_RPATTERNS).pump(c);
    return c.bytes;
  },
  "floor-page": () => {
    let out = "";
    let bytes = 0;
    for (const fragment of floorFragments) {
      if (typeof fragment === "string") out += fragment;
      else bytes += fragment.byteLength;
    }
    return out.length + bytes;
  },
});

function serve(req: HttpRequest): HttpResponse {
  if (!app) throw new Error("boot first: the app has not started its server");
  return app.handle(req);
}

/** The entries a benchmark puts in the data store: sensor-like keys and string values. */
function entry(i: number): [string, string] {
  return [`sensor_${i}`, `${20 + (i % 10)}.${i % 7} °C`];
}

async function boot(): Promise<unknown> {
  bindHost(host);
  // main.ts keeps its manager to itself, and the data sections need its store: the first
  // DataStore.set() during the app's top level (its "Key 0") names the store, then set() is
  // restored. Nothing else is changed, so what is measured is the app as the device runs it.
  // The manager's handle() is the HTTP application: run() names the manager the same way.
  const run = Object.getOwnPropertyDescriptor(IotManager.prototype, "run")!;
  Object.defineProperty(IotManager.prototype, "run", {
    ...run,
    value: function (this: IotManager) {
      const manager = this;
      app ??= manager;
      return (run.value as IotManager["run"]).apply(this);
    },
  });
  const set = Object.getOwnPropertyDescriptor(DataStore.prototype, "set")!;
  Object.defineProperty(DataStore.prototype, "set", {
    ...set,
    value: function (this: DataStore, ...args: Parameters<DataStore["set"]>) {
      data ??= this;
      return (set.value as DataStore["set"]).apply(this, args);
    },
  });
  try {
    // The demo app itself: its top level creates the manager and calls run().
    await import("../../main");
  } finally {
    Object.defineProperty(DataStore.prototype, "set", set);
    Object.defineProperty(IotManager.prototype, "run", run);
  }
  // A minute of the device's life: the WiFi joins, the demo's task runs every 3 s.
  await clock.advance(60_000);
  const status = app?.status() as { network?: unknown } | undefined;
  return { ok: app !== undefined && data !== undefined, entries: data?.size, network: status?.network, features: Object.keys(status ?? {}) };
}

/** The features a budget boot can switch: the feature list's, and the persistent variables an app adds. */
const LISTED_FEATURES: readonly string[] = Object.freeze(["wifi", "ota", "metrics", "mqtt", "alexa", "time", "mdns"]);

/**
 * A manager on the current host running only `features`, as the demo makes it (title, CSS, OTA
 * URL, version; the five data entries and its config key) but without its task, and a minute of
 * virtual time passed: a feature's idle cost is this with it minus this without it, each boot in
 * an engine of its own (XS interns property names for good, so a second boot would look cheaper).
 */
async function bootBudget(features: readonly string[]): Promise<unknown> {
  bindHost(host);
  const switches: Record<string, false> = {};
  for (const name of LISTED_FEATURES) if (!features.includes(name)) switches[name] = false;
  const manager = new IotManager({ title: "IoT Demo Controller", useCss: true, otaUrl: "http://10.1.1.10:8080/firmware.bin", version: "1.0.0", ...switches }, host);
  if (features.includes("variables")) {
    const { persistentVariablesFeature } = await import("../../modules/persistent/persistent-variables-feature");
    const { PersistentInteger } = await import("../../modules/persistent/persistent-integer");
    const { PersistentBoolean } = await import("../../modules/persistent/persistent-boolean");
    const { PersistentString } = await import("../../modules/persistent/persistent-string");
    manager.addFeature(
      persistentVariablesFeature([
        new PersistentInteger("threshold", { storage: host.storage, default: 20, label: "Threshold" }),
        new PersistentBoolean("enabled", { storage: host.storage, default: true, label: "Enabled" }),
        new PersistentString("greeting", { storage: host.storage, default: "hello", label: "Greeting" }),
      ]),
    );
  }
  if (features.includes("alexa")) {
    // The demo's lamp: two persistent variables behind one Hue light.
    const { PersistentBoolean } = await import("../../modules/persistent/persistent-boolean");
    const { PersistentRange } = await import("../../modules/persistent/persistent-range");
    const lamp = new PersistentBoolean("lamp", { storage: host.storage, default: false });
    const level = new PersistentRange("level", { storage: host.storage, min: 0, max: 100, step: 1, default: 50 });
    manager.alexa.expose("Desk lamp", { on: lamp, brightness: level });
  }
  manager.configAdd({ "60_CUSTOM_CONFIG": "Counter" });
  for (let i = 0; i < 5; i++) manager.data.set(`Key ${i}`, `${i}`);
  app = manager;
  data = manager.data;
  void manager.run();
  await clock.advance(60_000);
  // status(), not GET /api/status: that one wants a Host naming the device.
  const status = manager.status();
  return { ok: true, features: Object.keys(status), network: status.network };
}

/** Connections held open by conn-open, until conn-drop. */
const held: WireConnection[] = [];

/**
 * The bytes of a request that has reached `stage` and stops just short of its limit (no line
 * end, no blank line, the body one byte short): what a connection can make the server hold.
 * Headers: names the parser keeps (KEPT_HEADERS), so their values are held, not dropped.
 */
function stageBytes(stage: ConnectionStage): Uint8Array | undefined {
  const l = HTTP_LIMITS;
  switch (stage) {
    case "idle":
      return undefined;
    case "request-line":
      return encoder.encode(`GET /${"a".repeat(l.maxRequestLineBytes - 8)}`);
    case "headers": {
      const names = ["User-Agent", "Accept", "Accept-Language", "Accept-Encoding", "Cookie", "Referer", "Cache-Control"];
      const each = Math.floor((l.maxHeaderBytes - 64) / names.length) - 20;
      let head = "GET /data HTTP/1.1\r\nHost: 192.168.1.23\r\n";
      for (const name of names) head += `${name}: ${"v".repeat(each)}\r\n`;
      return encoder.encode(head);
    }
    case "body": {
      const head = `POST /api/config HTTP/1.1\r\nHost: 192.168.1.23\r\nContent-Type: application/json\r\nContent-Length: ${l.maxBodyBytes}\r\n\r\n`;
      return encoder.encode(head + " ".repeat(l.maxBodyBytes - 1));
    }
  }
}

function run(command: XsCommand): unknown {
  const iterations = command.iterations ?? 1;
  switch (command.op) {
    case "requests": {
      const n = command.n ?? 0;
      let bytes = 0;
      for (let i = 0; i < n; i++) bytes += consume(serve(REQUESTS[i % REQUESTS.length]));
      return { ok: true, bytes };
    }
    case "wire-figures": {
      // What the server hands the socket for one GET / and one GET /data: writes and their sizes.
      const figures = (c: WireConnection) => ({ writes: c.writes, bytes: c.bytes, largest: c.largest, smallest: c.smallest, closed: c.closed });
      const page = figures(wire.exchange(PAGE_BYTES));
      const body = serve(GET_PAGE).body;
      let fragments = 0;
      let fragmentBytes = 0;
      if (body !== undefined && typeof body !== "string" && !(body instanceof Uint8Array) && !isHttpStream(body))
        for (const fragment of body) {
          fragments++;
          fragmentBytes += fragment.length;
        }
      return { ok: true, page, data: figures(wire.exchange(DATA_BYTES)), fragments, fragmentBytes };
    }
    case "conn-open": {
      const connection = wire.open();
      const bytes = stageBytes(command.stage ?? "idle");
      if (bytes) connection.events!.data(bytes);
      held.push(connection);
      return { ok: !connection.closed, writes: connection.writes };
    }
    case "conn-drop": {
      // The peer goes away: the server lets go of everything the connection held.
      for (const connection of held.splice(0)) connection.events!.closed();
      return { ok: true };
    }
    case "clear-data":
      requireData().clear();
      return { ok: true };
    case "fill-data": {
      const store = requireData();
      for (let i = command.from ?? 0; i < (command.n ?? 0); i++) {
        const [key, value] = entry(i);
        store.set(key, value);
      }
      return { ok: true, size: store.size };
    }
    case "prepare-floors": {
      PROBE_RESPONSE = serve(GET_DATA);
      // The floors are made from exactly what the framework serves, outside any measured crank.
      floorObject = {};
      for (const [key, value] of requireData()) floorObject[key] = value as string;
      const page = serve(GET_PAGE).body;
      floorFragments = typeof page === "string" || page === undefined || page instanceof Uint8Array ? [] : [...(page as Iterable<string>)];
      const served = serve(GET_DATA).body;
      return {
        ok: true,
        entries: requireData().size,
        dataSame: served === JSON.stringify(floorObject),
        dataBytes: typeof served === "string" ? served.length : -1,
        pageBytes: floorFragments.reduce((n, f) => n + (typeof f === "string" ? encoder.encode(f).length : f.byteLength), 0),
        pageFragments: floorFragments.length,
      };
    }
    case "meter": {
      // Fixed iterations: the parent reads this crank's compute from the meter.
      const fn = WORK[command.work!];
      let n = 0;
      for (let i = 0; i < iterations; i++) n += fn();
      return { ok: true, n };
    }
    case "profile-page":
      return profilePage(command.iterations ?? 20);
    case "probe": {
      // A piece of GET /data alone (bench/xs/profile-data.ts): the probes are made on the first.
      probes ??= dataProbes({
        text: NATIVE_TEXT,
        dataBytes: DATA_BYTES,
        serve,
        getData: GET_DATA,
        exchange: (bytes) => wire.exchange(bytes).bytes,
        connection: () => new WireConnection(),
        clock,
        events: (app as IotManager).events,
        app: app as IotManager,
        requests: [...REQUESTS, GET_ASSET],
      });
      if (command.probe === undefined) return { ok: true, probes: Object.keys(probes) };
      const fn = probes[command.probe];
      if (!fn) throw new Error(`no probe ${command.probe}`);
      let n = 0;
      const begin = now();
      for (let i = 0; i < iterations; i++) n += fn();
      return { ok: true, n, ms: now() - begin };
    }
    case "meter-page-prefix": {
      // The page's first n fragments, produced (not joined): the parent takes differences of
      // consecutive n to weigh each fragment with the meter.
      let chars = 0;
      for (let i = 0; i < iterations; i++) chars += pagePrefix(command.n ?? 0);
      return { ok: true, chars };
    }
    case "time": {
      // Wall-clock time in XS, iterating until `ms` have passed: real, but not deterministic.
      const fn = WORK[command.work!];
      const budget = command.ms ?? 100;
      const begin = now();
      let count = 0;
      let elapsed = 0;
      do {
        for (let i = 0; i < 10; i++) fn();
        count += 10;
        elapsed = now() - begin;
      } while (elapsed < budget);
      return { ok: true, count, ms: elapsed };
    }
    default:
      return otaRun(command);
  }
}

/**
 * Where GET / spends its time, by fragment: wall-clock µs inside XS of each iterator step (what
 * producing that fragment cost), summed over `rounds` pages and grouped by the fragment's first
 * characters; plus the handler before the first fragment and the UTF-8 encoding of the whole.
 * The meter cannot be read inside a crank, so this is time only: it names the costly parts, the
 * meter figures above say how much they weigh.
 */
function profilePage(rounds: number): unknown {
  const groups = new Map<string, { us: number; count: number; chars: number }>();
  const add = (label: string, us: number, chars: number): void => {
    const g = groups.get(label) ?? { us: 0, count: 0, chars: 0 };
    g.us += us;
    g.count++;
    g.chars += chars;
    groups.set(label, g);
  };
  let total = 0;
  let labels: string[] = [];
  for (let r = 0; r < rounds; r++) {
    labels = [];
    const begin = now();
    const response = serve(GET_PAGE);
    const handled = now();
    add("(handler: route, page model)", (handled - begin) * 1000, 0);
    const body = response.body;
    if (body === undefined || typeof body === "string" || body instanceof Uint8Array || isHttpStream(body)) throw new Error("GET / is not a fragment stream");
    const iterator = body[Symbol.iterator]();
    const parts: string[] = [];
    for (;;) {
      const t0 = now();
      const step = iterator.next();
      const t1 = now();
      if (step.done) break;
      const text = typeof step.value === "string" ? step.value : decoder.decode(step.value);
      parts.push(text);
      const quote = text.indexOf('"');
      const label = text.slice(0, Math.min(quote > 0 ? quote : 28, 28));
      labels.push(label);
      add(label, (t1 - t0) * 1000, text.length);
    }
    const e0 = now();
    encoder.encode(parts.join(""));
    add("(UTF-8 encoding of the whole page)", (now() - e0) * 1000, 0);
    total += (now() - begin) * 1000;
  }
  const rows = [...groups].map(([label, g]) => ({ label, us: g.us / rounds, perPage: g.count / rounds, chars: g.chars / rounds }));
  rows.sort((a, b) => b.us - a.us);
  return { ok: true, totalUs: total / rounds, rows, labels };
}

/** Produces the page's first n fragments (n = 0: the handler alone); their length, so nothing is skipped. */
function pagePrefix(n: number): number {
  const body = serve(GET_PAGE).body;
  if (body === undefined || typeof body === "string" || body instanceof Uint8Array || isHttpStream(body)) return 0;
  const iterator = body[Symbol.iterator]();
  let chars = 0;
  for (let i = 0; i < n; i++) {
    const step = iterator.next();
    if (step.done) break;
    chars += typeof step.value === "string" ? step.value.length : step.value.byteLength;
  }
  iterator.return?.();
  return chars;
}

function requireData(): DataStore {
  if (!data) throw new Error("the data store is not known yet (boot first)");
  return data;
}

function reply(value: unknown): ArrayBuffer {
  const bytes = encoder.encode(JSON.stringify(value));
  return bytes.buffer.byteLength === bytes.byteLength ? (bytes.buffer as ArrayBuffer) : (bytes.slice().buffer as ArrayBuffer);
}

/** Initialises the core's modules (what the device preloads into flash) without starting anything. */
async function load(device: boolean): Promise<unknown> {
  // The host first: it stands for the device's natives, which are not the framework's memory.
  if (device) host = deviceHost();
  await import("../../modules/manager");
  // The preloaded modules the manager does not import: the persistent variables an app makes
  // (main.ts's lamp, a budget boot's variables). The device has them in flash before main runs.
  await import("../../modules/persistent/persistent-variables-feature");
  await import("../../modules/persistent/persistent-boolean");
  await import("../../modules/persistent/persistent-float");
  await import("../../modules/persistent/persistent-hex");
  await import("../../modules/persistent/persistent-integer");
  await import("../../modules/persistent/persistent-json");
  await import("../../modules/persistent/persistent-list");
  await import("../../modules/persistent/persistent-range");
  await import("../../modules/persistent/persistent-rgb");
  await import("../../modules/persistent/persistent-set");
  await import("../../modules/persistent/persistent-string");
  return { ok: true };
}

// ---- OTA on XS: the core's OtaJob and SlotUpdater, fed an image one TCP-sized fragment at a time.

/** The image the parent sent (binary command "IMG:" + bytes); allocated before any measuring point. */
let image: Uint8Array | undefined;

/**
 * Flash, not RAM: the written slot is "read back" from the source image, which the download
 * delivered byte for byte, so the partition costs no heap, as on the device.
 */
class FlashPartitions implements PartitionStore {
  readonly size: number;
  readonly #source: Uint8Array;
  readonly #lengths = [-1, -1];
  constructor(source: Uint8Array, size: number) {
    this.#source = source;
    this.size = size;
  }
  length(slot: Slot): number {
    return this.#lengths[slot];
  }
  read(slot: Slot, offset: number, into: Uint8Array): number {
    const n = Math.max(0, Math.min(into.length, this.#lengths[slot] - offset));
    if (n > 0) into.set(this.#source.subarray(offset, offset + n));
    return n;
  }
  append(slot: Slot, bytes: Uint8Array): void {
    this.#lengths[slot] = Math.max(0, this.#lengths[slot]) + bytes.length;
  }
  erase(slot: Slot): void {
    this.#lengths[slot] = 0;
  }
}

/** A client that hands the job the image when told to, from one reused 1460-byte buffer (a TCP segment). */
class FeedingClient implements HttpClient {
  handler: HttpDownloadHandler | undefined;
  get(_options: unknown, handler: HttpDownloadHandler): { abort(): void } {
    this.handler = handler;
    return { abort: () => (this.handler = undefined) };
  }
}

const FRAGMENT_BYTES = 1460;
let ota: { job: OtaJob; client: FeedingClient; buffer: Uint8Array; sent: number; responded: boolean } | undefined;

function otaRun(command: XsCommand): unknown {
  switch (command.op) {
    case "ota-prepare": {
      if (!image) throw new Error("no image: send it first");
      const client = new FeedingClient();
      const updater = new SlotUpdater({
        store: new FlashPartitions(image, Math.ceil(image.length / 65536) * 65536 + 65536),
        storage: new MemoryStorage(),
        factory: { project: command.project ?? "", version: "0.0.1" },
      });
      const job = new OtaJob({ updater, client, clock });
      ota = { job, client, buffer: new Uint8Array(FRAGMENT_BYTES), sent: 0, responded: false };
      return { ok: true };
    }
    case "ota-start":
      requireOta().job.start({ url: "http://192.168.1.10:8080/firmware.bin" });
      return { ok: true, state: requireOta().job.state };
    case "ota-feed": {
      const o = requireOta();
      const source = image!;
      const handler = o.client.handler;
      if (!handler) throw new Error(`the job did not start a download (${o.job.status().error})`);
      if (!o.responded) {
        o.responded = true;
        handler.response({ status: 200, contentLength: source.length });
      }
      const upTo = Math.min(source.length, command.upTo ?? source.length);
      while (o.sent < upTo) {
        const n = Math.min(FRAGMENT_BYTES, source.length - o.sent);
        o.buffer.set(source.subarray(o.sent, o.sent + n));
        handler.data(n === FRAGMENT_BYTES ? o.buffer : o.buffer.subarray(0, n));
        o.sent += n;
      }
      if (o.sent >= source.length && o.client.handler) {
        handler.end();
        // complete() runs from a 0 ms timer, so a status request can see "verifying" first.
        clock.run(1);
      }
      const status = o.job.status();
      return { ok: status.state !== "failed", error: status.error, state: status.state, received: status.received, sent: o.sent };
    }
    case "idle-drop":
      idle?.iot.stop();
      idle?.server.close();
      idle = undefined;
      return { ok: true };
    case "ota-drop":
      ota?.job.stop();
      ota = undefined;
      image = undefined;
      return { ok: true };
    default:
      throw new Error(`unknown command ${JSON.stringify(command.op)}`);
  }
}

function requireOta(): NonNullable<typeof ota> {
  if (!ota) throw new Error("ota-prepare first");
  return ota;
}

const IMAGE_TAG = [0x49, 0x4d, 0x47, 0x3a]; // "IMG:"

// ---- Time and names at rest: a manager with the time and/or mDNS features on a host with UDP,
// a station address and a time server that answers, synced and claimed, then idle.

const STATION: NetworkStatus = Object.freeze({ mode: "station", ssid: "Home", ip: "192.168.1.23", ntpServers: Object.freeze(["127.0.0.1:123"]) });
const NTP_TIME = Date.UTC(2027, 0, 1);
let idle: { iot: IotManager; server: ScriptedServer } | undefined;

async function idleFeatures(features: { time?: boolean; mdns?: boolean }): Promise<unknown> {
  const udp = new QuietUdp();
  const idleHost: Host = { ...plainHost(), udp, wallClock: new VirtualWallClock(clock, 0), network: { status: () => STATION } };
  // The server is there in every run, measured or not: its cost cancels out of the differences.
  const server = scriptedNtpServer(udp, 123, (q) => ntpReply(q, { timeMs: NTP_TIME + clock.now() }));
  const iot = new IotManager({ title: "idle", version: "1.0.0", wifi: false, ota: false, metrics: false, time: features.time ? {} : false, mdns: features.mdns ? {} : false }, idleHost);
  if (features.time) iot.config.set("ntp_servers", "");
  void iot.run();
  idle = { iot, server };
  await clock.advance(60_000);
  const status = iot.status() as { time?: { valid?: boolean }; mdns?: { state?: string } };
  return { ok: true, timeValid: status.time?.valid ?? null, mdns: status.mdns?.state ?? null };
}

/** The outcome of the last asynchronous command (load, boot), read by the "result" command. */
let settled: unknown;

xs.handleCommand = (message: ArrayBuffer): ArrayBuffer | undefined => {
  const head = new Uint8Array(message, 0, Math.min(4, message.byteLength));
  if (head.length === 4 && IMAGE_TAG.every((b, i) => head[i] === b)) {
    // A view on the message: XS keeps the buffer, no copy.
    image = new Uint8Array(message, 4);
    return reply({ ok: true, bytes: image.length });
  }
  const command = JSON.parse(decoder.decode(message)) as XsCommand;
  if (command.op === "gc") {
    // Nothing may be allocated after this in the crank: xsnap reads currentHeapCount at its end.
    xs.gc();
    return undefined;
  }
  try {
    if (command.op === "result") return reply(settled ?? { ok: false, error: "the last command never settled" });
    if (command.op === "load" || command.op === "boot" || command.op === "boot-budget" || command.op === "idle-features") {
      // It settles within this crank (xsnap drains the promise queue before it answers); the
      // next command reads the outcome, so this crank allocates nothing for a reply.
      settled = undefined;
      const work =
        command.op === "load"
          ? load(command.device === true)
          : command.op === "boot"
            ? boot()
            : command.op === "boot-budget"
              ? bootBudget(command.budget ?? [])
              : idleFeatures(command.features ?? {});
      void work.then(
        (value) => (settled = value),
        (e: unknown) => (settled = { ok: false, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) }),
      );
      return undefined;
    }
    return reply(run(command));
  } catch (e) {
    return reply({ ok: false, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
  }
};
