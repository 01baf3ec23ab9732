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
import type { HttpHandler, HttpRequest, HttpResponse } from "../../modules/http/http-message";
import { IotManager } from "../../modules/manager";
import { WIFI_SETTINGS } from "../../modules/wifi/wifi-feature";
import type { Slot } from "../../hosts/simulated/boot-record";
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

const xs = globalThis as unknown as {
  gc(): void;
  TextEncoder: new () => { encode(text: string): Uint8Array };
  TextDecoder: new () => { decode(bytes: ArrayBuffer | Uint8Array): string };
  handleCommand?: (message: ArrayBuffer) => ArrayBuffer | undefined;
};

const encoder = new xs.TextEncoder();
const decoder = new xs.TextDecoder();

/** The measured operations: the framework's and its floor's, for GET /data and for the page. */
export type Work = "serve-data" | "floor-data" | "serve-page" | "floor-page";

/** What a command asks for; `iterations` repeats the measured work inside one crank. */
export interface XsCommand {
  op:
    | "gc"
    | "load"
    | "boot"
    | "result"
    | "requests"
    | "clear-data"
    | "fill-data"
    | "prepare-floors"
    | "meter"
    | "time"
    | "ota-prepare"
    | "ota-start"
    | "ota-feed"
    | "ota-drop"
    | "idle-features"
    | "idle-drop";
  /** idle-features: which of the two features the manager runs. */
  features?: { time?: boolean; mdns?: boolean };
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
let handler: HttpHandler | undefined;
const clock = new VirtualClock();
let host: Host = plainHost();

function plainHost(): Host {
  return {
    storage: new MemoryStorage(),
    clock,
    // trace() on the device keeps nothing; neither does this.
    log: { write: () => undefined },
    system: { info: () => ({ mac: "24:0a:c4:12:34:56", platform: "xs-bench" }), restart: () => undefined },
    tcp: new MemoryTcp(),
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

let data: DataStore | undefined;
let floorObject: Record<string, string> = {};
let floorFragments: string[] = [];

/** Reads a response body whole, the way a host walks it to write it to a socket. */
function consume(response: HttpResponse): number {
  const body = response.body;
  if (body === undefined) return 0;
  if (typeof body === "string") return body.length;
  if (body instanceof Uint8Array) return body.byteLength;
  let out = "";
  for (const fragment of body as Iterable<string>) out += fragment;
  return out.length;
}

const performance = (globalThis as unknown as { performance: { now(): number } }).performance;
const now = (): number => performance.now();

/** Each returns the length of what it produced, so no engine could skip the work. */
const WORK: Readonly<Record<Work, () => number>> = Object.freeze({
  "serve-data": () => consume(serve(GET_DATA)),
  "floor-data": () => JSON.stringify(floorObject).length,
  "serve-page": () => consume(serve(GET_PAGE)),
  "floor-page": () => {
    let out = "";
    for (const fragment of floorFragments) out += fragment;
    return out.length;
  },
});

function serve(req: HttpRequest): HttpResponse {
  if (!handler) throw new Error("boot first: the app has not started its server");
  return handler(req);
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
      handler ??= (req) => manager.handle(req);
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
  const status = handler ? JSON.parse(String(handler(request("GET", "/api/status")).body)) : undefined;
  return { ok: handler !== undefined && data !== undefined, entries: data?.size, network: status?.network, features: Object.keys(status ?? {}) };
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
        pageBytes: floorFragments.join("").length,
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
    if (command.op === "load" || command.op === "boot" || command.op === "idle-features") {
      // It settles within this crank (xsnap drains the promise queue before it answers); the
      // next command reads the outcome, so this crank allocates nothing for a reply.
      settled = undefined;
      void (command.op === "load" ? load(command.device === true) : command.op === "boot" ? boot() : idleFeatures(command.features ?? {})).then(
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
