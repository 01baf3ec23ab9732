/*
 * Feature: a part of the framework that plugs into the manager (WiFi, OTA, persistent
 * variables on the page, ...). The manager builds the context, calls attach() once before the
 * server starts, merges status() into GET /api/status, renders pageSection() into the page (it
 * must return HTML that is already escaped), appends clientScript to /app.js, and calls
 * detach() when it stops (the simulator's in-process reboot, tests). A feature owns its routes
 * (added through context.router) and clears every timer it set in detach().
 */

import type { Config } from "./config/config";
import type { ConfigGroup } from "./config/config-keys";
import type { DataStore } from "./data/data-store";
import type { Host } from "./host/host";
import type { HttpRequest, HttpResponse } from "./http/http-message";
import type { NetworkStatus } from "./host/network";
import type { Router } from "./http/router";
import type { Logger } from "./log/logger";

export interface FeatureContext {
  readonly host: Host;
  readonly config: Config;
  readonly data: DataStore;
  readonly router: Router;
  readonly log: Logger;
  /** Restarts the device after the current response has gone out. */
  readonly restartSoon: (delayMs?: number) => void;
}

export interface Feature {
  readonly name: string;
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
  /** Config keys of this group are edited in the feature's own section, not the settings form. */
  readonly configGroup?: ConfigGroup;
  /** Browser JavaScript appended to /app.js (served with script-src 'self'). */
  readonly clientScript?: string;
}
