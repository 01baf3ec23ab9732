/*
 * AutoUpdate: the GitHub source's own schedule (ota_auto). "notify" checks every
 * ota_check_hours and shows what it found; "install" also installs a newer release, but only
 * when everything says it is a good moment:
 *
 *   inside ota_window (local time in the timezone setting), no request for idleMs (nobody is
 *   using the device), no update or probation running, and the clock valid (without it local
 *   time means nothing and certificates cannot be checked).
 *
 * - Checks are spread: the first comes 1 minute after start plus a random part of up to 30
 *   minutes (or of the period, when shorter), each next one after the period give or take a
 *   tenth at random, so a fleet that booted together does not ask GitHub at once. A check that
 *   cannot run (no clock yet, no network, GitHub's rate limit) is tried again later.
 * - While a newer release waits to be installed, the decision is made again every minute (one
 *   timer; nothing else runs when there is nothing to do).
 * - Every decision is logged once when it changes ("waiting for the window 02:00-05:00 (now
 *   14:03 CET)", "installing 2.0.0"), not every minute.
 * - decide() is the rule alone, for the tests.
 */

import type { Clock, TimerId } from "../../host/clock";
import type { Logger } from "../../log/logger";
import type { LocalTime } from "../../clock/posix-tz";
import { inTimeWindows, type TimeWindow } from "../../clock/time-window";
import type { AutoMode } from "./github-settings";
import type { AvailableRelease, CheckReport } from "./github-check";

export interface AutoUpdateHooks {
  mode(): AutoMode;
  checkHours(): number;
  windows(): readonly TimeWindow[];
  /** The text of ota_window, for the log. */
  windowText(): string;
  clockValid(): boolean;
  localNow(): LocalTime;
  /** Ms since the last request was answered (Infinity when none was). */
  idleForMs(): number;
  /** Why an update cannot start now (one is running, probation), or undefined. */
  busy(): string | undefined;
  /** Why a check cannot run now (no network, rate limit), or undefined. */
  cannotCheck(): string | undefined;
  /** Starts a check; its report arrives later. False when one is already running. */
  check(done: (report: CheckReport) => void): boolean;
  /** The newer release found by the last check, if any. */
  available(): AvailableRelease | undefined;
  /** Starts installing the available release; a string is why it could not. */
  install(): string | undefined;
  random(): number;
}

export interface AutoUpdateOptions {
  readonly clock: Clock;
  readonly log: Logger;
  readonly hooks: AutoUpdateHooks;
  /** Quiet needed before an automatic install (ms, default 5 minutes). */
  readonly idleMs?: number;
}

export interface InstallFacts {
  readonly mode: AutoMode;
  readonly available: AvailableRelease | undefined;
  readonly clockValid: boolean;
  readonly local: LocalTime | undefined;
  readonly windows: readonly TimeWindow[];
  readonly idleForMs: number;
  readonly idleMs: number;
  readonly busy: string | undefined;
}

export type Decision = { readonly install: true; readonly reason: string } | { readonly install: false; readonly reason: string };

const MINUTE = 60_000;
const HOUR = 3_600_000;

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** The rule: install now, or why not. */
export function decide(facts: InstallFacts, windowText: string): Decision {
  const release = facts.available;
  if (facts.mode === "off") return { install: false, reason: "automatic updates are off" };
  if (!release) return { install: false, reason: "nothing newer to install" };
  if (facts.mode === "notify") return { install: false, reason: `${release.version} is available (ota_auto is notify: install it from the page)` };
  if (!facts.clockValid || !facts.local) return { install: false, reason: `${release.version} waits: the clock is not valid yet` };
  if (facts.busy !== undefined) return { install: false, reason: `${release.version} waits: ${facts.busy}` };
  const local = facts.local;
  const now = `${two(local.hour)}:${two(local.minute)} ${local.abbreviation}`;
  // Without the time of day in the reason: it is logged when it changes, not every minute.
  if (!inTimeWindows(local, facts.windows)) return { install: false, reason: `${release.version} waits for the window ${windowText} (${local.abbreviation})` };
  if (facts.idleForMs < facts.idleMs)
    return { install: false, reason: `${release.version} waits: the device was used in the last ${Math.round(facts.idleMs / MINUTE)} minutes` };
  return { install: true, reason: `installing ${release.version} (${release.tag}) at ${now}, inside ${windowText}, the device idle` };
}

export class AutoUpdate {
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #hooks: AutoUpdateHooks;
  readonly #idleMs: number;
  #checkTimer: TimerId | undefined;
  #installTimer: TimerId | undefined;
  #lastReason = "";
  #started = false;
  /** When the next check is due (monotonic ms), for the status. */
  #nextCheckAt: number | undefined;

  constructor(options: AutoUpdateOptions) {
    this.#clock = options.clock;
    this.#log = options.log;
    this.#hooks = options.hooks;
    this.#idleMs = options.idleMs ?? 5 * MINUTE;
  }

  /** Ms until the next automatic check, or undefined when none is planned. */
  get nextCheckInMs(): number | undefined {
    return this.#nextCheckAt === undefined ? undefined : Math.max(0, this.#nextCheckAt - this.#clock.now());
  }

  /** The last decision, in words ("" before the first). */
  get lastDecision(): string {
    return this.#lastReason;
  }

  /** Plans the first check; with `considerInstall`, also decides about an install at once (as reconsider() does). */
  start(considerInstall = false): void {
    this.#started = true;
    this.plan(true);
    if (considerInstall) this.considerInstall();
  }

  stop(): void {
    this.#started = false;
    this.#clock.clear(this.#checkTimer);
    this.#checkTimer = undefined;
    this.#clock.clear(this.#installTimer);
    this.#installTimer = undefined;
    this.#nextCheckAt = undefined;
  }

  /** The settings changed: plan again from now (off stops everything). */
  reconsider(): void {
    if (!this.#started) return;
    this.#clock.clear(this.#checkTimer);
    this.#checkTimer = undefined;
    this.plan(true);
    this.considerInstall();
  }

  /** A check ended (automatic or asked for on the page): install when the rule says so. */
  checked(report: CheckReport): void {
    if (!this.#started) return;
    if (report.kind === "error") this.note(`automatic check: ${report.error}`);
    this.considerInstall();
  }

  private plan(first: boolean): void {
    this.#nextCheckAt = undefined;
    if (this.#hooks.mode() === "off") {
      this.note("automatic updates are off");
      return;
    }
    const period = Math.max(1, this.#hooks.checkHours()) * HOUR;
    const random = this.#hooks.random();
    const delay = first ? MINUTE + Math.floor(random * Math.min(30 * MINUTE, period)) : Math.floor(period * (0.9 + 0.2 * random));
    this.schedule(delay);
  }

  private schedule(delay: number): void {
    this.#clock.clear(this.#checkTimer);
    this.#nextCheckAt = this.#clock.now() + delay;
    this.#checkTimer = this.#clock.set(() => this.due(), delay);
    this.#log.debug(`next automatic update check in ${Math.round(delay / MINUTE)} min`);
  }

  private due(): void {
    this.#checkTimer = undefined;
    this.#nextCheckAt = undefined;
    if (!this.#started || this.#hooks.mode() === "off") return;
    const why = !this.#hooks.clockValid() ? "the clock is not valid yet" : this.#hooks.cannotCheck();
    if (why !== undefined) {
      this.note(`automatic check postponed: ${why}`);
      return this.schedule(5 * MINUTE + Math.floor(this.#hooks.random() * 5 * MINUTE));
    }
    this.note("automatic check");
    const started = this.#hooks.check((report) => this.checked(report));
    if (!started) this.note("automatic check skipped: a check is already running");
    this.plan(false);
  }

  private considerInstall(): void {
    this.#clock.clear(this.#installTimer);
    this.#installTimer = undefined;
    if (!this.#started) return;
    const hooks = this.#hooks;
    const valid = hooks.clockValid();
    const decision = decide(
      {
        mode: hooks.mode(),
        available: hooks.available(),
        clockValid: valid,
        local: valid ? hooks.localNow() : undefined,
        windows: hooks.windows(),
        idleForMs: hooks.idleForMs(),
        idleMs: this.#idleMs,
        busy: hooks.busy(),
      },
      hooks.windowText(),
    );
    this.note(decision.reason);
    if (decision.install) {
      const refused = hooks.install();
      if (refused !== undefined) this.note(`automatic install refused: ${refused}`);
      return;
    }
    // Waiting for the window, quiet, the clock or the end of a probation: look again in a minute.
    if (hooks.mode() === "install" && hooks.available()) this.#installTimer = this.#clock.set(() => this.considerInstall(), MINUTE);
  }

  private note(reason: string): void {
    if (reason === this.#lastReason) return;
    this.#lastReason = reason;
    this.#log.info(`auto-update: ${reason}`);
  }
}
