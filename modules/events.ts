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
 * - on() returns its unsubscribe; calling it twice is harmless. off(name, listener) does the
 *   same without it: a feature that keeps its listener (a bound method) holds nothing more. The
 *   unsubscribe is a bound function, not a closure: on XS a closure made at run time copies its
 *   bytecode into the heap (about 330 B held per subscription, a bound function about 160 B).
 * - A listener that throws is reported through onError (a callback, or a logger's error(): the
 *   manager's) and the others still run.
 */

import type { NetworkStatus } from "./host/network";
import { errorText } from "./log/logger";
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

/** Where a listener's failure goes: a callback, or a logger (the manager's: no closure to hold). */
export type ListenerFailure = ((name: string, error: unknown) => void) | { error(message: string): void };

/** The unsubscribe on() hands out, bound to the listener's list. */
function unsubscribe(this: unknown[], listener: unknown): void {
  const i = this.indexOf(listener);
  if (i >= 0) this.splice(i, 1);
}

export class Events {
  readonly #listeners: { [K in keyof ManagerEvents]?: Listener<ManagerEvents[K]>[] } = {};
  readonly #onError: ListenerFailure;

  constructor(onError: ListenerFailure) {
    this.#onError = onError;
  }

  on<K extends keyof ManagerEvents>(name: K, listener: Listener<ManagerEvents[K]>): () => void {
    const list = (this.#listeners[name] ??= []) as Listener<ManagerEvents[K]>[];
    list.push(listener);
    return unsubscribe.bind(list, listener) as () => void;
  }

  /** Stops calling listener for name (the first time it was subscribed, as on()'s unsubscribe). */
  off<K extends keyof ManagerEvents>(name: K, listener: Listener<ManagerEvents[K]>): void {
    const list = this.#listeners[name] as Listener<ManagerEvents[K]>[] | undefined;
    if (list) unsubscribe.call(list, listener);
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
        const onError = this.#onError;
        if (typeof onError === "function") onError(name, e);
        else onError.error(`a ${name} listener failed: ${errorText(e)}`);
      }
    }
  }

  /** True when anyone listens (a caller may skip building a value nobody reads). */
  has(name: keyof ManagerEvents): boolean {
    return (this.#listeners[name]?.length ?? 0) > 0;
  }
}
