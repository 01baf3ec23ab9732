/*
 * The XS side of bench/xs/idle-steps.ts: where a manager's idle heap goes, one step per crank.
 *
 * Adds one command to xs-bench-app.ts's handleCommand: {"op":"step","step":"<name>"} runs one of
 * STEPS below and keeps what it made (in `keep`), so the parent reads live slots and chunk bytes
 * between steps. Steps: the manager's life (new-manager, app-setup, run, advance), the parts its
 * constructor makes, one at a time, with stand-ins for the callbacks the manager would pass
 * (logring ... server, reqpat, respat), and probes that price one kind of thing ten or twelve
 * times (closures, bound functions, empty Map/Set/array/object, routes, #private methods).
 * Steps named time-* answer a timing instead. A host of its own, plain (no radio, no updater):
 * xs-bench-app.ts's "load" command still builds the bench's device host when a sequence asks.
 */
import "./xs-bench-app";
import { bindHost, type Host } from "../../modules/host/host";
import { IotManager } from "../../modules/manager";
import { MemoryStorage } from "../../tests/support/memory-storage";
import { VirtualClock } from "../../tests/support/virtual-clock";
import type { Tcp, TcpConnection, TcpListener, TcpListenOptions } from "../../modules/host/tcp";
import { LogRing } from "../../modules/log/log-ring";
import { Logger } from "../../modules/log/logger";
import { Events } from "../../modules/events";
import { Config } from "../../modules/config/config";
import { DeviceClock, OffsetWallClock } from "../../modules/clock/device-clock";
import { AdminAuth, AUTH_LIMITS } from "../../modules/auth/admin-auth";
import { Sha256 } from "../../modules/crypto/sha256";
import { TaskRunner } from "../../modules/tasks/task-runner";
import { Router } from "../../modules/http/router";
import { addWebRoutes } from "../../modules/web/web-routes";
import { DataStore } from "../../modules/data/data-store";
import { HttpServer } from "../../modules/http/http-server";
import { LiveFeature } from "../../modules/live/live-feature";
import { requestPatterns, KEPT_HEADERS } from "../../modules/http/request-parser";
import { responsePatterns } from "../../modules/http/response-writer";
import { HTTP_LIMITS } from "../../modules/http/limits";
import { NoticeBoard } from "../../modules/http/form-answer";
import { AtomicRecord } from "../../modules/storage/atomic-record";
import { JS_TEXT_CODEC } from "../../modules/text/js-text-codec";
import { decoder, encoder, xsnap as xs } from "../../tests/xs/xsnap-globals";

const clock = new VirtualClock();
class StubTcp implements Tcp {
  listen(_o: TcpListenOptions, _c: (c: TcpConnection) => void): TcpListener {
    return { ready: Promise.resolve({ host: "0.0.0.0", port: 80 }), close: () => undefined };
  }
  connect(): TcpConnection {
    throw new Error("no");
  }
}
const TEXT = Object.freeze({ encode: (t: string) => encoder.encode(t), decode: (b: Uint8Array) => decoder.decode(b) });
const host: Host = {
  storage: new MemoryStorage(),
  clock,
  log: { write: () => undefined },
  system: { info: () => ({ mac: "24:0a:c4:12:34:56", platform: "xs-bench" }), restart: () => undefined },
  tcp: new StubTcp(),
  text: TEXT,
};
bindHost(host);
const keep: Record<string, unknown> = {};
const OFF = { wifi: false, ota: false, metrics: false, mqtt: false, alexa: false, time: false, mdns: false } as const;
const OPTS = { title: "IoT Demo Controller", useCss: true, otaUrl: "http://10.1.1.10:8080/firmware.bin", version: "1.0.0" };

class Probe {
  go(r: unknown): unknown {
    return r;
  }
}
class PrivM {
  #a() { return 1; } #b() { return 2; } #c() { return 3; } #d() { return 4; } #e() { return 5; }
  #f() { return 1; } #g() { return 2; } #h() { return 3; } #i() { return 4; } #j() { return 5; }
  all() { return this.#a() + this.#b() + this.#c() + this.#d() + this.#e() + this.#f() + this.#g() + this.#h() + this.#i() + this.#j(); }
}
class PubM {
  a() { return 1; } b() { return 2; } c() { return 3; } d() { return 4; } e() { return 5; }
  f() { return 1; } g() { return 2; } h() { return 3; } i() { return 4; } j() { return 5; }
}
const STEPS: Record<string, () => unknown> = {
  noop: () => undefined,
  "new-manager": () => (keep.m = new IotManager({ ...OPTS, ...OFF }, host)),
  "new-manager-nolive": () => (keep.m = new IotManager({ ...OPTS, ...OFF, live: false }, host)),
  "app-setup": () => {
    const m = keep.m as IotManager;
    m.configAdd({ "60_CUSTOM_CONFIG": "Counter" });
    for (let i = 0; i < 5; i++) m.data.set(`Key ${i}`, `${i}`);
  },
  run: () => void (keep.m as IotManager).run(),
  advance: () => clock.advance(60_000),
  // Pieces of the constructor, one at a time.
  logring: () => (keep.logs = new LogRing(host.log, { bytes: 2048, text: TEXT, now: () => clock.now() })),
  logger: () => (keep.log = new Logger(keep.logs as LogRing, false)),
  events: () => (keep.events = new Events(() => undefined)),
  dclock: () => (keep.dclock = new DeviceClock(new OffsetWallClock(), () => undefined)),
  config: () => (keep.config = new Config(host.storage, { hostname: "iot-123456" }, { hash: (c) => c, matches: () => true })),
  auth: () => (keep.auth = new AdminAuth(keep.config as Config, clock, () => new Sha256(), AUTH_LIMITS)),
  tasks: () => (keep.tasks = new TaskRunner(clock, (keep.log as Logger).child("task"), () => undefined)),
  data: () => (keep.data = new DataStore()),
  router: () => (keep.router = new Router()),
  webroutes: () =>
    (keep.notices = addWebRoutes(keep.router as Router, {
      config: keep.config as Config,
      data: keep.data as DataStore,
      pageModel: () => ({}) as never,
      status: () => ({}),
      features: () => [],
      restartSoon: () => undefined,
      factoryReset: () => [],
      canRestart: () => true,
    })),
  live: () => (keep.live = new LiveFeature()),
  reqpat: () => (keep.rp = requestPatterns([])),
  respat: () => (keep.wp = responsePatterns()),
  limits: () => (keep.lim = Object.freeze({ ...HTTP_LIMITS })),
  notice: () => (keep.nb = new NoticeBoard()),
  closures12: () => (keep.c12 = [1,2,3,4,5,6,7,8,9,10,11,12].map((i) => (r: unknown) => [r, keep, i])),
  arrows12: () => {
    const a = keep; const out: unknown[] = [];
    out.push(() => a, () => a, () => a, () => a, () => a, () => a, () => a, () => a, () => a, () => a, () => a, () => a);
    keep.a12 = out;
  },
  routes12: () => {
    const r = new Router(); const h = () => ({ status: 200, headers: {}, body: "" });
    for (let i = 0; i < 12; i++) r.add("GET", `/p${i}`, h);
    keep.r12 = r;
  },
  "time-patterns": () => {
    const perf = (globalThis as unknown as { performance: { now(): number } }).performance;
    const begin = perf.now();
    for (let i = 0; i < 2000; i++) {
      requestPatterns([]);
      responsePatterns();
    }
    return { us: ((perf.now() - begin) / 2000) * 1000 };
  },
  sets10: () => (keep.s10 = Object.freeze([new Set(), new Set(), new Set(), new Set(), new Set(), new Set(), new Set(), new Set(), new Set(), new Set()])),
  maps10: () => (keep.m10 = Object.freeze([new Map(), new Map(), new Map(), new Map(), new Map(), new Map(), new Map(), new Map(), new Map(), new Map()])),
  arrs10: () => (keep.a10 = Object.freeze([[], [], [], [], [], [], [], [], [], []])),
  objs10: () => (keep.o10 = Object.freeze([{}, {}, {}, {}, {}, {}, {}, {}, {}, {}])),
  frozen10: () => (keep.f10 = Object.freeze([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])),
  binds10: () => {
    const t = new Probe();
    keep.b10 = Object.freeze([t.go.bind(t), t.go.bind(t), t.go.bind(t), t.go.bind(t), t.go.bind(t), t.go.bind(t), t.go.bind(t), t.go.bind(t), t.go.bind(t), t.go.bind(t)]);
  },
  arrows10: () => {
    const t = new Probe();
    keep.r10 = Object.freeze([(r: unknown) => t.go(r), (r: unknown) => t.go(r), (r: unknown) => t.go(r), (r: unknown) => t.go(r), (r: unknown) => t.go(r), (r: unknown) => t.go(r), (r: unknown) => t.go(r), (r: unknown) => t.go(r), (r: unknown) => t.go(r), (r: unknown) => t.go(r)]);
  },
  privm: () => (keep.pm = new PrivM()),
  privm2: () => (keep.pm2 = new PrivM()),
  privcall: () => void (keep.pm as PrivM).all(),
  privcall2: () => void (keep.pm2 as PrivM).all(),
  pubm: () => (keep.um = new PubM()),
  re5: () => (keep.re5 = Object.freeze([/^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) ([\x21-\x7e]+) (HTTP\/[0-9]\.[0-9])$/,
    /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, /[\x00-\x08\x0a-\x1f\x7f\u2028\u2029]/, /^[hH][tT][tT][pP][sS]?:\/\/([^/?#]*)([^#]*)/, /^[0-9]{1,10}$/])),
  re1line: () => (keep.re1 = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) ([\x21-\x7e]+) (HTTP\/[0-9]\.[0-9])$/),
  sets4: () => (keep.sets4 = Object.freeze([new Set(KEPT_HEADERS), new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]), new Set(["CONNECT", "TRACE"]), new Set(["host", "content-length", "content-type", "authorization", "origin"])])),
  "config-nodefaults": () => (keep.config2 = new Config(host.storage, {}, { hash: (c) => c, matches: () => true })),
  record: () => (keep.rec = new AtomicRecord(host.storage, "cfg", "config")),
  webpaths: () => {
    const r = keep.router as Router; const h = () => ({ status: 200, headers: {}, body: "" });
    for (const p of ["/", "/app.css", "/app.js", "/data", "/api/config", "/api/status"]) r.add("GET", p, h);
    for (const p of ["/api/config", "/config", "/api/reboot", "/restart", "/api/factory-reset", "/factory-reset"]) r.add("POST", p, h);
  },
  noticeboard: () => (keep.nb2 = new NoticeBoard()),
  server: () => {
    const s = new HttpServer({ tcp: host.tcp, clock, text: TEXT, log: (keep.log as Logger).child("http"), onAnswer: () => undefined, requestHeaders: [] });
    keep.service = s.serve({ port: 80 }, () => ({ status: 200, headers: {}, body: "" }));
  },
};
void JS_TEXT_CODEC;

const original = xs.handleCommand!;
xs.handleCommand = (message: ArrayBuffer): ArrayBuffer | undefined => {
  const text = decoder.decode(message);
  if (text.startsWith("{\"op\":\"step\"")) {
    const { step } = JSON.parse(text) as { step: string };
    try {
      const r = STEPS[step]();
      if (r instanceof Promise) void r.catch(() => undefined);
      else if (step.startsWith("time-")) return encoder.encode(JSON.stringify(r)).buffer as ArrayBuffer;
    } catch (e) {
      return encoder.encode(JSON.stringify({ ok: false, error: String(e) })).buffer as ArrayBuffer;
    }
    return undefined;
  }
  return original(message);
};
