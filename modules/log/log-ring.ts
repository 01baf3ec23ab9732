/*
 * LogRing: the device's last few kilobytes of log lines, for GET /api/log and the live event
 * stream. It is a Log (host/log.ts) that passes every line on to the host's Log (trace() on the
 * device, stdout in the simulator) and keeps a copy.
 *
 * - Lines are kept as UTF-8 in ONE byte array of `bytes` bytes, allocated once: each line costs
 *   its bytes plus an 8-byte record head (length, level, milliseconds since boot), not an object
 *   and a string per line. When a new line does not fit, the oldest lines make room. A line is
 *   cut (between characters, with "…" appended) at a quarter of the ring, so one huge line
 *   never wipes the rest.
 * - Every line gets a sequence number, counting from 0 at boot. line(seq) gives it back while
 *   the ring holds it; first is the oldest held, next the number the next line will get. A
 *   reader that keeps its own next number (an event stream, a page polling ?since=) sees every
 *   line the ring still held when it asked, and a jump in the numbers where it was too slow.
 * - listen() hears that a line was added (after it is stored); the listener must not log.
 * - bytes 0 keeps nothing (every line is still passed on).
 *
 * Cost: `bytes` of chunk heap (2048 by default in the manager) and a handful of slots, whatever
 * is logged; reading a line costs its decoding.
 */

import type { Log, LogLevel } from "../host/log";
import type { TextCodec } from "../host/text-codec";

export interface LogLine {
  readonly seq: number;
  /** Milliseconds since the device started (its own clock: the wall clock may not be set). */
  readonly ms: number;
  readonly level: LogLevel;
  readonly line: string;
}

const LEVELS: readonly LogLevel[] = Object.freeze(["debug", "info", "warn", "error"]);
/**
 * Record head: length (2 bytes), level (1), milliseconds since boot (5: 34 years; 4 would have
 * stopped at 49.7 days, and a device runs for months).
 */
const HEAD = 8;
/** 2^32: the fifth byte of the milliseconds counts these. */
const LOW_SPAN = 0x100000000;
/** The UTF-8 of "…", appended to a line that was cut. */
const CUT_BYTES: readonly number[] = Object.freeze([0xe2, 0x80, 0xa6]);

export interface LogRingOptions {
  /** Bytes of lines kept (records heads included); 0 keeps none. At most 65535. */
  bytes: number;
  text: TextCodec;
  /**
   * Milliseconds since the device started: a function, or a clock (host/clock.ts) read as
   * clock.now() - origin, which the ring calls as a method (no closure held for it).
   */
  now: (() => number) | { now(): number };
  /** With a clock: its reading at boot (default 0). */
  origin?: number;
}

// Helper methods are TypeScript-private, not #private: XS gives every instance one slot per #method.
export class LogRing implements Log {
  readonly #inner: Log;
  readonly #text: TextCodec;
  readonly #now: (() => number) | { now(): number };
  readonly #origin: number;
  readonly #ring: Uint8Array;
  readonly #maxLine: number;
  /** Offset of the oldest record, and where the next one goes. */
  #head = 0;
  #tail = 0;
  /** True when the records run from #head to #end, then from 0 to #tail. */
  #wrapped = false;
  #end = 0;
  #count = 0;
  #first = 0;
  #listener: (() => void) | undefined;

  constructor(inner: Log, options: LogRingOptions) {
    this.#inner = inner;
    this.#text = options.text;
    this.#now = options.now;
    this.#origin = options.origin ?? 0;
    const size = Math.max(0, Math.min(0xffff, Math.floor(options.bytes)));
    this.#ring = new Uint8Array(size >= 64 ? size : 0);
    this.#maxLine = Math.max(0, Math.floor(this.#ring.length / 4) - HEAD);
  }

  /** Bytes the ring holds at most. */
  get capacity(): number {
    return this.#ring.length;
  }

  /** Sequence number of the oldest line held (equal to next when none is). */
  get first(): number {
    return this.#first;
  }

  /** Sequence number the next line will get: lines written since boot. */
  get next(): number {
    return this.#first + this.#count;
  }

  /** Lines held now. */
  get size(): number {
    return this.#count;
  }

  /** Calls listener after each line is stored; returns its unsubscribe. One listener at a time. */
  listen(listener: () => void): () => void {
    this.#listener = listener;
    return () => {
      if (this.#listener === listener) this.#listener = undefined;
    };
  }

  write(level: LogLevel, line: string): void {
    this.#inner.write(level, line);
    if (this.#ring.length === 0) return;
    this.store(level, line);
    try {
      this.#listener?.();
    } catch {
      // Logging must never fail for a reader's sake (and the reader cannot log: it would loop).
    }
  }

  /** The line numbered seq while the ring holds it. */
  line(seq: number): LogLine | undefined {
    if (seq < this.#first || seq >= this.next) return undefined;
    let at = this.#head;
    for (let i = this.#first; i < seq; i++) at = this.after(at);
    const ring = this.#ring;
    const length = ring[at] | (ring[at + 1] << 8);
    const level = LEVELS[ring[at + 2]] ?? "info";
    const ms = ring[at + 3] + ring[at + 4] * 0x100 + ring[at + 5] * 0x10000 + ring[at + 6] * 0x1000000 + ring[at + 7] * LOW_SPAN;
    let text: string;
    try {
      text = this.#text.decode(ring.subarray(at + HEAD, at + HEAD + length));
    } catch {
      text = "";
    }
    return { seq, ms, level, line: text };
  }

  private after(at: number): number {
    const ring = this.#ring;
    const next = at + HEAD + (ring[at] | (ring[at + 1] << 8));
    return this.#wrapped && next >= this.#end ? 0 : next;
  }

  private elapsed(): number {
    const now = this.#now;
    return (typeof now === "function" ? now() : now.now()) - this.#origin;
  }

  private store(level: LogLevel, line: string): void {
    let bytes = this.#text.encode(line);
    let cut = false;
    if (bytes.length > this.#maxLine) {
      let n = this.#maxLine - CUT_BYTES.length;
      // Back to the start of a character: never half of one.
      while (n > 0 && (bytes[n] & 0xc0) === 0x80) n--;
      bytes = bytes.subarray(0, n);
      cut = true;
    }
    const length = bytes.length + (cut ? CUT_BYTES.length : 0);
    const size = HEAD + length;
    const at = this.place(size);
    const ring = this.#ring;
    const ms = Math.max(0, Math.min(LOW_SPAN * 0x100 - 1, Math.floor(this.elapsed())));
    const low = ms % LOW_SPAN;
    ring[at] = length & 0xff;
    ring[at + 1] = length >> 8;
    ring[at + 2] = Math.max(0, LEVELS.indexOf(level));
    ring[at + 3] = low & 0xff;
    ring[at + 4] = (low >>> 8) & 0xff;
    ring[at + 5] = (low >>> 16) & 0xff;
    ring[at + 6] = (low >>> 24) & 0xff;
    ring[at + 7] = (ms - low) / LOW_SPAN;
    ring.set(bytes, at + HEAD);
    if (cut) for (let i = 0; i < CUT_BYTES.length; i++) ring[at + HEAD + bytes.length + i] = CUT_BYTES[i];
    this.#tail = at + size;
    this.#count++;
  }

  /** Where a record of `size` bytes goes, the oldest records dropped to make room. */
  private place(size: number): number {
    const capacity = this.#ring.length;
    for (;;) {
      if (this.#count === 0) {
        this.#head = this.#tail = this.#end = 0;
        this.#wrapped = false;
        return 0;
      }
      if (!this.#wrapped) {
        if (this.#tail + size <= capacity) return this.#tail;
        // No room before the end: go on from the start (the tail end stays unused).
        this.#end = this.#tail;
        this.#tail = 0;
        this.#wrapped = true;
        continue;
      }
      if (this.#tail + size <= this.#head) return this.#tail;
      this.drop();
    }
  }

  private drop(): void {
    this.#head = this.after(this.#head);
    if (this.#wrapped && this.#head === 0) this.#wrapped = false;
    this.#count--;
    this.#first++;
  }
}

/** A line as JSON text, for GET /api/log and the event stream: {"seq","ms","level","line"}. */
export function logLineJson(line: LogLine): string {
  return `{"seq":${line.seq},"ms":${line.ms},"level":"${line.level}","line":${JSON.stringify(line.line)}}`;
}
