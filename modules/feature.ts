/*
 * Feature: a part of the device that plugs into the manager (WiFi, OTA, metrics, the persistent
 * variables' card, and the app's own). A feature lives in its own folder under modules/ and is
 * named once, in the feature list (features.ts); the manager imports no feature.
 *
 * What a feature declares, and what the manager does with it:
 * - needs: the host's parts it cannot work without (radio, udp, updater). Where the host lacks
 *   one, the feature is left out and the reason is logged.
 * - after: features that must start before it, when they are present: the start order
 *   follows these, then the order of the list.
 * - settings: its config keys, with type, default, label, help, limits and secrecy
 *   (config/config-keys.ts). Declared when the manager is made, before anything is served, so
 *   every path (form, JSON API, config.set) enforces them.
 * - attach(context) once before the server starts: it adds its routes (each with its auth
 *   policy), subscribes to events, starts its timers. detach() undoes all of that (the
 *   simulator's in-process reboot, tests): every timer cleared, every subscription ended.
 * - status() is merged into GET /api/status under the feature's name; pageSection() renders its
 *   card (HTML already escaped), on a view of its own; clientScript is appended to /app.js; factoryReset() forgets
 *   what it stored; intercept() sees every request first (the captive portal redirects there);
 *   network() reports the network when the feature drives it.
 * - api is what the app reaches as iot.<name> (iot.alexa.expose(...)): a feature that offers
 *   the app calls of its own names their type in FeatureApis (features.ts), and the manager
 *   hands the object out through iot.feature(name) and the iot.<name> getter.
 */

import type { Config } from "./config/config";
import type { SettingSpec } from "./config/config-keys";
import type { DataStore } from "./data/data-store";
import type { Events } from "./events";
import type { Host } from "./host/host";
import type { NetworkStatus } from "./host/network";
import type { HttpRequest, HttpResponse } from "./http/http-message";
import type { Router } from "./http/router";
import type { LogRing } from "./log/log-ring";
import type { Logger } from "./log/logger";
import type { DeviceClock } from "./clock/device-clock";
import type { FormAnswer } from "./http/form-answer";
import type { StaticAsset } from "./http/static-asset";

/** The parts of a host a feature may need. */
export type HostPart = "radio" | "udp" | "updater" | "network";

/**
 * What the manager gives a feature at attach(). Its calls are methods of one small object per
 * feature (their code on the prototype, so a context costs a few slots): call them on the
 * context, `context.answerForm(...)`, never taken off it (`const { answerForm } = context` has
 * no `this`). The same holds for `iot.<name>` APIs such as iot.alexa.
 */
export interface FeatureContext {
  readonly host: Host;
  readonly config: Config;
  readonly data: DataStore;
  readonly router: Router;
  readonly events: Events;
  readonly log: Logger;
  /** The framework's clock (iot.clock): the time of day, whether it is valid, and how to set it. */
  readonly clock: DeviceClock;
  /** The app's title and version, as the page shows them. */
  readonly app: { readonly title: string; readonly version: string };
  /** The network as the manager reports it now. */
  network(): NetworkStatus;
  /** True once the web server accepts connections. */
  serving(): boolean;
  /** The web server's port: the one it is bound to once serving, the one it will use before. */
  webPort(): number;
  /** The device's status as GET /api/status has it. */
  status(): Record<string, unknown>;
  /** A feature that drives the network calls this whenever it may have changed. */
  networkChanged(): void;
  /** Restarts the device after the current response has gone out. */
  restartSoon(delayMs?: number): void;
  /**
   * Answers a form of the feature's card (http/form-answer.ts): JSON for the page's script, or a
   * 303 back to the view with the answer shown once. Use http/form-answer.ts answerForm(context, ...).
   */
  answerForm?(request: HttpRequest, answer: FormAnswer): HttpResponse;
  /** The last log lines (the manager's ring). */
  readonly logs?: LogRing;
  /**
   * The check an "admin" route gets: undefined when the request may go on (no admin password
   * set, or the right one given), else the answer that refuses it (401, 429). Counts a wrong
   * password like any other.
   */
  checkAdmin?(request: HttpRequest): HttpResponse | undefined;
}

export interface Feature {
  readonly name: string;
  /** The card's heading and the settings' legend; the name when absent. */
  readonly title?: string;
  readonly needs?: readonly HostPart[];
  readonly after?: readonly string[];
  readonly settings?: Readonly<Record<string, SettingSpec>>;
  attach(context: FeatureContext): void;
  detach?(): void;
  /**
   * Called for every request before routing; a response ends it there (the captive portal
   * redirects requests for other hosts this way).
   */
  intercept?(request: HttpRequest): HttpResponse | undefined;
  /** The network as this feature drives it; the first feature that answers wins. */
  network?(): NetworkStatus | undefined;
  /** Forgets everything the feature stored (factory reset); the device restarts afterwards. */
  factoryReset?(): void;
  /** Merged into GET /api/status under the feature's name. */
  status?(): unknown;
  /** HTML fragments for the page, already escaped. */
  pageSection?(): Iterable<string>;
  /** True when the section is what the visitor came for (setup): it goes first on the page. */
  pageFirst?(): boolean;
  /** The card belongs on the overview, after status and data (a small card with nothing to edit), not on a view of its own. */
  readonly overviewCard?: boolean;
  /** True when the feature's settings are edited in its own section, not the settings form. */
  readonly ownsSettingsForm?: boolean;
  /** Browser JavaScript appended to /app.js (served with script-src 'self'); a StaticAsset is bytes made once (http/static-asset.ts). */
  readonly clientScript?: string | StaticAsset;
  /**
   * Request headers its routes read beyond the framework's (http/request-parser.ts,
   * KEPT_HEADERS): the server keeps only those, so a name a client makes up is never interned.
   */
  readonly requestHeaders?: readonly string[];
  /** The app's calls into the feature, reached as iot.<name> (typed by FeatureApis in features.ts). */
  readonly api?: object;
}

/** An entry of the feature list: how to make the feature from the app's options for it. */
export interface FeatureEntry<O = unknown> {
  readonly name: string;
  create(options: O | undefined, app: { readonly title: string; readonly version: string; readonly otaUrl?: string }): Feature;
}
