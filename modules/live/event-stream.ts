/*
 * EventStream: one client's GET /events, an HttpStream (http/http-message.ts) the server pulls
 * from whenever the client's connection can take more. docs/events.md is the client's guide.
 *
 * Events (text/event-stream; every data line is one JSON text):
 *   hello     {"format":1,"log":bool,"next":seq,"maxStreams":n,"keepAliveMs":ms}  first, once
 *   status    what GET /api/status answers                     on open, then when it changes
 *   data-all  what GET /data answers (replace the table)       on open, after a delete or a
 *                                                              clear, and when a slow client
 *                                                              missed more keys than it holds
 *   data      {"key": value, ...}: entries set (merge them)    as they change
 *   task      {"name","error","at"}: a task failed             as it happens
 *   log       {"seq","ms","level","line"}, with id: seq        new log lines, when allowed
 *   a comment (": keep-alive") when the stream has been quiet for a while
 *
 * Back-pressure: nothing is queued per change. A stream remembers only WHAT changed: a flag for
 * status, up to MAX_KEYS data keys (past that, one data-all replaces them), up to MAX_TASKS
 * task failures (the oldest dropped: status lists them anyway), and the sequence number of the
 * next log line (the lines themselves stay in the manager's ring; a client too slow for the
 * ring sees a jump in seq). Values are read when the server pulls, so a burst of a thousand
 * data.set() calls on one key costs a slow client one event with the last value. A pull
 * produces at most about MAX_PULL bytes of events (one event can be longer: the status, or
 * data-all), and the server asks for the next only when those are written.
 */

import type { DataStore } from "../data/data-store";
import type { HttpStream } from "../http/http-message";
import { logLineJson, type LogRing } from "../log/log-ring";
import type { TaskFailure } from "../tasks/task-runner";

/** Data keys remembered per stream before one data-all replaces them. */
export const MAX_KEYS = 8;
/** Task failures remembered per stream. */
export const MAX_TASKS = 4;
/** About how many bytes of events one pull makes (a TCP segment's worth, short of lwIP's MSS). */
export const MAX_PULL = 1024;
/** The reconnection delay the stream asks EventSource for (ms). */
export const RETRY_MS = 3000;

const KEEP_ALIVE = ": keep-alive\n\n";

/** What the streams read from: the feature hands the manager's parts in. */
export interface StreamSource {
  readonly data: DataStore;
  readonly logs: LogRing | undefined;
  status(): Record<string, unknown>;
  /** The stream is gone (the server is done with it). */
  closed(stream: EventStream): void;
}

export interface StreamOptions {
  /** Log lines are sent (the request passed the admin check). */
  log: boolean;
  /** The first log line to send (its seq); the ring's next (new lines only) when absent. */
  since?: number;
  /** Said in the hello event. */
  maxStreams: number;
  keepAliveMs: number;
  /** When the handler made it (clock ms): one the server never opens is dropped later. */
  madeAt: number;
}

function event(name: string, json: string): string {
  return `event: ${name}\ndata: ${json}\n\n`;
}

export class EventStream implements HttpStream {
  readonly keepAlive = KEEP_ALIVE;
  readonly madeAt: number;
  readonly #source: StreamSource;
  #hello: string | undefined;
  #wake: (() => void) | undefined;
  #opened = false;
  #closed = false;
  #ended = false;
  #status = true;
  #all = true;
  #keys: string[] = [];
  #tasks: TaskFailure[] = [];
  /** The next log line's seq, or -1 when this stream sends none. */
  #logNext: number;

  constructor(source: StreamSource, options: StreamOptions) {
    this.#source = source;
    this.madeAt = options.madeAt;
    const logs = source.logs;
    if (options.log && logs) {
      const since = options.since;
      // A seq beyond the ring's next is from before a restart: everything this boot logged.
      this.#logNext = since === undefined ? logs.next : since > logs.next ? logs.first : Math.max(since, logs.first);
    } else this.#logNext = -1;
    const hello = { format: 1, log: this.#logNext >= 0, next: logs?.next ?? 0, maxStreams: options.maxStreams, keepAliveMs: options.keepAliveMs };
    this.#hello = `retry: ${RETRY_MS}\n${event("hello", JSON.stringify(hello))}`;
  }

  /** The server has sent the head (the stream is live). */
  get opened(): boolean {
    return this.#opened;
  }

  get sendsLog(): boolean {
    return this.#logNext >= 0;
  }

  open(wake: () => void): void {
    this.#opened = true;
    this.#wake = wake;
  }

  /** Asks the server to pull (the feature calls it once per burst of changes). */
  wake(): void {
    if (this.#closed) return;
    this.#wake?.();
  }

  /** Ends the stream: the next pull says so and the server closes the connection. */
  end(): void {
    this.#ended = true;
    this.wake();
  }

  statusChanged(): void {
    this.#status = true;
  }

  /** A data entry changed: present is whether the store still has it ("" is a clear). */
  dataChanged(key: string, present: boolean): void {
    if (this.#all) return;
    if (!present || key === "") {
      this.#all = true;
      this.#keys.length = 0;
      return;
    }
    const keys = this.#keys;
    if (keys.includes(key)) return;
    if (keys.length >= MAX_KEYS) {
      this.#all = true;
      keys.length = 0;
    } else keys.push(key);
  }

  taskFailed(failure: TaskFailure): void {
    if (this.#tasks.length >= MAX_TASKS) this.#tasks.shift();
    this.#tasks.push(failure);
  }

  pull(room: number): string | undefined {
    if (this.#ended || this.#closed) return undefined;
    const budget = Math.min(room, MAX_PULL);
    const parts: string[] = [];
    let length = 0;
    const add = (text: string): void => {
      parts.push(text);
      length += text.length;
    };
    if (this.#hello !== undefined) {
      add(this.#hello);
      this.#hello = undefined;
    }
    if (this.#status && length < budget) {
      this.#status = false;
      add(event("status", JSON.stringify(this.#source.status())));
    }
    const data = this.#source.data;
    if (this.#all && length < budget) {
      this.#all = false;
      this.#keys.length = 0;
      add(event("data-all", data.toJSONText()));
    } else if (this.#keys.length > 0 && length < budget) {
      add(event("data", changedEntries(data, this.#keys)));
      this.#keys.length = 0;
    }
    while (this.#tasks.length > 0 && length < budget) add(event("task", JSON.stringify(this.#tasks.shift())));
    const logs = this.#source.logs;
    if (logs && this.#logNext >= 0) {
      while (length < budget && this.#logNext < logs.next) {
        const line = logs.line(Math.max(this.#logNext, logs.first));
        if (!line) break;
        this.#logNext = line.seq + 1;
        add(`id: ${line.seq}\n${event("log", logLineJson(line))}`);
      }
    }
    return parts.length === 0 ? "" : parts.length === 1 ? parts[0] : parts.join("");
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#wake = undefined;
    this.#keys.length = 0;
    this.#tasks.length = 0;
    this.#source.closed(this);
  }
}

/** The entries of `keys` as one JSON object, in the order they changed (index-like keys too). */
function changedEntries(data: DataStore, keys: readonly string[]): string {
  const parts: string[] = [];
  for (const key of keys) {
    const value = data.get(key);
    if (value !== undefined) parts.push(`${JSON.stringify(key)}:${JSON.stringify(value)}`);
  }
  return `{${parts.join(",")}}`;
}
