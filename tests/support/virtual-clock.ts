/*
 * VirtualClock: a Clock whose time moves only when a test says so, so minutes of outages and
 * back-offs run in milliseconds and always in the same order.
 *
 * - advance(ms) fires every timer due within the next ms, in due order (ties in the order they
 *   were set), including timers that those callbacks set, and leaves now() at the end. It lets
 *   pending promise reactions run after each timer (await it), so async tasks that sleep in a
 *   loop take every turn they are due. run(ms) does the same synchronously, for callback-driven
 *   code (the WiFi policy) whose tests need no awaiting.
 * - Timers follow Moddable's Timer.set(callback, ms, repeat): first after ms, then every repeat.
 * - A cleared timer never fires, even when cleared by a callback due at the same instant.
 * Engine-neutral: the core tests that use it also run on XS.
 */

import type { Clock, TimerId } from "../../modules/host/clock";

/** Lets chains of promise reactions run: an await costs one to three turns, so take plenty. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await undefined;
}

interface Entry {
  readonly handle: { readonly id: number };
  at: number;
  readonly seq: number;
  readonly callback: () => void;
  readonly repeat: number;
}

export class VirtualClock implements Clock {
  #now = 0;
  #seq = 0;
  readonly #timers = new Map<object, Entry>();

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  set(callback: () => void, ms: number, repeat?: number): TimerId {
    const handle = Object.freeze({ id: ++this.#seq });
    const delay = Math.max(0, Number.isFinite(ms) ? ms : 0);
    this.#timers.set(handle, {
      handle,
      at: this.#now + delay,
      seq: this.#seq,
      callback,
      repeat: repeat !== undefined && repeat > 0 ? repeat : 0,
    });
    return handle;
  }

  clear(id: TimerId | undefined): void {
    if (id !== undefined && typeof id === "object") this.#timers.delete(id);
  }

  /** Timers still waiting to fire. */
  get pending(): number {
    return this.#timers.size;
  }

  #next(limit: number): Entry | undefined {
    let best: Entry | undefined;
    for (const entry of this.#timers.values()) {
      if (entry.at > limit) continue;
      if (!best || entry.at < best.at || (entry.at === best.at && entry.seq < best.seq)) best = entry;
    }
    return best;
  }

  #fire(entry: Entry): void {
    this.#now = entry.at;
    if (entry.repeat) entry.at += entry.repeat;
    else this.#timers.delete(entry.handle);
    entry.callback();
  }

  /** Moves time forward by ms synchronously, firing what falls due on the way. */
  run(ms: number): void {
    const end = this.#now + Math.max(0, ms);
    for (let entry = this.#next(end); entry; entry = this.#next(end)) this.#fire(entry);
    this.#now = end;
  }

  /**
   * Moves time forward by ms, firing what falls due on the way and letting promise reactions
   * settle after each timer (a resumed task may set the next timer before time moves on).
   */
  async advance(ms: number): Promise<void> {
    const end = this.#now + Math.max(0, ms);
    await settle();
    for (let entry = this.#next(end); entry; entry = this.#next(end)) {
      this.#fire(entry);
      await settle();
    }
    this.#now = end;
  }

  /**
   * Runs (synchronously) in steps of stepMs until condition() holds, for at most limitMs; returns the time
   * that passed. Throws when the limit is reached first, naming what was awaited.
   */
  runUntil(condition: () => boolean, limitMs: number, what = "condition", stepMs = 100): number {
    const start = this.#now;
    while (!condition()) {
      if (this.#now - start >= limitMs) throw new Error(`${what} not reached within ${limitMs} ms of virtual time`);
      this.run(stepMs);
    }
    return this.#now - start;
  }
}
