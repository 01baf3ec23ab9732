/*
 * Events: what happens to the device, for features and the app to follow without knowing who
 * causes it. One listener list per event name; emit() calls them in the order they subscribed.
 *
 * - network: the network as the manager reports it, whenever its mode, address or SSID
 *   changes (also once when the manager starts). "Has an address" is mode station/ap+station
 *   with an ip: what SNTP, mDNS and MQTT wait for.
 * - clock: the wall clock became valid (or was set again), with where the time came from.
 * - data: a data entry was set or deleted (the key), or the store was cleared ("").
 * - config: settings changed (their keys).
 * - answer: the web server answered a request (its status), for the metrics.
 * - serving: the web server accepts connections, on this port (once per run; mDNS announces it).
 * - status: something GET /api/status shows changed that none of the above says (a feature's
 *   name: "ota" when an update's state moves; "tasks" when a task failed). The live event
 *   stream sends the status again.
 * - task: a task failed (its name, what it threw, when), after it was logged.
 * - on() returns its unsubscribe; calling it twice is harmless. A listener that throws is
 *   reported through onError (the manager logs it) and the others still run.
 */

import type { NetworkStatus } from "./host/network";
import type { TaskFailure } from "./tasks/task-runner";

export interface ClockEvent {
  /** Where the time came from ("sntp", "host", ...). */
  readonly source: string;
  /** The wall-clock time it was set to, ms since 1970. */
  readonly at: number;
}

export interface ManagerEvents {
  network: NetworkStatus;
  clock: ClockEvent;
  data: string;
  config: readonly string[];
  answer: number;
  serving: { readonly port: number };
  status: string;
  task: TaskFailure;
}

export type Listener<T> = (value: T) => void;

export class Events {
  readonly #listeners: { [K in keyof ManagerEvents]?: Listener<ManagerEvents[K]>[] } = {};
  readonly #onError: (name: string, error: unknown) => void;

  constructor(onError: (name: string, error: unknown) => void) {
    this.#onError = onError;
  }

  on<K extends keyof ManagerEvents>(name: K, listener: Listener<ManagerEvents[K]>): () => void {
    const list = (this.#listeners[name] ??= []) as Listener<ManagerEvents[K]>[];
    list.push(listener);
    return () => {
      const i = list.indexOf(listener);
      if (i >= 0) list.splice(i, 1);
    };
  }

  emit<K extends keyof ManagerEvents>(name: K, value: ManagerEvents[K]): void {
    const list = this.#listeners[name] as Listener<ManagerEvents[K]>[] | undefined;
    if (!list || list.length === 0) return;
    // A copy: a listener may unsubscribe (itself or another) while the event is delivered.
    // Indexed: for-of walks an array through an iterator on XS (this runs once per answer).
    const listeners = list.length === 1 ? list : list.slice();
    for (let i = 0; i < listeners.length; i++) {
      const listener = listeners[i];
      try {
        listener(value);
      } catch (e) {
        this.#onError(name, e);
      }
    }
  }

  /** True when anyone listens (a caller may skip building a value nobody reads). */
  has(name: keyof ManagerEvents): boolean {
    return (this.#listeners[name]?.length ?? 0) > 0;
  }
}
