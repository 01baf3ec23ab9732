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

/**
 * Where failures go when the runner is given an object instead of a callback (the manager's
 * Events): emit("task", failure), then emit("status", "tasks"), with no closure held for it.
 */
export interface TaskSink {
  emit(name: "task", failure: TaskFailure): void;
  emit(name: "status", what: "tasks"): void;
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
// What is empty at idle is not made: the lists and sets below appear with their first member.
export class TaskRunner {
  readonly #clock: Clock;
  readonly #log: Logger;
  /** Tasks added before start(); dropped once they are launched. */
  #entries: Entry[] | undefined;
  /** Tasks added so far, for the names of those given none. */
  #added = 0;
  #sleeping: Set<TimerId> | undefined;
  #started = false;
  #stopped = false;
  #running: Set<string> | undefined;
  #failures: TaskFailure[] | undefined;
  readonly #onFailure: ((failure: TaskFailure) => void) | TaskSink | undefined;
  readonly #origin: number;

  constructor(clock: Clock, log: Logger, onFailure?: ((failure: TaskFailure) => void) | TaskSink) {
    this.#clock = clock;
    this.#log = log;
    this.#onFailure = onFailure;
    this.#origin = clock.now();
  }

  /** Names of tasks still running, for status. */
  get running(): readonly string[] {
    return this.#running ? Array.from(this.#running) : [];
  }

  /** The last failures, oldest first. */
  get failures(): readonly TaskFailure[] {
    return this.#failures ?? [];
  }

  add(task: Task, name?: string): void {
    const fn = typeof task === "function" ? task : undefined;
    const label = name || (fn && fn.name) || `task ${this.#added + 1}`;
    this.#added++;
    const entry = { name: label, task };
    if (this.#started) this.launch(entry);
    else (this.#entries ??= []).push(entry);
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    const entries = this.#entries;
    this.#entries = undefined;
    if (entries) for (const entry of entries) this.launch(entry);
  }

  private launch(entry: Entry): void {
    const name = entry.name;
    (this.#running ??= new Set()).add(name);
    let result: unknown;
    try {
      result = typeof entry.task === "function" ? entry.task() : entry.task;
    } catch (e) {
      this.failed(name, e);
      return;
    }
    this.#log.debug(`task ${name} started`);
    // Bound methods, not arrows: held for as long as the task runs (the smaller kind on XS; an
    // async watcher's suspended frame is larger still).
    Promise.resolve(result).then(this.finished.bind(this, name), this.failed.bind(this, name));
  }

  private finished(name: string): void {
    this.#running?.delete(name);
    this.#log.debug(`task ${name} finished`);
  }

  private failed(name: string, e: unknown): void {
    this.#running?.delete(name);
    if (this.#stopped) return;
    const failure: TaskFailure = Object.freeze({ name, error: errorText(e), at: Math.floor((this.#clock.now() - this.#origin) / 1000) });
    this.#log.error(`task ${name} failed: ${failure.error}`);
    const failures = (this.#failures ??= []);
    if (failures.length >= MAX_FAILURES) failures.shift();
    failures.push(failure);
    const onFailure = this.#onFailure;
    if (typeof onFailure === "function") onFailure(failure);
    else if (onFailure) {
      onFailure.emit("task", failure);
      onFailure.emit("status", "tasks");
    }
  }

  /** Resolves after ms (the caller checks the range); never, once the runner is stopped. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.#stopped) return;
      const sleeping = (this.#sleeping ??= new Set());
      const id = this.#clock.set(() => {
        sleeping.delete(id);
        resolve();
      }, Math.max(0, ms));
      sleeping.add(id);
    });
  }

  stop(): void {
    this.#stopped = true;
    const sleeping = this.#sleeping;
    if (!sleeping) return;
    for (const id of sleeping) this.#clock.clear(id);
    sleeping.clear();
  }
}
