/*
 * Test doubles for the OTA core, engine-neutral (they run on XS too):
 * - MemoryPartitions: a PartitionStore in memory, for SlotUpdater (the same updater the
 *   simulator uses over files), counting erases and appends.
 * - ScriptedHttpClient: an HttpClient that serves scripted answers on a VirtualClock: images
 *   in fragments, slow or stalled bodies, dropped connections, refusals, redirects. Like a device
 *   client it hands out fragments from ONE reused buffer and scribbles over it after each call,
 *   so a job that keeps a fragment past data() is caught.
 */

import type { HttpClient, HttpDownload, HttpDownloadHandler, HttpGetOptions } from "../../modules/http/http-client";
import type { Slot } from "../../hosts/simulated/boot-record";
import type { PartitionStore } from "../../hosts/simulated/slot-updater";
import type { VirtualClock } from "./virtual-clock";

export class MemoryPartitions implements PartitionStore {
  readonly size: number;
  readonly slots: [Uint8Array | undefined, Uint8Array | undefined] = [undefined, undefined];
  readonly lengths = [-1, -1];
  erases = 0;
  appends = 0;

  constructor(size: number) {
    this.size = size;
  }

  length(slot: Slot): number {
    return this.lengths[slot];
  }

  read(slot: Slot, offset: number, into: Uint8Array): number {
    const data = this.slots[slot];
    if (!data) return 0;
    const n = Math.max(0, Math.min(into.length, this.lengths[slot] - offset));
    into.set(data.subarray(offset, offset + n));
    return n;
  }

  append(slot: Slot, bytes: Uint8Array): void {
    let data = this.slots[slot];
    if (!data) data = this.slots[slot] = new Uint8Array(this.size);
    const at = Math.max(0, this.lengths[slot]);
    if (at + bytes.length > this.size) throw new Error("write past the end of the partition");
    data.set(bytes, at);
    this.lengths[slot] = at + bytes.length;
    this.appends++;
  }

  erase(slot: Slot): void {
    this.lengths[slot] = 0;
    this.erases++;
  }

  /** Puts an image in a slot directly (a device flashed over serial). */
  flash(slot: Slot, image: Uint8Array): void {
    this.erase(slot);
    this.append(slot, image);
  }
}

export interface ScriptedAnswer {
  status?: number;
  body?: Uint8Array;
  /** Content-Length to announce: the body's length by default; null sends none (chunked). */
  contentLength?: number | null;
  location?: string;
  /** Bytes per fragment (default 1460, a TCP segment). */
  fragment?: number;
  /** Virtual ms before the response and between fragments (default 1). */
  delayMs?: number;
  /** "refuse": error before any response; "silent": never answers; "drop": error after `at`
   *  body bytes; "stall": stops after `at` body bytes and never ends. */
  fault?: "refuse" | "silent" | "drop" | "stall";
  at?: number;
}

export class ScriptedHttpClient implements HttpClient {
  readonly #clock: VirtualClock;
  readonly answers = new Map<string, ScriptedAnswer>();
  readonly requests: string[] = [];
  /** Downloads started and not yet ended, errored or aborted. */
  open = 0;
  aborts = 0;
  readonly #buffer = new Uint8Array(4096);

  constructor(clock: VirtualClock) {
    this.#clock = clock;
  }

  /** Scripts the answer for "host:port/path". */
  serve(where: string, answer: ScriptedAnswer): this {
    this.answers.set(where, answer);
    return this;
  }

  get(options: HttpGetOptions, handler: HttpDownloadHandler): HttpDownload {
    const where = `${options.host}:${options.port}${options.path}`;
    this.requests.push(where);
    const answer = this.answers.get(where) ?? { status: 404, body: new Uint8Array(0) };
    const clock = this.#clock;
    const delay = answer.delayMs ?? 1;
    const body = answer.body ?? new Uint8Array(0);
    const step = answer.fragment ?? 1460;
    const limit = answer.fault === "drop" || answer.fault === "stall" ? Math.min(answer.at ?? 0, body.length) : body.length;
    let sent = 0;
    let live = true;
    let timer: unknown;
    this.open++;
    const finish = (): void => {
      if (live) this.open--;
      live = false;
    };
    const buffer = this.#buffer;
    const tick = (): void => {
      timer = undefined;
      if (!live) return;
      if (sent < limit) {
        const n = Math.min(step, limit - sent, buffer.length);
        buffer.set(body.subarray(sent, sent + n));
        sent += n;
        handler.data(buffer.subarray(0, n));
        buffer.fill(0xaa, 0, n);
        if (live) timer = clock.set(tick, delay);
        return;
      }
      if (answer.fault === "stall") return;
      finish();
      if (answer.fault === "drop") handler.error("connection dropped");
      else handler.end();
    };
    timer = clock.set(() => {
      timer = undefined;
      if (!live) return;
      if (answer.fault === "silent") return;
      if (answer.fault === "refuse") {
        finish();
        handler.error("connection refused");
        return;
      }
      const contentLength = answer.contentLength === null ? undefined : (answer.contentLength ?? body.length);
      handler.response({ status: answer.status ?? 200, contentLength, location: answer.location });
      if (live) timer = clock.set(tick, delay);
    }, delay);
    return {
      abort: () => {
        if (!live) return;
        this.aborts++;
        finish();
        clock.clear(timer as never);
      },
    };
  }
}
