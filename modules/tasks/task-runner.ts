/*
 * TaskRunner: starts the app's tasks and keeps them apart. A task is an async function (started
 * by start()) or a promise already under way. A task that throws or rejects is logged with its
 * name; the manager and the other tasks go on. sleep() is the tasks' timer (there is no
 * setTimeout on the device); stop() cancels every pending sleep, so a stopped manager's tasks
 * never wake again.
 */

import type { Clock, TimerId } from "../host/clock";
import { errorText, type Logger } from "../log/logger";

export type Task = (() => unknown) | PromiseLike<unknown>;

interface Entry {
  name: string;
  task: Task;
}

export class TaskRunner {
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #entries: Entry[] = [];
  readonly #sleeping = new Set<TimerId>();
  #started = false;
  #stopped = false;
  /** Names of tasks still running, for status. */
  readonly running = new Set<string>();

  constructor(clock: Clock, log: Logger) {
    this.#clock = clock;
    this.#log = log;
  }

  add(task: Task, name?: string): void {
    const fn = typeof task === "function" ? task : undefined;
    const label = name || (fn && fn.name) || `task ${this.#entries.length + 1}`;
    const entry = { name: label, task };
    this.#entries.push(entry);
    if (this.#started) this.#launch(entry);
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    for (const entry of this.#entries) this.#launch(entry);
  }

  #launch(entry: Entry): void {
    this.running.add(entry.name);
    let result: unknown;
    try {
      result = typeof entry.task === "function" ? entry.task() : entry.task;
    } catch (e) {
      this.#failed(entry.name, e);
      return;
    }
    this.#log.debug(`task ${entry.name} started`);
    Promise.resolve(result).then(
      () => {
        this.running.delete(entry.name);
        this.#log.debug(`task ${entry.name} finished`);
      },
      (e: unknown) => this.#failed(entry.name, e),
    );
  }

  #failed(name: string, e: unknown): void {
    this.running.delete(name);
    if (!this.#stopped) this.#log.error(`task ${name} failed: ${errorText(e)}`);
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
