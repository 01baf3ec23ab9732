/*
 * Probes for bisecting GET /data's meter on XS (bench/xs/profile-data.ts runs them): each a
 * small piece of the request path, or an engine primitive it uses, timed alone with the meter.
 * Made once per engine, after boot; every probe returns a number so no work can be skipped.
 */

import { isToken, RequestParser, requestPatterns } from "../../modules/http/request-parser";
import { ResponseWriter, responsePatterns } from "../../modules/http/response-writer";
import { HTTP_LIMITS } from "../../modules/http/limits";
import type { HttpRequest, HttpResponse } from "../../modules/http/http-message";
import { JSON_HEADERS } from "../../modules/http/response";
import type { TextCodec } from "../../modules/host/text-codec";
import type { TcpConnection } from "../../modules/host/tcp";
import type { Clock } from "../../modules/host/clock";
import type { Events } from "../../modules/events";
import type { IotManager } from "../../modules/manager";

import { Router } from "../../modules/http/router";
import { HttpServer } from "../../modules/http/http-server";
import type { Tcp, TcpEvents, TcpListener } from "../../modules/host/tcp";
import { VirtualClock } from "../../tests/support/virtual-clock";

/** The least a Tcp can be: hands the server each connection a probe opens; writes are counted. */
class ProbeConnection implements TcpConnection {
  readonly remoteAddress = "192.168.1.50";
  events: TcpEvents | undefined;
  closed = false;
  bytes = 0;
  listen(events: TcpEvents): void {
    this.events = events;
  }
  writable(): number {
    return this.closed ? 0 : 5744;
  }
  write(a: Uint8Array, b?: Uint8Array): void {
    this.bytes += a.length + (b ? b.length : 0);
  }
  close(): void {
    this.closed = true;
  }
  abort(): void {
    this.closed = true;
  }
}

class ProbeTcp implements Tcp {
  accept: ((connection: TcpConnection) => void) | undefined;
  listen(_options: unknown, onConnection: (connection: TcpConnection) => void): TcpListener {
    this.accept = onConnection;
    return { ready: Promise.resolve({ host: "0.0.0.0", port: 80 }), close: () => undefined };
  }
  connect(): TcpConnection {
    throw new Error("no");
  }
}

const SET_BY_SERVER: readonly string[] = Object.freeze(["content-length", "transfer-encoding", "connection"]);

class Probe {
  #x = 1;
  read(): number {
    return this.#x;
  }
  #inner(): number {
    return this.#x;
  }
  viaMethod(): number {
    return this.#inner();
  }
  tried(): number {
    try {
      return this.#x;
    } catch {
      return 0;
    }
  }
}

class Fields {
  #a = 0; #b = 0; #c = 0; #d = 0; #e = 0; #f = 0; #g = 0;
  #h: number | undefined; #i: number | undefined; #j = ""; #k = ""; #l = false; #m = false; #n = 0;
  get sum(): number {
    return this.#a + this.#b + this.#c + this.#d + this.#e + this.#f + this.#g + (this.#h ?? 0) + (this.#i ?? 0) + this.#j.length + this.#k.length + (this.#l ? 1 : 0) + (this.#m ? 1 : 0) + this.#n;
  }
}

export interface ProbeContext {
  text: TextCodec;
  dataBytes: Uint8Array;
  serve(request: HttpRequest): HttpResponse;
  getData: HttpRequest;
  /** One whole exchange over the bench's wire: bytes in, bytes out. */
  exchange(bytes: Uint8Array): number;
  /** A fresh stand-in connection (counts what it is handed). */
  connection(): TcpConnection & { bytes: number };
  clock: Clock;
  events: Events;
  /** The demo's manager (its page's pieces are probed one by one) and the requests it is asked. */
  app: IotManager;
  requests: readonly HttpRequest[];
}

export function dataProbes(c: ProbeContext): Record<string, () => number> {
  const patterns = requestPatterns();
  const rpatterns = responsePatterns();
  const head = c.text.decode(c.dataBytes);
  const response = c.serve(c.getData);
  const set = new Set(["accept", "host", "user-agent", "content-length"]);
  const requestLine = "GET /data HTTP/1.1";
  const headerLine = "User-Agent: curl/8.5.0";
  const lines = ["Host: 192.168.1.23", "User-Agent: curl/8.5.0", "Accept: */*"];
  let sink = 0;
  const ptcp = new ProbeTcp();
  const pclock = new VirtualClock();
  const constant = Object.freeze({ status: 200, headers: JSON_HEADERS, body: "{}" }) as HttpResponse;
  new HttpServer({ tcp: ptcp, clock: pclock, text: c.text }).serve({ port: 80 }, () => constant);
  const open = (): ProbeConnection => {
    const k = new ProbeConnection();
    ptcp.accept!(k);
    return k;
  };
  const lineOnly = c.text.encode("GET /data HTTP/1.1\r\n");
  const lineHost = c.text.encode("GET /data HTTP/1.1\r\nHost: 192.168.1.23\r\n");
  const bare = c.text.encode("GET / HTTP/1.0\r\n\r\n");
  const hostOnlyText = "GET /data HTTP/1.1\r\nHost: 192.168.1.23\r\n\r\n";
  const simple = /GET/y;
  const klass = /[a-z]+/y;
  const letters = "abcdefghijklmnopqrst";
  const hostOnly = c.text.encode("GET /data HTTP/1.1\r\nHost: 192.168.1.23\r\n\r\n");
  const fiveDropped = c.text.encode("GET /data HTTP/1.1\r\nHost: 192.168.1.23\r\nX-A: 1\r\nX-B: 1\r\nX-C: 1\r\nX-D: 1\r\nX-E: 1\r\n\r\n");
  const fiveKept = c.text.encode("GET /data HTTP/1.1\r\nHost: 192.168.1.23\r\nAccept: 1\r\nReferer: 1\r\nCookie: 1\r\nRange: 1\r\nUpgrade: 1\r\n\r\n");
  const router = new Router();
  for (const path of ["/", "/app.css", "/app.js", "/data", "/api/config", "/api/status", "/api/reboot", "/config"]) router.add("GET", path, () => response);
  router.add("GET", "/api/:user/lights/:id", () => response);
  const trouter = new Router().addTable(Object.freeze(["GET", "/", "GET", "/app.css", "GET", "/app.js", "GET", "/data"]), () => response);
  const probe = new Probe();
  const noop = (): number => 0;
  const obj = { a: 1, b: 2 };
  return {
    "empty": () => 0,
    "compile requestPatterns()": () => (requestPatterns() ? 1 : 0),
    "server: new probe connection": () => (new ProbeConnection() ? 1 : 0),
    "server: accept, then peer gone": () => {
      const k = open();
      k.events!.closed();
      return 1;
    },
    "server: accept, data (constant answer)": () => {
      const k = open();
      k.events!.data(c.dataBytes);
      return k.bytes;
    },
    "parser: request line only": () => (new RequestParser(HTTP_LIMITS, c.text, patterns).push(lineOnly) ? 1 : 0),
    "parser: line + host, no blank": () => (new RequestParser(HTTP_LIMITS, c.text, patterns).push(lineHost) ? 1 : 0),
    "parser: HTTP/1.0, no headers": () => (new RequestParser(HTTP_LIMITS, c.text, patterns).push(bare) ? 1 : 0),
    "parser: host only": () => (new RequestParser(HTTP_LIMITS, c.text, patterns).push(hostOnly) ? 1 : 0),
    "parser: host + 5 dropped": () => (new RequestParser(HTTP_LIMITS, c.text, patterns).push(fiveDropped) ? 1 : 0),
    "parser: host + 5 kept": () => (new RequestParser(HTTP_LIMITS, c.text, patterns).push(fiveKept) ? 1 : 0),
    "head exec (curl's)": () => {
      const at = patterns.requestLine;
      at.lastIndex = 0;
      return at.exec(head) ? 1 : 0;
    },
    "head exec (host only)": () => {
      const at = patterns.requestLine;
      at.lastIndex = 0;
      return at.exec(hostOnlyText) ? 1 : 0;
    },
    "simple exec /GET/y": () => {
      const at = simple;
      at.lastIndex = 0;
      return at.exec(head) ? 1 : 0;
    },
    "class exec /[a-z]+/y on 20": () => {
      const at = klass;
      at.lastIndex = 0;
      return at.exec(letters) ? 1 : 0;
    },
    "parser: new": () => (new RequestParser(HTTP_LIMITS, c.text, patterns) ? 1 : 0),
    "parser: new + push": () => (new RequestParser(HTTP_LIMITS, c.text, patterns).push(c.dataBytes) ? 1 : 0),
    "decode 80 B": () => c.text.decode(c.dataBytes).length,
    "text.indexOf(LF, 60)": () => head.indexOf("\n", 60),
    "text.indexOf(LF, 0)": () => head.indexOf("\n", 0),
    "text.slice(60, 78)": () => head.slice(60, 78).length,
    "text.slice(0, 18)": () => head.slice(0, 18).length,
    "endsWith CR": () => (head.endsWith("\r") ? 1 : 0),
    "requestLine.exec (a line alone)": () => {
      const at = patterns.requestLine;
      at.lastIndex = 0;
      return at.exec(requestLine) ? 1 : 0;
    },
    "isToken": () => (isToken("User-Agent") ? 1 : 0),
    "toLowerCase": () => "User-Agent".toLowerCase().length,
    "Set.has": () => (set.has("user-agent") ? 1 : 0),
    "charCodeAt(0)": () => headerLine.charCodeAt(0),
    "indexOf(':')": () => headerLine.indexOf(":"),
    "Object.create(null)": () => (Object.create(null) ? 1 : 0),
    "bytes.indexOf(LF, 0)": () => c.dataBytes.indexOf(0x0a, 0),
    "bytes loop to LF at 60": () => {
      const b = c.dataBytes;
      let i = 20;
      while (b[i] !== 0x0a) i++;
      return i;
    },
    "split CRLF": () => head.split("\r\n").length,
    "header lines x3 (split work)": () => {
      let n = 0;
      for (let i = 0; i < lines.length; i++) {
        const t = lines[i];
        const colon = t.indexOf(":");
        n += t.slice(0, colon).toLowerCase().length + t.slice(colon + 1).trim().length;
      }
      return n;
    },
    "handle": () => (c.serve(c.getData).status),
    ...managerProbes(c),
    "writer: new": () => (new ResponseWriter(response, false, c.text, rpatterns) ? 1 : 0),
    "writer: new + pump": () => {
      const k = c.connection();
      new ResponseWriter(response, false, c.text, rpatterns).pump(k);
      return k.bytes;
    },
    "encode head 120 B": () => c.text.encode("HTTP/1.1 200 OK\r\ncontent-type: application/json; charset=utf-8\r\ncache-control: no-store\r\nconnection: close\r\n\r\n").length,
    "template head": () => `HTTP/1.1 ${200} ${"OK"}\r\n`.length,
    "exchange": () => c.exchange(c.dataBytes),
    "sink": () => sink++,
    "clock set + clear": () => {
      c.clock.clear(c.clock.set(noop, 500, 500));
      return 1;
    },
    "clock now": () => c.clock.now(),
    "events emit answer": () => {
      c.events.emit("answer", 200);
      return 1;
    },
    "stand-in write(a, b) + writable": () => {
      const k = c.connection();
      k.writable();
      k.write(c.dataBytes, c.dataBytes);
      return k.bytes;
    },
    "new stand-in connection": () => (c.connection() ? 1 : 0),
    "call noop": () => noop(),
    "call noop x2 args": () => (noop as (a: number, b: number) => number)(1, 2),
    "method + private read": () => probe.read(),
    "method + private method": () => probe.viaMethod(),
    "method try/catch": () => probe.tried(),
    "object literal 3": () => ({ status: 200, headers: obj, body: "" }).status,
    "router.resolve /data": () => (router.resolve("GET", "/data").kind === "route" ? 1 : 0),
    "router.resolve /data (a table's 4th)": () => (trouter.resolve("GET", "/data").kind === "route" ? 1 : 0),
    "startsWith /api/": () => ("/data".startsWith("/api/") ? 1 : 0),
    "new class 14 fields": () => (new Fields() ? 1 : 0),
    "for-in 3 keys": () => {
      let n = 0;
      for (const k in response.headers) n += k.length;
      return n;
    },
    "frozen array includes": () => (SET_BY_SERVER.includes("cache-control") ? 1 : 0),
  };
}

/**
 * The manager's per-request pieces, for the fixed cost GET / and GET /data share and what only
 * the page adds: a 404, an answer with nothing to render (/app.css), and the
 * page's model, status and network taken alone. Private members are reached by name: this
 * measures, it does not use them.
 */
function managerProbes(c: ProbeContext): Record<string, () => number> {
  const app = c.app as unknown as Record<string, (...a: unknown[]) => unknown>;
  const byPath = (path: string): HttpRequest => {
    const r = c.requests.find((q) => q.path === path && q.method === "GET");
    if (!r) throw new Error(`no bench request for ${path}`);
    return r;
  };
  const page = byPath("/");
  const missing = byPath("/no-such-page");
  const css = byPath("/app.css");
  const consume = (body: unknown): number => {
    let n = 0;
    if (body && typeof body === "object" && Symbol.iterator in body) for (const f of body as Iterable<string | Uint8Array>) n += f.length;
    return n;
  };
  const statuses: Record<string, () => number> = {};
  for (const f of c.app.features as readonly { name: string; status?: () => unknown }[])
    if (f.status) statuses[`feature status(): ${f.name}`] = () => (f.status!() ? 1 : 0);
  // Ways to make the data table's rows at request time, each in batches of 16 as the page sends
  // them (docs/performance.md, "GET /"): the page uses batch.concat().
  const sample = (n: number, unit: string): [string[], string[]] => [
    Array.from({ length: n }, (_, i) => `sensor_${i}`),
    Array.from({ length: n }, (_, i) => `${20 + (i % 10)}.${i % 7} ${unit}`),
  ];
  const rowWays: Record<string, (keys: string[], values: string[]) => number> = {
    "a + b + c": (keys, values) => {
      let out = 0;
      for (let i = 0, end = 0, batch = ""; i < keys.length; out += batch.length) {
        end = Math.min(i + 16, keys.length);
        for (batch = ""; i < end; i++) batch += '<tr><th scope="row">' + keys[i] + "</th><td>" + values[i] + "</td></tr>";
      }
      return out;
    },
    "batch.concat()": (keys, values) => {
      let out = 0;
      for (let i = 0, end = 0, batch = ""; i < keys.length; out += batch.length) {
        end = Math.min(i + 16, keys.length);
        for (batch = ""; i < end; i++) batch = batch.concat('<tr><th scope="row">', keys[i], "</th><td>", values[i], "</td></tr>");
      }
      return out;
    },
    "parts, then join()": (keys, values) => {
      let out = 0;
      const parts: string[] = [];
      for (let i = 0, end = 0, n = 0; i < keys.length; out += parts.join("").length) {
        end = Math.min(i + 16, keys.length);
        for (n = 0; i < end; i++) {
          parts[n++] = '<tr><th scope="row">';
          parts[n++] = keys[i];
          parts[n++] = "</th><td>";
          parts[n++] = values[i];
          parts[n++] = "</td></tr>";
        }
        parts.length = n;
      }
      return out;
    },
  };
  // The JSON text is the store's (made for GET /data anyway): only the two replaces are timed.
  const jsonRows = (t: string): number =>
    ('<tr><th scope="row">' + t.slice(2, -2).replaceAll('":"', "</th><td>").replaceAll('","', '</td></tr><tr><th scope="row">') + "</td></tr>").length;
  const rowProbes: Record<string, () => number> = {};
  for (const [n, unit] of [[10, "C"], [200, "C"], [200, "\u00b0C"]] as const) {
    const [keys, values] = sample(n, unit);
    const label = `${n}${unit === "C" ? "" : " (not ASCII)"}`;
    for (const [way, make] of Object.entries(rowWays)) rowProbes[`rows by ${way}, ${label}`] = () => make(keys, values);
    const text = JSON.stringify(Object.fromEntries(keys.map((k, i) => [k, values[i]])));
    rowProbes[`rows by replaceAll() on the JSON text, whole, ${label}`] = () => jsonRows(text);
  }
  return {
    ...rowProbes,
    ...statuses,
    "manager: GET /no-such-page (404)": () => c.serve(missing).status,
    "manager: GET /app.css (bytes made once)": () => c.serve(css).status,
    "manager: GET / (handler, body not run)": () => c.serve(page).status,
    "manager: GET / (whole body)": () => consume(c.serve(page).body),
    "manager: network()": () => ((app.network as () => { mode: string }).call(app).mode.length),
    "manager: storageProblems()": () => ((app.storageProblems as () => string[]).call(app).length),
    "manager: pageModelFor()": () => (app.pageModelFor.call(app, undefined) ? 1 : 0),
    "manager: status()": () => (app.status.call(app) ? 1 : 0),
    "manager: uptimeSeconds": () => (c.app.uptimeSeconds >= 0 ? 1 : 0),
  };
}
