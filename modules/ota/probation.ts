/*
 * Probation: after an update, the new app must run healthy for probationMs in one stretch
 * before it is marked valid; until then a restart (a crash, a watchdog, a power cut, a user)
 * boots the previous app again. That rollback is the bootloader's (ESP-IDF app rollback) or the
 * simulator's; this class only decides WHEN the app has proven itself and calls
 * Updater.markValid().
 *
 *   start() ── running app not on probation ──▶ inactive (nothing to do)
 *      │ on probation
 *      ▼
 *   watching ── healthy() true for probationMs without a break ──▶ markValid() ──▶ valid
 *      │ healthy() false: the stretch starts again
 *
 * Health is whatever the caller says (the OTA feature: web server up and network settled).
 * A markValid() that throws is retried on the next check. stop() clears the timer (detach).
 */

import type { Clock, TimerId } from "../host/clock";
import type { Updater } from "../host/updater";
import type { Logger } from "../log/logger";

export interface ProbationOptions {
  updater: Updater;
  clock: Clock;
  /** Healthy run needed before the app is marked valid (ms). */
  probationMs: number;
  healthy: () => boolean;
  log?: Logger;
  /** How often health is sampled (ms). */
  checkEveryMs?: number;
}

export class Probation {
  readonly #options: ProbationOptions;
  #timer: TimerId | undefined;
  #active = false;
  #healthySince: number | undefined;
  #failedMark = false;

  constructor(options: ProbationOptions) {
    this.#options = options;
  }

  /** True while the running app waits to be marked valid. */
  get active(): boolean {
    return this.#active;
  }

  /** Healthy time still needed, in ms (probationMs while unhealthy, 0 when not on probation). */
  get remainingMs(): number {
    if (!this.#active) return 0;
    const since = this.#healthySince;
    const ran = since === undefined ? 0 : this.#options.clock.now() - since;
    return Math.max(0, this.#options.probationMs - ran);
  }

  start(): void {
    if (this.#active || this.#options.updater.running().state !== "probation") return;
    this.#active = true;
    this.#healthySince = undefined;
    const every = this.#options.checkEveryMs ?? 1000;
    this.#timer = this.#options.clock.set(() => this.check(), every, every);
    this.#options.log?.info(`new app on probation: it is kept once it has run healthy for ${Math.round(this.#options.probationMs / 1000)} s`);
    this.check();
  }

  stop(): void {
    this.#options.clock.clear(this.#timer);
    this.#timer = undefined;
  }

  private check(): void {
    const { clock, healthy, probationMs, updater, log } = this.#options;
    if (!healthy()) {
      this.#healthySince = undefined;
      return;
    }
    const now = clock.now();
    if (this.#healthySince === undefined) this.#healthySince = now;
    if (now - this.#healthySince < probationMs) return;
    try {
      updater.markValid();
    } catch (e) {
      if (!this.#failedMark) log?.error(`could not mark the app valid (will retry): ${e instanceof Error ? e.message : String(e)}`);
      this.#failedMark = true;
      return;
    }
    this.#active = false;
    this.stop();
    const app = updater.running();
    log?.info(`${app.project} ${app.version} ran healthy for ${Math.round(probationMs / 1000)} s: marked valid`);
  }
}
