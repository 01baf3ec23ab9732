/*
 * HttpServer: the device's web server, written once for every host over its Tcp (host/tcp.ts):
 * requests are parsed by request-parser.ts and answered by response-writer.ts, so the device
 * and the simulator refuse the same bytes with the same answers, within the same memory.
 *
 * Connections (limits.ts has the numbers)
 * - One request per connection; every response closes it. What arrives after the request is
 *   read and dropped, never executed.
 * - At most maxConnections are served at once. A connection still sending its request head
 *   after slowHeadMs is slow. A new connection beyond the limit takes the slot of the slow one
 *   that has been at it the longest (it is answered 408 and closed, like ESP-IDF's
 *   lru_purge_enable); with no slow one to close, the new connection is answered 503 with
 *   Retry-After. One address may keep at most maxConnectionsPerClient slow connections: a new
 *   one from it closes its oldest. So slow clients cannot hold the slots quick ones need, and a
 *   quick client is never closed for another's sake.
 * - The request head must arrive within headersTimeoutMs and the whole request within
 *   requestTimeoutMs, or the answer is 408; a response that makes no progress for
 *   requestTimeoutMs is cut off.
 * - After answering a request whose bytes are still arriving (a refused body, a pipelined
 *   request), the connection reads and drops them for up to lingerMs before it closes, so the
 *   client reads the answer instead of a reset. Connections lingering are not served
 *   connections; the oldest is closed when more than maxConnections linger.
 * - Deadlines are checked by one repeating timer that runs only while a connection is open,
 *   and KEEP_PATTERNS_MS after the last: the parsers' regular expression is made when a
 *   connection opens and let go then, so an idle server holds neither.
 *
 * Streams (an HttpStream body: GET /events)
 * - A stream is a response that stays open: its connection is served (it counts against
 *   maxConnections) until the stream ends, the client leaves, or the server closes. How many
 *   streams may be open at once is the caller's rule (the live feature allows two).
 * - The same progress rule holds: a stream whose bytes the client has not taken for
 *   requestTimeoutMs is cut off, so a reader that stopped reading frees its slot. A stream with
 *   nothing to say is not stalled: after a third of requestTimeoutMs without a write, the
 *   server sends the stream's keep-alive text (and a dead peer's stack finds out on the way).
 * - Whatever ends the connection closes the stream, once; its wake() after that does nothing.
 *
 * Requests
 * - The handler is called synchronously, once the request is whole; its body decoded as UTF-8
 *   (400 when it is not). A handler that throws is logged and answered 500; one whose response
 *   cannot be sent (a bad status or header) too. HEAD is answered with the head alone.
 */

import type { Clock, TimerId } from "../host/clock";
import type { Tcp, TcpConnection, TcpEvents, TcpListener, TcpListenOptions } from "../host/tcp";
import type { TextCodec } from "../host/text-codec";
import type { Logger } from "../log/logger";
import { errorText } from "../log/logger";
import { JS_TEXT_CODEC } from "../text/js-text-codec";
import { isHttpStream, type HttpHandler, type HttpRequest, type HttpResponse, type HttpService } from "./http-message";
import { HTTP_LIMITS, type HttpLimits } from "./limits";
import { RequestParser, requestPatterns, type ParsedRequest, type RequestPatterns } from "./request-parser";
import { jsonError } from "./response";
import { FragmentError, ResponseWriter, responsePatterns, type ResponsePatterns } from "./response-writer";

export interface HttpServerOptions {
  tcp: Tcp;
  clock: Clock;
  /** UTF-8 from the host; the core's own codec when absent. */
  text?: TextCodec;
  /** Receives a line when a handler throws or answers what cannot be sent. */
  log?: Logger;
  /** Changes to the device's limits (the simulator's --max-connections, tests). */
  limits?: Partial<HttpLimits>;
  /**
   * Counts every answer by status (the metrics feature): a function, or an object whose
   * emit("answer", status) is called (the manager's Events: no bound function held for it).
   */
  onAnswer?: ((status: number) => void) | AnswerSink;
  /** Request headers to keep beyond the parser's KEPT_HEADERS (the features' requestHeaders). */
  requestHeaders?: readonly string[];
}

/** What takes every answer's status as an event (the manager's Events). */
export interface AnswerSink {
  emit(name: "answer", status: number): void;
}

/** An application that answers requests through its handle() method. */
export interface HttpApp {
  handle(request: HttpRequest): HttpResponse;
}

type State = "receiving" | "responding" | "lingering" | "closed";

/**
 * One connection: a record private to this module, and the connection's listener (its events
 * go straight to the service: no closures made per connection).
 */
class Exchange implements TcpEvents {
  readonly tcp: TcpConnection;
  readonly remote: string;
  readonly parser: RequestParser;
  readonly openedAt: number;
  readonly service: Service;
  state: State = "receiving";
  writer: ResponseWriter | undefined = undefined;
  /** The request was read whole and answered by the handler: nothing more is on its way. */
  whole = false;
  /** When the response last moved, or the linger began. */
  since: number;

  constructor(service: Service, tcp: TcpConnection, parser: RequestParser, now: number) {
    this.service = service;
    this.tcp = tcp;
    this.remote = tcp.remoteAddress;
    this.parser = parser;
    this.openedAt = now;
    this.since = now;
  }

  data(bytes: Uint8Array): void {
    this.service.data(this, bytes);
  }

  writable(): void {
    this.service.pump(this);
  }

  closed(): void {
    this.service.gone(this);
  }

  /** Still sending its request line or headers. */
  get inHead(): boolean {
    return this.state === "receiving" && (this.parser.phase === "line" || this.parser.phase === "headers");
  }
}

const TOO_SLOW = "request not received in time";
/** How long a server with no connection keeps its parsers' regular expression and its timer (cooled). */
const KEEP_PATTERNS_MS = 10_000;

// Helper methods are TypeScript-private, not #private: XS gives every instance one slot per #method.
class Service implements HttpService {
  readonly ready: Promise<{ host: string; port: number }>;
  // What the server uses of its options, not the options object: a field each is fewer slots.
  readonly #clock: Clock;
  readonly #log: Logger | undefined;
  readonly #onAnswer: ((status: number) => void) | AnswerSink | undefined;
  readonly #requestHeaders: readonly string[] | undefined;
  readonly #limits: HttpLimits;
  readonly #text: TextCodec;
  readonly #handler: HttpHandler | HttpApp;
  readonly #listener: TcpListener;
  /** The parsers' expression: made when a connection opens, let go after KEEP_PATTERNS_MS with none (expire). */
  #requestPatterns: RequestPatterns | undefined = undefined;
  readonly #responsePatterns: ResponsePatterns;
  /** Open connections, oldest first. A handful at most: arrays beat maps here. */
  readonly #exchanges: Exchange[] = [];
  /** The deadline timer, while connections are open and KEEP_PATTERNS_MS after the last; its callback. */
  #sweeper: TimerId | undefined = undefined;
  #sweep: (() => void) | undefined = undefined;
  readonly #sweepMs: number;
  /** The timer's runs since the last connection went (while none is open). */
  #quietSweeps = 0;
  #closed = false;

  constructor(options: HttpServerOptions, listen: TcpListenOptions, handler: HttpHandler | HttpApp) {
    this.#clock = options.clock;
    this.#log = options.log;
    this.#onAnswer = options.onAnswer;
    this.#requestHeaders = options.requestHeaders;
    // The device's own limits are a frozen module table (flash): copied only when changed.
    this.#limits = options.limits ? Object.freeze({ ...HTTP_LIMITS, ...options.limits }) : HTTP_LIMITS;
    this.#text = options.text ?? JS_TEXT_CODEC;
    this.#handler = handler;
    this.#responsePatterns = responsePatterns();
    const l = this.#limits;
    this.#sweepMs = Math.max(20, Math.min(1000, Math.floor(Math.min(l.headersTimeoutMs, l.requestTimeoutMs, l.lingerMs) / 2)));
    let listener: TcpListener;
    try {
      // Bound, not an arrow: 160 B of heap instead of 224 for the life of the server.
      listener = options.tcp.listen(listen, this.accept.bind(this));
    } catch (e) {
      listener = { ready: Promise.reject(e instanceof Error ? e : new Error(String(e))), close: () => undefined };
    }
    this.#listener = listener;
    this.ready = listener.ready;
    this.ready.catch(() => undefined); // the caller observes it; never an unhandled rejection here
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#listener.close();
    for (const exchange of [...this.#exchanges]) this.drop(exchange);
    this.cooled();
  }

  private accept(tcp: TcpConnection): void {
    const now = this.#clock.now();
    const first = this.#exchanges.length === 0;
    // A closed server keeps none (a connection it accepts late is dropped below).
    const patterns = this.#requestPatterns ?? requestPatterns(this.#requestHeaders, this.#limits);
    if (!this.#closed) this.#requestPatterns = patterns;
    const exchange = new Exchange(this, tcp, new RequestParser(this.#limits, this.#text, patterns), now);
    tcp.listen(exchange);
    if (this.#closed) {
      this.drop(exchange);
      return;
    }
    this.makeRoom(exchange);
    this.#exchanges.push(exchange);
    if (first) this.startSweeping();
    // Fewer open than the limit, the usual case: none can be over it.
    if (this.#exchanges.length > this.#limits.maxConnections && this.served() > this.#limits.maxConnections)
      this.respond(exchange, jsonError(503, "too many connections; try again shortly", { "retry-after": "1" }));
  }

  /** Connections being served (receiving or answering), not lingering. */
  private served(): number {
    // Indexed: for-of walks an array through an iterator on XS (this runs per connection).
    const exchanges = this.#exchanges;
    let n = 0;
    for (let i = 0; i < exchanges.length; i++) {
      const state = exchanges[i].state;
      if (state === "receiving" || state === "responding") n++;
    }
    return n;
  }

  /** Before `incoming` is counted: closes slow connections where it would go over a limit. */
  private makeRoom(incoming: Exchange): void {
    // Alone, the usual case: nothing to make room for.
    if (this.#exchanges.length === 0) return;
    const limits = this.#limits;
    const now = incoming.openedAt;
    const slow = (e: Exchange): boolean => e.inHead && now - e.openedAt >= limits.slowHeadMs;
    if (incoming.remote !== "") {
      // Oldest first: the list is in the order connections arrived.
      const mine = this.#exchanges.filter((e) => e.remote === incoming.remote && slow(e));
      if (mine.length >= limits.maxConnectionsPerClient) this.purge(mine[0], "too many slow connections from your address");
    }
    if (this.served() >= limits.maxConnections) {
      const slowest = this.#exchanges.find(slow);
      if (slowest) this.purge(slowest, "closed to make room for other clients: send the whole request at once");
    }
    let lingering = 0;
    for (const e of this.#exchanges) if (e.state === "lingering") lingering++;
    if (lingering >= limits.maxConnections) this.drop(this.#exchanges.find((e) => e.state === "lingering") as Exchange);
  }

  private purge(exchange: Exchange, why: string): void {
    this.respond(exchange, jsonError(408, why));
  }

  /** @internal the exchange's data event */
  data(exchange: Exchange, bytes: Uint8Array): void {
    if (exchange.state === "closed") return;
    const outcome = exchange.parser.push(bytes);
    if (!outcome || exchange.state !== "receiving") return;
    if (outcome.kind === "refused") this.respond(exchange, outcome.response);
    else {
      exchange.whole = true;
      this.respond(exchange, this.answer(exchange, outcome.request));
    }
  }

  private answer(exchange: Exchange, parsed: ParsedRequest): HttpResponse {
    let body = "";
    if (parsed.body) {
      try {
        body = this.#text.decode(parsed.body);
      } catch {
        return jsonError(400, "request body is not valid UTF-8");
      }
    }
    const target = parsed.target;
    const q = target.indexOf("?");
    const request: HttpRequest = {
      method: parsed.method,
      path: q < 0 ? target : target.slice(0, q),
      query: q < 0 ? "" : target.slice(q + 1),
      headers: parsed.headers,
      body,
      remote: exchange.remote || undefined,
    };
    try {
      const handler = this.#handler;
      return typeof handler === "function" ? handler(request) : handler.handle(request);
    } catch (e) {
      this.#log?.error(`${request.method} ${request.path} failed: ${errorText(e)}`);
      return jsonError(500, "internal error");
    }
  }

  private respond(exchange: Exchange, response: HttpResponse): void {
    let writer: ResponseWriter;
    // A HEAD request gets no body, whatever the answer (RFC 9110, 9.3.2).
    const head = exchange.parser.method === "HEAD";
    // A stream wakes its own connection: the one closure a stream costs (other answers have none).
    const body = response.body;
    const wake = typeof body === "object" && isHttpStream(body) ? (): void => this.pump(exchange) : undefined;
    try {
      writer = new ResponseWriter(response, head, this.#text, this.#responsePatterns, wake);
    } catch (e) {
      this.#log?.error(`a response could not be sent: ${errorText(e)}`);
      writer = new ResponseWriter(jsonError(500, "internal error"), head, this.#text, this.#responsePatterns);
    }
    exchange.state = "responding";
    exchange.writer = writer;
    exchange.since = this.#clock.now();
    const onAnswer = this.#onAnswer;
    if (typeof onAnswer === "function") onAnswer(writer.status);
    else if (onAnswer !== undefined) onAnswer.emit("answer", writer.status);
    this.pump(exchange);
  }

  /** @internal the exchange's writable event, and after each answer */
  pump(exchange: Exchange): void {
    const writer = exchange.writer;
    if (exchange.state !== "responding" || !writer) return;
    let wrote: boolean;
    try {
      wrote = writer.pump(exchange.tcp);
    } catch (e) {
      // The status line is out: the client must see a broken response, not a short one.
      if (e instanceof FragmentError) this.#log?.error(`a response failed part way: ${e.message}`);
      this.drop(exchange, true);
      return;
    }
    if (!writer.done) {
      // Progress, for the stalled-response deadline (a finished answer needs no time: it ends here).
      if (wrote) exchange.since = this.#clock.now();
      return;
    }
    exchange.writer = undefined;
    // Bytes may still be coming (a refused request's body, a pipelined request): a close now
    // could reset the connection before the client reads the answer. Read and drop them a while.
    if (!exchange.whole || exchange.parser.extraBytes > 0) {
      exchange.state = "lingering";
      exchange.since = this.#clock.now();
    } else this.drop(exchange);
  }

  /** @internal The peer closed or the connection broke: what was written still goes out. */
  gone(exchange: Exchange): void {
    this.drop(exchange);
  }

  /** Closes a connection (aborts it: broken) and forgets it. */
  private drop(exchange: Exchange, broken = false): void {
    if (exchange.state === "closed") return;
    exchange.writer?.abandon();
    this.forget(exchange);
    try {
      if (broken) exchange.tcp.abort();
      else exchange.tcp.close();
    } catch {
      // Already gone: nothing more to do.
    }
  }

  private forget(exchange: Exchange): void {
    exchange.state = "closed";
    exchange.writer = undefined;
    const i = this.#exchanges.indexOf(exchange);
    if (i >= 0) this.#exchanges.splice(i, 1);
    if (this.#exchanges.length === 0) {
      if (this.#closed) this.stopSweeping();
      else this.#quietSweeps = 0;
    }
  }

  /** The repeating timer: every connection past its deadline is answered or closed. */
  private expire(): void {
    if (this.#exchanges.length === 0) {
      if (++this.#quietSweeps * this.#sweepMs >= KEEP_PATTERNS_MS) this.cooled();
      return;
    }
    const now = this.#clock.now();
    const l = this.#limits;
    for (const exchange of [...this.#exchanges]) {
      const age = now - exchange.openedAt;
      if (exchange.state === "receiving") {
        if ((exchange.inHead && age >= l.headersTimeoutMs) || age >= l.requestTimeoutMs) this.respond(exchange, jsonError(408, TOO_SLOW));
      } else if (exchange.state === "responding") {
        const quiet = now - exchange.since;
        if (quiet >= l.requestTimeoutMs) this.drop(exchange);
        // A stream quiet for a third of requestTimeoutMs is sent its keep-alive text.
        else if (quiet >= Math.floor(l.requestTimeoutMs / 3) && exchange.writer?.keepAlive()) this.pump(exchange);
      } else if (exchange.state === "lingering" && now - exchange.since >= l.lingerMs) this.drop(exchange);
    }
  }

  /**
   * (Re)starts the deadline timer when a connection opens and none was open, so its first
   * check comes a period after that connection's start. Its callback is made then, and kept
   * while the timer runs.
   */
  private startSweeping(): void {
    const clock = this.#clock;
    clock.clear(this.#sweeper);
    const ms = this.#sweepMs;
    this.#sweeper = clock.set((this.#sweep ??= (): void => this.expire()), ms, ms);
  }

  /**
   * No connection for KEEP_PATTERNS_MS: the timer stops, and the parsers' expression (about
   * 1.4 KB of XS heap) and the timer's callback are let go, so an idle server holds neither,
   * while a client's next request soon after the last (a page's assets, a poll) does not pay
   * the expression's compilation again (about 100 us in xsnap, a fifth of a small request).
   */
  private cooled(): void {
    this.stopSweeping();
    this.#sweep = undefined;
    this.#requestPatterns = undefined;
  }

  private stopSweeping(): void {
    this.#clock.clear(this.#sweeper);
    this.#sweeper = undefined;
  }
}

export class HttpServer {
  readonly #options: HttpServerOptions;

  constructor(options: HttpServerOptions) {
    this.#options = options;
  }

  /** handler: a function, or an object whose handle() answers (the manager: no closure to hold). */
  serve(listen: TcpListenOptions, handler: HttpHandler | HttpApp): HttpService {
    return new Service(this.#options, listen, handler);
  }
}
