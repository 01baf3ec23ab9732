/*
 * TaskRunner: starts the app's tasks and keeps them apart. A task is an async function (started
 * by start()) or a promise already under way. A task that throws or rejects is logged with its
 * name; the manager and the other tasks go on. sleep() is the tasks' timer (there is no
 * setTimeout on the device); stop() cancels every pending sleep, so a stopped manager's tasks
 * never wake again.
 *
 * A failure is also kept (the last MAX_FAILURES, oldest dropped first: a task fails once, but an
 * app may add many) with the task's name, what it threw and when, and handed to onFailure: the
 * manager shows them in GET /api/status and sends them to the live event stream.
 */

import type { Clock, TimerId } from "../host/clock";
import { errorText, type Logger } from "../log/logger";

export type Task = (() => unknown) | PromiseLike<unknown>;

interface Entry {
  name: string;
  task: Task;
}

export interface TaskFailure {
  readonly name: string;
  /** What it threw, as a log line shows it ("TypeError: x is undefined"). */
  readonly error: string;
  /** When it failed: seconds since the runner was made (the manager's: since boot). */
  readonly at: number;
}

/** Failures kept for status. */
export const MAX_FAILURES = 8;

// Helper methods are TypeScript-private, not #private: XS gives every instance one slot per #method.
export class TaskRunner {
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #entries: Entry[] = [];
  readonly #sleeping = new Set<TimerId>();
  #started = false;
  #stopped = false;
  /** Names of tasks still running, for status. */
  readonly running = new Set<string>();
  readonly #failures: TaskFailure[] = [];
  readonly #onFailure: ((failure: TaskFailure) => void) | undefined;
  readonly #origin: number;

  constructor(clock: Clock, log: Logger, onFailure?: (failure: TaskFailure) => void) {
    this.#clock = clock;
    this.#log = log;
    this.#onFailure = onFailure;
    this.#origin = clock.now();
  }

  /** The last failures, oldest first. */
  get failures(): readonly TaskFailure[] {
    return this.#failures;
  }

  add(task: Task, name?: string): void {
    const fn = typeof task === "function" ? task : undefined;
    const label = name || (fn && fn.name) || `task ${this.#entries.length + 1}`;
    const entry = { name: label, task };
    this.#entries.push(entry);
    if (this.#started) this.launch(entry);
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    for (const entry of this.#entries) this.launch(entry);
  }

  private launch(entry: Entry): void {
    this.running.add(entry.name);
    let result: unknown;
    try {
      result = typeof entry.task === "function" ? entry.task() : entry.task;
    } catch (e) {
      this.failed(entry.name, e);
      return;
    }
    this.#log.debug(`task ${entry.name} started`);
    Promise.resolve(result).then(
      () => {
        this.running.delete(entry.name);
        this.#log.debug(`task ${entry.name} finished`);
      },
      (e: unknown) => this.failed(entry.name, e),
    );
  }

  private failed(name: string, e: unknown): void {
    this.running.delete(name);
    if (this.#stopped) return;
    const failure: TaskFailure = Object.freeze({ name, error: errorText(e), at: Math.floor((this.#clock.now() - this.#origin) / 1000) });
    this.#log.error(`task ${name} failed: ${failure.error}`);
    if (this.#failures.length >= MAX_FAILURES) this.#failures.shift();
    this.#failures.push(failure);
    this.#onFailure?.(failure);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.#stopped) return;
      const id = this.#clock.set(() => {
        this.#sleeping.delete(id);
        resolve();
      }, Math.max(0, ms));
      this.#sleeping.add(id);
    });
  }

  stop(): void {
    this.#stopped = true;
    for (const id of this.#sleeping) this.#clock.clear(id);
    this.#sleeping.clear();
  }
}
