/*
 * ModdableHttpServer: the device's HttpServer over Moddable's `http` Server, held to HTTP_LIMITS
 * the way the simulator's is. The SDK server has no limits of its own; this is what it promises,
 * and how (the SDK's behaviour is in modules/network/http/http.js):
 *
 * Requests
 * - More than maxConnections connections at once: each extra one is answered 503 with
 *   Retry-After once its request has been read; the others are served.
 * - First refusal wins: request line over the limit 414, header lines over the limit 431, a
 *   header line without a name or a Content-Length that is not a decimal number 400, any
 *   Transfer-Encoding 411, a Content-Length over maxBodyBytes 413. A refused request's headers
 *   are not kept and its body is read and dropped by the server (headersComplete returns
 *   false), never buffered; the answer goes out once the body has been drained, so a client
 *   that never sends the body it declared (or a bogus Content-Length the server parses as a
 *   number, "1e3") gets 408 instead.
 * - "Transfer-Encoding: chunked" never reaches this code: the SDK server throws while parsing
 *   that header line and closes the connection without an answer (there is no 411 to send).
 * - A connection that has not sent its whole request within requestTimeoutMs is answered 408
 *   and closed; one whose response makes no progress for as long is closed. Connections are
 *   checked once a second, by one repeating timer that runs only while any is open.
 * - The body (at most maxBodyBytes, buffered by the server) is decoded as UTF-8 with
 *   String.fromArrayBuffer; malformed input is answered 400. The handler is called once,
 *   synchronously, when the server asks for the response; if it throws, the answer is 500 and
 *   the error is logged.
 *
 * Responses (every one closes its connection, as the SDK server has no keep-alive)
 * - A string body is sent as its UTF-8 bytes (the server would take a string's .length as its
 *   Content-Length). Up to ONE_SHOT_BYTES go out in one write and the server closes; an empty
 *   or larger body goes out through responseFragment under our own exact Content-Length, in
 *   slices no larger than the server allows, and we close (detach) once the server asks for
 *   more after the last slice: it asks only when its socket has drained, and would otherwise
 *   leave the connection open until the client closes it.
 * - An Iterable<string> body is sent chunked, one slice at a time within the allowance; when it
 *   ends, the server writes the last chunk and closes. If the iterator throws, the exception is
 *   rethrown into the server, which closes the connection without the last chunk: the client
 *   sees a broken response, not a short one that looks whole.
 * - HEAD is answered with the status and headers and an empty body. content-length,
 *   transfer-encoding and connection from the handler are dropped: the host sets them.
 */

import { Server } from "http";
import type { Clock, TimerId } from "../../modules/host/clock";
import type {
  HttpHandler,
  HttpRequest,
  HttpResponse,
  HttpServer,
  HttpServerOptions,
  HttpService,
} from "../../modules/host/http-server";
import type { Log } from "../../modules/host/log";
import { HTTP_LIMITS } from "../../modules/http/limits";
import { STATUS_TEXT, jsonError } from "../../modules/http/response";
import type { DetachedSocket, ServerClass, ServerConnection, ServerInstance, ServerResponse } from "./types/http";

// The SDK's typings give the server callback the wrong `this` and return types (types/http.d.ts).
const ServerRuntime = Server as unknown as ServerClass;

/**
 * The largest body handed to the server whole. The server writes it in one socket write, which
 * throws if the socket cannot take it all: the simulators' sockets buffer 1024 bytes, ESP32's
 * lwIP more (TCP_SND_BUF).
 */
const ONE_SHOT_BYTES = 1024;
/** How often open connections are checked against their deadlines. */
const SWEEP_MS = 1000;
const DEFAULT_PORT = 80;

function setByHost(lowerName: string): boolean {
  return lowerName === "content-length" || lowerName === "transfer-encoding" || lowerName === "connection";
}

function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** The whole of bytes as an ArrayBuffer, copying only when the view does not cover its buffer. */
function wholeBuffer(bytes: Uint8Array): ArrayBuffer {
  const buffer = bytes.buffer;
  if (buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength) return buffer;
  return bytes.slice().buffer;
}

/** Writes a whole response to a socket taken from the server, if it can take it all now. */
function sendRaw(socket: DetachedSocket, response: HttpResponse): void {
  const body = ArrayBuffer.fromString(typeof response.body === "string" ? response.body : "");
  let head = `HTTP/1.1 ${response.status} ${STATUS_TEXT[response.status] ?? ""}\r\nconnection: close\r\n`;
  const headers = response.headers ?? {};
  for (const name of Object.keys(headers)) head += `${name}: ${headers[name]}\r\n`;
  const start = ArrayBuffer.fromString(`${head}content-length: ${body.byteLength}\r\n\r\n`);
  if (socket.write() >= start.byteLength + body.byteLength) socket.write(start, body);
}

/** One connection's request and response: a record private to this module. */
class Exchange {
  /** True until the response starts: a timeout then answers 408. */
  receiving = true;
  /** Clock time after which the connection is dropped; pushed back as the response moves. */
  deadline: number;
  /** Counted against maxConnections (false for one answered 503). */
  readonly served: boolean;
  /** The peer's address: the admin lock-out and the portal's same-network rule go by it. */
  remote: string | undefined = undefined;
  method = "";
  target = "";
  headers = Object.create(null) as Record<string, string>;
  headerBytes = 0;
  contentLength = 0;
  body: ArrayBuffer | undefined = undefined;
  /** The answer for a request refused by a limit; the handler is not called. */
  refusal: HttpResponse | undefined = undefined;
  /** The bytes being sent through responseFragment (a fixed body, or the current fragment). */
  bytes: Uint8Array | undefined = undefined;
  sent = 0;
  /** The rest of an Iterable<string> body (sent chunked); undefined for a fixed body. */
  fragments: Iterator<string> | undefined = undefined;

  constructor(deadline: number, served: boolean) {
    this.deadline = deadline;
    this.served = served;
  }
}

interface ServiceOptions {
  port: number;
  handler: HttpHandler;
  clock: Clock;
  log: Log | undefined;
}

class ModdableHttpService implements HttpService {
  readonly ready: Promise<{ host: string; port: number }>;
  readonly #server: ServerInstance | undefined;
  readonly #handler: HttpHandler;
  readonly #clock: Clock;
  readonly #log: Log | undefined;
  readonly #exchanges = new Map<ServerConnection, Exchange>();
  #served = 0;
  #sweeper: TimerId | undefined = undefined;
  #closed = false;
  // One closure for the life of the service, not one per sweep or per connection.
  readonly #sweep = (): void => this.#expire();

  constructor(options: ServiceOptions) {
    this.#handler = options.handler;
    this.#clock = options.clock;
    this.#log = options.log;
    let server: ServerInstance;
    try {
      server = new ServerRuntime({ port: options.port });
    } catch (e) {
      // The listener could not be opened (port taken, no network stack): say so through ready.
      this.#server = undefined;
      this.ready = Promise.reject(e instanceof Error ? e : new Error(String(e)));
      this.ready.catch(() => undefined);
      return;
    }
    this.#server = server;
    const service = this;
    // The server calls this with `this` set to the connection; it must be set before the first
    // connection arrives, as the server copies it onto each connection when it accepts it.
    server.callback = function (message, val1, val2) {
      return service.#dispatch(this, message, val1, val2);
    };
    // The device's server binds every interface.
    this.ready = Promise.resolve({ host: "0.0.0.0", port: options.port });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopSweeping();
    for (const exchange of this.#exchanges.values()) this.#abandon(exchange);
    this.#exchanges.clear();
    this.#served = 0;
    // true: close every open connection too (the server calls back for none of them).
    this.#server?.close(true);
  }

  #dispatch(connection: ServerConnection, message: number, val1: unknown, val2: unknown): ServerResponse | ArrayBuffer | typeof ArrayBuffer | boolean | undefined {
    if (message === ServerRuntime.connection) {
      this.#open(connection);
      return undefined;
    }
    const exchange = this.#exchanges.get(connection);
    if (!exchange) return undefined; // Already dropped by a timeout or close().
    switch (message) {
      case ServerRuntime.status:
        this.#status(exchange, String(val1), String(val2));
        return undefined;
      case ServerRuntime.header:
        this.#header(exchange, String(val1), String(val2));
        return undefined;
      case ServerRuntime.headersComplete:
        return this.#headersComplete(exchange);
      case ServerRuntime.requestComplete:
        if (val1 instanceof ArrayBuffer) exchange.body = val1;
        return undefined;
      case ServerRuntime.prepareResponse:
        return this.#prepareResponse(exchange);
      case ServerRuntime.responseFragment:
        return this.#fragment(connection, exchange, Number(val1));
      case ServerRuntime.responseComplete:
      case ServerRuntime.error:
        this.#forget(connection, exchange);
        return undefined;
      default:
        return undefined;
    }
  }

  #open(connection: ServerConnection): void {
    const served = this.#served < HTTP_LIMITS.maxConnections;
    if (served) this.#served++;
    const exchange = new Exchange(this.#clock.now() + HTTP_LIMITS.requestTimeoutMs, served);
    try {
      exchange.remote = connection.socket?.get("REMOTE_IP");
    } catch {
      // A socket that cannot say: the request goes on without an address.
    }
    if (!served) exchange.refusal = jsonError(503, "too many connections; try again shortly", { "retry-after": "1" });
    this.#exchanges.set(connection, exchange);
    this.#sweeper ??= this.#clock.set(this.#sweep, SWEEP_MS, SWEEP_MS);
  }

  #status(exchange: Exchange, target: string, method: string): void {
    exchange.method = method;
    exchange.target = target;
    // The same measure as the Node host: method, target, and " HTTP/1.1\r\n" less one.
    if (!exchange.refusal && method.length + target.length + 10 > HTTP_LIMITS.maxRequestLineBytes)
      exchange.refusal = jsonError(414, "request line too long");
  }

  #header(exchange: Exchange, name: string, value: string): void {
    // "name: value\r\n"; the server hands the name lower-cased and both parts trimmed.
    exchange.headerBytes += name.length + value.length + 4;
    if (exchange.refusal) return;
    if (exchange.headerBytes > HTTP_LIMITS.maxHeaderBytes) {
      exchange.refusal = jsonError(431, "request headers too large");
      exchange.headers = Object.create(null) as Record<string, string>;
      return;
    }
    if (name === "") {
      exchange.refusal = jsonError(400, "malformed request");
      return;
    }
    if (name === "content-length") {
      if (!/^[0-9]+$/.test(value)) {
        exchange.refusal = jsonError(400, "invalid Content-Length");
        return;
      }
      exchange.contentLength = Number(value);
    } else if (name === "transfer-encoding") {
      exchange.refusal = jsonError(411, "chunked request bodies are not accepted; send a Content-Length");
      return;
    }
    exchange.headers[name] = value;
  }

  #headersComplete(exchange: Exchange): typeof ArrayBuffer | false {
    if (!exchange.refusal && exchange.contentLength > HTTP_LIMITS.maxBodyBytes)
      exchange.refusal = jsonError(413, `request body larger than ${HTTP_LIMITS.maxBodyBytes} bytes`);
    // false: the server reads whatever body there is and drops it. ArrayBuffer: it collects
    // exactly Content-Length bytes (bounded by the check above) for requestComplete.
    if (exchange.refusal || exchange.contentLength === 0) return false;
    return ArrayBuffer;
  }

  #prepareResponse(exchange: Exchange): ServerResponse {
    exchange.receiving = false;
    exchange.deadline = this.#clock.now() + HTTP_LIMITS.requestTimeoutMs;
    const response = exchange.refusal ?? this.#answer(exchange);
    exchange.refusal = undefined;
    exchange.headers = Object.create(null) as Record<string, string>;
    return this.#begin(exchange, response);
  }

  #answer(exchange: Exchange): HttpResponse {
    let body = "";
    if (exchange.body) {
      try {
        body = String.fromArrayBuffer(exchange.body);
      } catch {
        return jsonError(400, "request body is not valid UTF-8");
      }
      exchange.body = undefined;
    }
    const target = exchange.target;
    const q = target.indexOf("?");
    const request: HttpRequest = {
      method: exchange.method,
      path: q < 0 ? target : target.slice(0, q),
      query: q < 0 ? "" : target.slice(q + 1),
      headers: exchange.headers,
      body,
      remote: exchange.remote,
    };
    try {
      return this.#handler(request);
    } catch (e) {
      this.#log?.write("error", `ERROR [http] ${request.method} ${request.path} failed: ${errorText(e)}`);
      return jsonError(500, "internal error");
    }
  }

  /** Turns the core's response into the server's, and sets up what responseFragment sends. */
  #begin(exchange: Exchange, response: HttpResponse): ServerResponse {
    const status = response.status;
    if (!Number.isInteger(status) || status < 100 || status > 599) return this.#fail(exchange, `status ${status}`);
    const headers: string[] = [];
    const given = response.headers ?? {};
    for (const name of Object.keys(given)) {
      const value = String(given[name]);
      // A line break would let a value forge headers or a body.
      if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) return this.#fail(exchange, `header ${JSON.stringify(name)}`);
      if (!setByHost(name.toLowerCase())) headers.push(name, value);
    }
    const reason = STATUS_TEXT[status];
    const body = exchange.method === "HEAD" ? "" : (response.body ?? "");
    if (typeof body === "string" || body instanceof Uint8Array) {
      const bytes = typeof body === "string" ? new Uint8Array(ArrayBuffer.fromString(body)) : body;
      if (bytes.byteLength > 0 && bytes.byteLength <= ONE_SHOT_BYTES) return { status, reason, headers, body: wholeBuffer(bytes) };
      // With a content-length header and body true the server sends our slices as they are.
      headers.push("content-length", String(bytes.byteLength));
      exchange.bytes = bytes;
      exchange.sent = 0;
      return { status, reason, headers, body: true };
    }
    // Without a content-length header and body true the server sends our slices chunked.
    exchange.fragments = body[Symbol.iterator]();
    return { status, reason, headers, body: true };
  }

  #fail(exchange: Exchange, what: string): ServerResponse {
    this.#log?.write("error", `ERROR [http] ${exchange.method} ${exchange.target}: the handler's response has an invalid ${what}`);
    return this.#begin(exchange, jsonError(500, "internal error"));
  }

  /** responseFragment: the next slice, at most `allowance` bytes; undefined ends the body. */
  #fragment(connection: ServerConnection, exchange: Exchange, allowance: number): ArrayBuffer | undefined {
    exchange.deadline = this.#clock.now() + HTTP_LIMITS.requestTimeoutMs;
    // An empty slice would end the body, so at least one byte goes out each time.
    const room = Math.max(1, Math.floor(allowance) || 0);
    if (exchange.fragments) return this.#nextChunk(exchange, room);
    const bytes = exchange.bytes;
    if (bytes && exchange.sent < bytes.byteLength) {
      const end = Math.min(bytes.byteLength, exchange.sent + room);
      const slice = bytes.slice(exchange.sent, end).buffer;
      exchange.sent = end;
      return slice;
    }
    // All sent (or the body is empty): close now rather than wait for the client. Safe inside
    // the callback: after an undefined fragment the server only moves its state on, and with a
    // content-length header it writes nothing more.
    const socket = this.#detach(connection);
    this.#forget(connection, exchange);
    socket?.close();
    return undefined;
  }

  #nextChunk(exchange: Exchange, room: number): ArrayBuffer | undefined {
    let bytes = exchange.bytes;
    while (!bytes || exchange.sent >= bytes.byteLength) {
      let step: IteratorResult<string>;
      try {
        step = exchange.fragments!.next();
      } catch (e) {
        this.#log?.write("error", `ERROR [http] ${exchange.method} ${exchange.target}: the body failed: ${errorText(e)}`);
        throw e; // The server closes the connection without the last chunk.
      }
      if (step.done) {
        exchange.bytes = undefined;
        return undefined; // The server writes the last chunk, then closes.
      }
      if (typeof step.value !== "string") throw new TypeError("a body fragment is not a string");
      if (step.value.length === 0) continue; // An empty chunk would end the body.
      bytes = new Uint8Array(ArrayBuffer.fromString(step.value));
      exchange.bytes = bytes;
      exchange.sent = 0;
    }
    if (exchange.sent === 0 && bytes.byteLength <= room) {
      exchange.sent = bytes.byteLength;
      return wholeBuffer(bytes);
    }
    const end = Math.min(bytes.byteLength, exchange.sent + room);
    const slice = bytes.slice(exchange.sent, end).buffer;
    exchange.sent = end;
    return slice;
  }

  /** The repeating timer: drops every connection past its deadline. */
  #expire(): void {
    const now = this.#clock.now();
    for (const [connection, exchange] of this.#exchanges) {
      if (now < exchange.deadline) continue;
      const receiving = exchange.receiving;
      const socket = this.#detach(connection);
      this.#forget(connection, exchange);
      if (!socket) continue;
      try {
        if (receiving) sendRaw(socket, jsonError(408, "request not received in time"));
      } catch {
        // The peer is gone or the socket is full: closing is all that is left.
      }
      socket.close();
    }
  }

  /** Takes the connection from the server: no more callbacks for it. */
  #detach(connection: ServerConnection): DetachedSocket | undefined {
    try {
      return this.#server?.detach(connection);
    } catch {
      return undefined; // The server no longer has it (closed meanwhile).
    }
  }

  #forget(connection: ServerConnection, exchange: Exchange): void {
    if (!this.#exchanges.delete(connection)) return;
    if (exchange.served) this.#served--;
    this.#abandon(exchange);
    if (this.#exchanges.size === 0) this.#stopSweeping();
  }

  /** Lets go of what an exchange holds; a page generator gets to run its finally blocks. */
  #abandon(exchange: Exchange): void {
    const fragments = exchange.fragments;
    exchange.fragments = undefined;
    exchange.bytes = undefined;
    exchange.body = undefined;
    try {
      fragments?.return?.();
    } catch {
      // A generator that throws while closing has nothing more to send anyway.
    }
  }

  #stopSweeping(): void {
    this.#clock.clear(this.#sweeper);
    this.#sweeper = undefined;
  }
}

export interface ModdableHttpServerOptions {
  /** Times the request and response deadlines (HTTP_LIMITS.requestTimeoutMs). */
  clock: Clock;
  /** Receives a line when a handler throws or answers something that cannot be sent. */
  log?: Log;
}

export class ModdableHttpServer implements HttpServer {
  readonly #clock: Clock;
  readonly #log: Log | undefined;

  constructor(options: ModdableHttpServerOptions) {
    this.#clock = options.clock;
    this.#log = options.log;
  }

  /** options.host is ignored: the device's server listens on every interface. */
  serve(options: HttpServerOptions, handler: HttpHandler): HttpService {
    return new ModdableHttpService({ port: options.port ?? DEFAULT_PORT, handler, clock: this.#clock, log: this.#log });
  }
}
