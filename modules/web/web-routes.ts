/*
 * The framework's own endpoints: the page and its script, GET /data, the config API and form,
 * status and reboot. Handlers are synchronous (the device's server asks for the response at
 * once); the reboot is scheduled after its 202 has gone out.
 */

import type { Config } from "../config/config";
import { ConfigError } from "../config/config-error";
import type { DataStore } from "../data/data-store";
import type { HttpResponse } from "../http/http-message";
import { readForm, readJsonObject } from "../http/request-body";
import { json, jsonError, JSON_HEADERS, redirect } from "../http/response";
import type { Router } from "../http/router";
import { errorText } from "../log/logger";
import { FACTORY_RESET_CONFIRMATION } from "./assets";
import { renderPage, type PageModel, type PageNotice } from "./page";

/** What the routes need from the manager. */
export interface WebApp {
  readonly config: Config;
  readonly data: DataStore;
  pageModel(notice: PageNotice | undefined): PageModel;
  status(): Record<string, unknown>;
  clientScript(): string;
  restartSoon(delayMs?: number): void;
  /** Erases what it can; returns what it could not erase (empty when all went). */
  factoryReset(): string[];
  /** False on a host that cannot restart the app (the Moddable simulator). */
  canRestart(): boolean;
}

/** What a host that cannot restart says instead of restarting. */
export const CANNOT_RESTART = "this host cannot restart the app: quit and relaunch it";

const PAGE_HEADERS = Object.freeze({
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "same-origin",
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
});

/** The outcome of the last form save, shown once on the page the browser is sent back to. */
class NoticeBoard {
  #id = 0;
  #notice: PageNotice | undefined;

  post(notice: PageNotice): string {
    this.#notice = notice;
    return String(++this.#id);
  }

  take(query: string): PageNotice | undefined {
    const m = /(?:^|&)n=(\d+)(?:&|$)/.exec(query);
    return m && Number(m[1]) === this.#id ? this.#notice : undefined;
  }
}

function configFailure(e: unknown): HttpResponse {
  if (e instanceof ConfigError) return json(400, { error: e.message, key: e.key });
  return jsonError(500, `could not save the config: ${errorText(e)}`);
}

function configView(config: Config): Record<string, unknown> {
  return { ...config.publicValues(), secrets_set: config.secretsSet() };
}

/** Turns the form's fields into config changes: an empty password field keeps the saved one. */
function formChanges(config: Config, form: Record<string, string>): Record<string, unknown> {
  // No prototype, like parseForm's: a field named __proto__ or constructor is then a key like any
  // other (and an unknown one), and never meets the device's frozen Object.prototype.
  const changes = Object.create(null) as Record<string, unknown>;
  for (const name of Object.keys(form)) {
    if (name.startsWith("clear:")) {
      const key = name.slice(6);
      if (config.spec(key)?.secret && form[name] === "true") changes[key] = "";
      continue;
    }
    if (config.spec(name)?.secret && form[name] === "") continue;
    if (Object.hasOwn(changes, name)) continue;
    changes[name] = form[name];
  }
  return changes;
}

export function addWebRoutes(router: Router, app: WebApp): void {
  const notices = new NoticeBoard();

  router.add("GET", "/", (request) => ({
    status: 200,
    headers: PAGE_HEADERS,
    body: renderPage(app.pageModel(notices.take(request.query))),
  }));

  router.add("GET", "/app.js", () => ({
    status: 200,
    headers: {
      "content-type": "text/javascript; charset=utf-8",
      "cache-control": "max-age=3600",
      "x-content-type-options": "nosniff",
    },
    body: app.clientScript(),
  }));

  // What a scraper polls: one JSON.stringify of the store (data-store.ts) and a frozen head.
  router.add("GET", "/data", () => ({ status: 200, headers: JSON_HEADERS as Record<string, string>, body: app.data.toJSONText() }));

  router.add("GET", "/api/config", () => json(200, configView(app.config)));

  router.add("POST", "/api/config", (request) => {
    const body = readJsonObject(request);
    if (!body.ok) return body.response;
    try {
      app.config.update(body.value, "json");
    } catch (e) {
      return configFailure(e);
    }
    return json(200, configView(app.config));
  });

  router.add("POST", "/config", (request) => {
    const form = readForm(request);
    if (!form.ok) return form.response;
    let notice: PageNotice;
    try {
      const changed = app.config.update(formChanges(app.config, form.value), "form");
      notice = { kind: "success", text: changed.length ? `Saved: ${changed.join(", ")}.` : "Nothing changed." };
    } catch (e) {
      const failure = e instanceof ConfigError ? e.message : `could not save the settings: ${errorText(e)}`;
      notice = { kind: "danger", text: `Not saved: ${failure}` };
    }
    return redirect(`/?n=${notices.post(notice)}`);
  });

  router.add("GET", "/api/status", () => json(200, app.status()));

  router.add("POST", "/api/reboot", (request) => {
    const body = readJsonObject(request);
    if (!body.ok) return body.response;
    if (!app.canRestart()) return jsonError(501, CANNOT_RESTART);
    app.restartSoon();
    return json(202, { rebooting: true });
  });

  // Erases every setting: it must be asked for in so many words, never by a stray request.
  router.add("POST", "/api/factory-reset", (request) => {
    const body = readJsonObject(request);
    if (!body.ok) return body.response;
    if (body.value.confirm !== FACTORY_RESET_CONFIRMATION)
      return jsonError(400, `send {"confirm": "${FACTORY_RESET_CONFIRMATION}"} to erase every setting`);
    const failed = app.factoryReset();
    const report = failed.length ? { failed } : {};
    if (!app.canRestart())
      return json(200, { reset: true, rebooting: false, ...report, message: `${failed.length ? "what could be erased is erased" : "every setting is erased"}; ${CANNOT_RESTART} to start in setup mode` });
    return json(202, { reset: true, rebooting: true, ...report });
  });
}
