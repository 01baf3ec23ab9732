/*
 * BackgroundJob: work that outlives the request that started it, answered by polling. HTTP
 * handlers are synchronous, so a slow thing (a WiFi scan, an update check) is started by one
 * request (202) and its outcome read by later ones: {state, ageMs, result | error}.
 *
 * - start() runs the work unless it is already running (then it returns false: a second
 *   start is a 409 or a no-op, the caller's choice). The work reports through done(result) or
 *   fail(message), once; what it reports after a cancel or a timeout is ignored.
 * - timeoutMs, when given, fails a job that has not reported by then ("took too long") and
 *   calls the cancel function the work returned.
 * - The last outcome is kept until the next start (the page shows the last scan, the last
 *   check's error).
 */

import type { Clock, TimerId } from "../host/clock";

export type JobState = "idle" | "running" | "done" | "failed";

export interface JobStatus<R> {
  readonly state: JobState;
  /** Milliseconds since the job started (running) or finished (done, failed). */
  readonly ageMs?: number;
  readonly result?: R;
  readonly error?: string;
}

export interface JobReport<R> {
  done(result: R): void;
  fail(message: string): void;
}

export class BackgroundJob<R> {
  readonly #clock: Clock;
  readonly #timeoutMs: number | undefined;
  #state: JobState = "idle";
  #result: R | undefined;
  #error: string | undefined;
  #since = 0;
  #resultAt = 0;
  #generation = 0;
  #timer: TimerId | undefined;
  #cancel: (() => void) | undefined;

  constructor(clock: Clock, options: { timeoutMs?: number } = {}) {
    this.#clock = clock;
    this.#timeoutMs = options.timeoutMs;
  }

  get running(): boolean {
    return this.#state === "running";
  }

  get state(): JobState {
    return this.#state;
  }

  /** The last successful result, kept while a new run is under way. */
  get result(): R | undefined {
    return this.#result;
  }

  get error(): string | undefined {
    return this.#error;
  }

  /** Milliseconds since the job started (running) or since it finished. */
  get ageMs(): number {
    return Math.max(0, this.#clock.now() - this.#since);
  }

  /** Milliseconds since the last successful result (Infinity before the first). */
  get resultAgeMs(): number {
    return this.#result === undefined ? Infinity : Math.max(0, this.#clock.now() - this.#resultAt);
  }

  /** Starts the work; false when it is already running. */
  start(work: (report: JobReport<R>) => (() => void) | void): boolean {
    if (this.#state === "running") return false;
    const generation = ++this.#generation;
    this.#state = "running";
    this.#error = undefined;
    this.#since = this.#clock.now();
    const live = (): boolean => generation === this.#generation && this.#state === "running";
    if (this.#timeoutMs !== undefined) this.#timer = this.#clock.set(() => this.#expire(generation), this.#timeoutMs);
    const report: JobReport<R> = {
      done: (result) => {
        if (live()) this.#finish("done", result, undefined);
      },
      fail: (message) => {
        if (live()) this.#finish("failed", undefined, message);
      },
    };
    try {
      const cancel = work(report);
      if (live()) this.#cancel = cancel ?? undefined;
    } catch (e) {
      if (live()) this.#finish("failed", undefined, e instanceof Error ? e.message : String(e));
    }
    return true;
  }

  #expire(generation: number): void {
    if (generation !== this.#generation || this.#state !== "running") return;
    this.#timer = undefined;
    const cancel = this.#cancel;
    this.#finish("failed", undefined, "took too long");
    cancel?.();
  }

  #finish(state: JobState, result: R | undefined, error: string | undefined): void {
    this.#clock.clear(this.#timer);
    this.#timer = undefined;
    this.#cancel = undefined;
    this.#state = state;
    if (state === "done") {
      this.#result = result;
      this.#resultAt = this.#clock.now();
    }
    this.#error = error;
    this.#since = this.#clock.now();
  }

  /** Stops a running job (its report is ignored from now on); the last outcome stays. */
  cancel(): void {
    if (this.#state !== "running") return;
    this.#generation++;
    const cancel = this.#cancel;
    this.#clock.clear(this.#timer);
    this.#timer = undefined;
    this.#cancel = undefined;
    this.#state = this.#result === undefined ? "idle" : "done";
    cancel?.();
  }

  status(): JobStatus<R> {
    const out: { -readonly [K in keyof JobStatus<R>]: JobStatus<R>[K] } = { state: this.#state };
    if (this.#state !== "idle") out.ageMs = Math.round(this.ageMs);
    if (this.#result !== undefined) out.result = this.#result;
    if (this.#error !== undefined) out.error = this.#error;
    return out;
  }
}
