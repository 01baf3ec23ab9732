/*
 * NodeClock: the simulator's Clock over Node's timers. It remembers every live timer so that
 * shutdown() can clear them all: the simulator's reboot stops everything the old app started,
 * as a device reset does.
 */

import { performance } from "node:perf_hooks";
import type { Clock, TimerId } from "../../modules/host/clock";

export class NodeClock implements Clock {
  readonly #live = new Map<object, NodeJS.Timeout>();
  #closed = false;

  now(): number {
    return performance.now();
  }

  set(callback: () => void, ms: number, repeat?: number): TimerId {
    // As Moddable's Timer.set: a repeat of 0 (or none) is a one-shot timer.
    if (!repeat) repeat = undefined;
    const id = {};
    if (this.#closed) return id;
    const fire = (): void => {
      if (repeat === undefined) this.#live.delete(id);
      callback();
    };
    const first = setTimeout(() => {
      if (repeat !== undefined && this.#live.has(id)) this.#live.set(id, setInterval(fire, Math.max(1, repeat)));
      fire();
    }, Math.max(0, ms));
    this.#live.set(id, first);
    return id;
  }

  clear(id: TimerId | undefined): void {
    if (typeof id !== "object" || id === null) return;
    const timer = this.#live.get(id);
    if (timer) {
      clearTimeout(timer);
      clearInterval(timer);
      this.#live.delete(id);
    }
  }

  /** Clears every timer and refuses new ones. */
  shutdown(): void {
    this.#closed = true;
    for (const timer of this.#live.values()) {
      clearTimeout(timer);
      clearInterval(timer);
    }
    this.#live.clear();
  }
}
