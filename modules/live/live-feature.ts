/*
 * LiveFeature: the device's live view for its page and for scripts, without polling.
 *
 *   GET /events    server-sent events: data, status, task failures and log lines as they
 *                  happen (event-stream.ts lists the events; docs/events.md is the guide).
 *                  ?log=off: no log lines; ?log=on: log lines or 401 (see below);
 *                  ?since=<seq> (or the Last-Event-ID header EventSource sends when it
 *                  reconnects): log lines from there, as far as the ring still has them.
 *                  503 with Retry-After when maxStreams streams are open already.
 *   GET /api/log   the log lines the ring holds: {"first","next","lost","lines":[{seq,ms,level,
 *                  line}]}; ?since=<seq> for those from there on. Admin when a password is set.
 *
 * Who may read what
 * - /events needs the device's own Host, like everything under /api/ (the names check against
 *   DNS rebinding: it carries the status). Data and status are as public as GET /data and GET
 *   /api/status. Log lines can hold addresses and names, so they are sent only to a request
 *   that passes the admin check (no admin password set, or the right one given); other
 *   streams leave them out and say so in their hello event ("log": false). With ?log=on a
 *   refused request is answered 401 instead, so a browser that holds the credentials for the
 *   device retries with them.
 * - /api/log is an "admin" route: 401 when a password is set and not given.
 *
 * Streams hold a connection each (the device serves four at once, http/limits.ts), so at most
 * maxStreams (2) are open, and never more than the connection limit less two: the page falls
 * back to polling on the 503. The feature listens to the manager's events only while a stream
 * is open (an idle device pays for its two routes). Changes are gathered for one turn (a 0 ms
 * timer) and then every stream is woken once, so an app that sets ten values in a row costs
 * each stream one pull, not ten.
 */

import type { Feature, FeatureContext } from "../feature";
import type { TimerId } from "../host/clock";
import type { HttpRequest, HttpResponse } from "../http/http-message";
import { HTTP_LIMITS } from "../http/limits";
import { jsonError } from "../http/response";
import { logLineJson, type LogRing } from "../log/log-ring";
import { EventStream, type StreamSource } from "./event-stream";

export interface LiveOptions {
  /** Event streams open at once (default 2; never more than the connection limit less two). */
  maxStreams?: number;
}

/** Seconds a client refused for too many streams is asked to wait before it tries again. */
const RETRY_AFTER_S = 30;
/** A stream the server has not opened this long after it was made was never sent: forget it. */
const UNOPENED_MS = 10_000;

const STREAM_HEADERS = Object.freeze({
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  // Proxies that buffer responses (nginx) would hold the events back.
  "x-accel-buffering": "no",
});

const JSON_HEADERS = Object.freeze({
  "content-type": "application/json; charset=utf-8",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
});

/** The value of one query parameter ("" when it has none, undefined when absent). */
function queryValue(query: string, name: string): string | undefined {
  if (query === "") return undefined;
  for (const pair of query.split("&")) {
    const eq = pair.indexOf("=");
    const key = eq < 0 ? pair : pair.slice(0, eq);
    if (key === name) return eq < 0 ? "" : pair.slice(eq + 1);
  }
  return undefined;
}

/** A sequence number from text, or undefined when it is not a whole number >= 0. */
function seqFrom(text: string | undefined): number | undefined {
  if (text === undefined || text === "") return undefined;
  const n = Number(text);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** GET /api/log's body, line by line, so the device never holds the whole answer. */
function* logBody(ring: LogRing, since: number | undefined): Generator<string> {
  const first = ring.first;
  const end = ring.next;
  // A seq beyond next is from before a restart: everything this boot logged.
  const from = since === undefined || since > end ? first : Math.max(since, first);
  const lost = since !== undefined && since < first ? first - since : 0;
  yield `{"first":${first},"next":${end},"lost":${lost},"lines":[`;
  let comma = "";
  for (let seq = from; seq < end; seq++) {
    const line = ring.line(seq);
    if (!line) continue; // overwritten while the answer was being sent
    yield comma + logLineJson(line);
    comma = ",";
  }
  yield "]}";
}
// A generator function is no constructor, so preloading does not freeze its prototype: this does (it stays in flash).
Object.freeze(logBody.prototype);

/** What reads of the streams see while none is open: no array is held for an idle device. */
const NO_STREAMS: readonly EventStream[] = Object.freeze([]);

// Helper methods are TypeScript-private, not #private: XS gives every instance one slot per #method.
// At idle the instance holds its context and its limit: the lists appear with the first stream.
export class LiveFeature implements Feature {
  #context: FeatureContext | undefined;
  /** The streams open, while there are any. */
  #streams: EventStream[] | undefined;
  /** The subscriptions, while streams are open. */
  #unsubscribe: (() => void)[] | undefined;
  #flushTimer: TimerId | undefined;
  /** The option until attach(), then the limit (never more than the connection limit less two). */
  #maxStreams: number;
  /** What the streams read from: made when the first stream opens, dropped when the last closes. */
  #source: StreamSource | undefined;
  /** The flush timer's callback: one while streams are open (made with the subscriptions), not one per flush. */
  #flush: (() => void) | undefined;

  constructor(options: LiveOptions = {}) {
    this.#maxStreams = options.maxStreams ?? 2;
  }

  /** On the prototype: a field would cost every instance a slot. */
  get name(): string {
    return "live";
  }

  attach(context: FeatureContext): void {
    this.#context = context;
    const limits = context.host.httpLimits;
    this.#maxStreams = Math.max(0, Math.min(this.#maxStreams, (limits?.maxConnections ?? HTTP_LIMITS.maxConnections) - 2));
    // One closure for both routes.
    const handle = (request: HttpRequest): HttpResponse => (request.path === "/events" ? this.open(request) : this.serveLog(request));
    context.router.add("GET", "/events", handle, { auth: "public", names: true });
    context.router.add("GET", "/api/log", handle, { auth: "admin" });
  }

  /**
   * Listens to the manager while a stream is open, and only then: an idle device pays for the
   * two routes and nothing else (tests/xs/live-memory.test.ts measures it).
   */
  /** The ring the streams and GET /api/log read, when it keeps lines. */
  private logs(): LogRing | undefined {
    const logs = this.#context?.logs;
    return logs && logs.capacity > 0 ? logs : undefined;
  }

  private streams(): readonly EventStream[] {
    return this.#streams ?? NO_STREAMS;
  }

  private listen(context: FeatureContext): void {
    if (this.#unsubscribe) return;
    this.#flush = (): void => this.wakeAll();
    const { events, data } = context;
    const statusChanged = (): void => {
      for (const stream of this.streams()) stream.statusChanged();
      this.schedule();
    };
    const unsubscribe = [
      events.on("data", (key) => {
        const present = key !== "" && data.has(key);
        for (const stream of this.streams()) stream.dataChanged(key, present);
        this.schedule();
      }),
      events.on("task", (failure) => {
        for (const stream of this.streams()) stream.taskFailed(failure);
        statusChanged();
      }),
      events.on("status", statusChanged),
      events.on("network", statusChanged),
      events.on("config", statusChanged),
      events.on("clock", statusChanged),
    ];
    const logs = this.logs();
    if (logs) unsubscribe.push(logs.listen(() => this.schedule()));
    this.#unsubscribe = unsubscribe;
  }

  private unlisten(): void {
    const list = this.#unsubscribe;
    this.#unsubscribe = undefined;
    if (list) for (const unsubscribe of list) unsubscribe();
    // What the streams shared goes with the last of them: an idle device keeps the routes alone.
    this.#flush = undefined;
    this.#source = undefined;
  }

  detach(): void {
    this.unlisten();
    this.#context?.host.clock.clear(this.#flushTimer);
    this.#flushTimer = undefined;
    // Each ends at its next pull: the server then closes its connection.
    for (const stream of [...this.streams()]) stream.end();
  }

  status(): Record<string, unknown> {
    const logs = this.logs();
    return { streams: this.streams().length, maxStreams: this.#maxStreams, logLines: logs?.size ?? 0, logBytes: logs?.capacity ?? 0 };
  }

  private open(request: HttpRequest): HttpResponse {
    const context = this.#context as FeatureContext;
    const now = context.host.clock.now();
    // A stream made by a handler whose answer was never sent (a test calling handle(), a
    // failure before the head went out) would hold its place for ever.
    for (const stream of [...this.streams()]) if (!stream.opened && now - stream.madeAt >= UNOPENED_MS) stream.close();
    if (this.streams().length >= this.#maxStreams)
      return jsonError(503, `${this.#maxStreams} event streams are open already (each holds one of the device's few connections): poll /data and /api/status instead`, {
        "retry-after": String(RETRY_AFTER_S),
      });
    const mode = queryValue(request.query, "log");
    if (mode !== undefined && mode !== "on" && mode !== "off") return jsonError(400, 'log must be "on" or "off"');
    const source = (this.#source ??= Object.freeze({
      data: context.data,
      logs: this.logs(),
      status: () => context.status(),
      closed: (stream: EventStream) => this.streamClosed(stream),
    }));
    let log = false;
    if (source.logs && mode !== "off") {
      const refused = context.checkAdmin?.(request);
      if (refused && mode === "on") return refused;
      log = refused === undefined;
    } else if (mode === "on") return jsonError(404, "this device keeps no log lines");
    // Last-Event-ID (EventSource reconnecting) names the last line received: go on after it.
    const lastId = seqFrom(request.headers["last-event-id"]);
    const since = lastId !== undefined ? lastId + 1 : seqFrom(queryValue(request.query, "since"));
    const stream = new EventStream(source, {
      log,
      since,
      maxStreams: this.#maxStreams,
      keepAliveMs: Math.floor((context.host.httpLimits?.requestTimeoutMs ?? HTTP_LIMITS.requestTimeoutMs) / 3),
      madeAt: now,
    });
    (this.#streams ??= []).push(stream);
    this.listen(context);
    return { status: 200, headers: STREAM_HEADERS, body: stream };
  }

  private serveLog(request: HttpRequest): HttpResponse {
    const logs = this.logs();
    if (!logs) return jsonError(404, "this device keeps no log lines");
    const text = queryValue(request.query, "since");
    const since = seqFrom(text);
    if (text !== undefined && since === undefined) return jsonError(400, "since must be a whole number (a line's seq)");
    return { status: 200, headers: JSON_HEADERS, body: logBody(logs, since) };
  }

  private streamClosed(stream: EventStream): void {
    const streams = this.#streams;
    if (!streams) return;
    const i = streams.indexOf(stream);
    if (i >= 0) streams.splice(i, 1);
    if (streams.length === 0) {
      this.#streams = undefined;
      this.unlisten();
      this.#context?.host.clock.clear(this.#flushTimer);
      this.#flushTimer = undefined;
    }
  }

  /** Wakes every stream once, a turn after the first change of a burst. */
  private schedule(): void {
    if (this.#flushTimer !== undefined || !this.#context || !this.#flush) return;
    this.#flushTimer = this.#context.host.clock.set(this.#flush, 0);
  }

  private wakeAll(): void {
    this.#flushTimer = undefined;
    for (const stream of [...this.streams()]) stream.wake();
  }
}
