/*
 * The framework's own endpoints: the page and its resources, GET /data, the config API and
 * form, status, restart and factory reset. Handlers are synchronous (the device's server asks
 * for the response at once); a restart is scheduled after its answer has gone out.
 *
 *   GET  /[?view=<id>]        the page, one view (page.ts)
 *   GET  /app.css, /app.js    the page's stylesheet and script: strong ETag, 304 on
 *                             If-None-Match, cached for good under the page's ?v=<tag> links
 *   POST /config              the settings form          } answered in place (JSON) for the
 *   POST /restart             restart                    } page's script, else 303 back to the
 *   POST /factory-reset       factory reset (confirm=…)  } view with the answer (form-answer.ts)
 *   GET  /data, GET/POST /api/config, GET /api/status, POST /api/reboot, POST /api/factory-reset
 */

import type { Config } from "../config/config";
import { ConfigError } from "../config/config-error";
import type { DataStore } from "../data/data-store";
import type { Feature } from "../feature";
import type { HttpRequest, HttpResponse } from "../http/http-message";
import { readForm, readJsonObject } from "../http/request-body";
import { json, jsonError, JSON_HEADERS } from "../http/response";
import type { Router, RouteTable } from "../http/router";
import { errorText } from "../log/logger";
import { crc32 } from "../text/crc32";
import { utf8Encode } from "../text/utf8";
import { FACTORY_RESET_CONFIRMATION } from "./assets";
import { NoticeBoard, queryValue, type FormAnswer, type PageNotice } from "../http/form-answer";
import { renderPage, type PageModel } from "./page";
import { PAGE_SCRIPT } from "./page-script";
import { PAGE_STYLE } from "./page-style";
import { assetResponse, tagText, type StaticAsset } from "../http/static-asset";

/** What the routes need from the manager. */
export interface WebApp {
  readonly config: Config;
  readonly data: DataStore;
  pageModel(notice: PageNotice | undefined): PageModel;
  status(): Record<string, unknown>;
  /** The features running, whose scripts follow the page's in /app.js. */
  features(): readonly Feature[];
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
    "default-src 'self'; script-src 'self'; style-src 'self' https://cdn.jsdelivr.net; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
});

function configFailure(e: unknown): HttpResponse {
  if (e instanceof ConfigError) return json(400, { error: e.message, key: e.key });
  return jsonError(500, `could not save the config: ${errorText(e)}`);
}

function configView(config: Config): Record<string, unknown> {
  return { ...config.publicValues(), secrets_set: config.secretsSet() };
}

/** Turns the form's fields into config changes: an empty password field keeps the saved one. */
export function formChanges(config: Config, form: Record<string, string>): Record<string, unknown> {
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

function isStaticAsset(script: unknown): script is StaticAsset {
  return typeof script === "object" && script !== null && (script as StaticAsset).bytes instanceof Uint8Array;
}

/** A view's name as a query may carry it: letters, digits, "-" and "_", or "". */
function viewName(query: string): string {
  const view = queryValue(query, "view");
  if (view === "" || view.length > 40) return "";
  for (const c of view) if (!((c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c === "-" || c === "_")) return "";
  return view;
}

/**
 * The routes WebRoutes.handle() answers, as one frozen table (flash on the device): the router
 * keeps one entry for all of them, not a record and a map entry each. What a scraper polls
 * first (the router finds a path with one native search either way).
 */
const WEB_ROUTES: RouteTable = Object.freeze([
  "GET", "/data",
  "GET", "/",
  "GET", "/api/status",
  "GET", "/app.css",
  "GET", "/app.js",
  "GET", "/api/config",
  "POST", "/api/config",
  "POST", "/config",
  "POST", "/api/reboot",
  "POST", "/restart",
  "POST", "/api/factory-reset",
  "POST", "/factory-reset",
]);

/**
 * The routes' state and handlers. The handlers are methods (on the prototype, in flash on the
 * device) behind one bound function for every route, not a closure each: a closure made at run time
 * costs heap slots and a copy of its bytecode for as long as the device runs. They are
 * TypeScript-private, not #private: XS gives every instance one slot per #method.
 */
class WebRoutes {
  readonly notices = new NoticeBoard();
  readonly #router: Router;
  readonly #app: WebApp;
  // The script's tag, made the first time it is needed (from the parts' tags: the framework's
  // scripts carry theirs from the build, an app's plain string is hashed once here).
  #scriptTag: string | undefined = undefined;
  #taggedFeatures = -1;

  constructor(router: Router, app: WebApp) {
    this.#router = router;
    this.#app = app;
  }

  /** Every route's handler: the router has matched the path and method already. */
  handle(request: HttpRequest): HttpResponse {
    const post = request.method === "POST";
    switch (request.path) {
      case "/data":
        // What a scraper polls (first: a switch compares in order): one JSON.stringify of the
        // store (data-store.ts) and a frozen head.
        return { status: 200, headers: JSON_HEADERS as Record<string, string>, body: this.#app.data.toJSONText() };
      case "/":
        return this.page(request);
      case "/app.css":
        return assetResponse(request, PAGE_STYLE.bytes, PAGE_STYLE.tag, PAGE_STYLE.type);
      case "/app.js":
        return assetResponse(request, this.scriptBody(), this.currentScriptTag(), PAGE_SCRIPT.type);
      case "/api/config":
        return post ? this.saveConfig(request) : json(200, configView(this.#app.config));
      case "/config":
        return this.saveForm(request);
      case "/api/status":
        return json(200, this.#app.status());
      case "/api/reboot":
        return this.reboot(request);
      case "/restart":
        return this.restart(request);
      case "/api/factory-reset":
        return this.factoryResetJson(request);
      case "/factory-reset":
        return this.factoryResetForm(request);
    }
    throw new Error(`no web route for ${request.path}`);
  }

  private scripts(): (string | StaticAsset)[] {
    const out: (string | StaticAsset)[] = [];
    for (const feature of this.#app.features()) if (feature.clientScript) out.push(feature.clientScript);
    return out;
  }

  private currentScriptTag(): string {
    const features = this.#app.features().length;
    if (this.#scriptTag !== undefined && this.#taggedFeatures === features) return this.#scriptTag;
    let tags = PAGE_SCRIPT.tag;
    let length = PAGE_SCRIPT.bytes.length;
    for (const script of this.scripts()) {
      if (isStaticAsset(script)) {
        tags += script.tag;
        length += 1 + script.bytes.length;
      } else {
        const bytes = utf8Encode(script);
        tags += tagText(crc32(bytes), bytes.length);
        length += 1 + bytes.length;
      }
    }
    this.#taggedFeatures = features;
    return (this.#scriptTag = tagText(crc32(utf8Encode(tags)), length));
  }

  private scriptBody(): (string | Uint8Array)[] {
    const body: (string | Uint8Array)[] = [PAGE_SCRIPT.bytes];
    for (const script of this.scripts()) body.push("\n", isStaticAsset(script) ? script.bytes : script);
    return body;
  }

  /** A route of that very path (not a pattern that happens to match it: Alexa's /api/:user). */
  private hasOwnRoute(path: string): boolean {
    return this.#router.hasExact("GET", path);
  }

  private page(request: HttpRequest): HttpResponse {
    const app = this.#app;
    // The usual request has no query: neither a view nor a notice to look for.
    const query = request.query;
    const view = query === "" ? "" : viewName(query);
    const model = app.pageModel(query === "" ? undefined : this.notices.take(query));
    let probationLeftS: number | undefined;
    if (view === "settings") {
      // Beside Restart, for a browser without script too: a restart now would roll an update back.
      const ota = app.status().ota as { probation?: boolean; probationLeft?: number } | undefined;
      if (ota?.probation) probationLeftS = ota.probationLeft ?? 0;
    }
    return {
      status: 200,
      headers: PAGE_HEADERS,
      body: renderPage(model, {
        view,
        styleTag: PAGE_STYLE.tag,
        scriptTag: this.currentScriptTag(),
        eventsPath: this.hasOwnRoute("/events") ? "/events" : undefined,
        logs: this.hasOwnRoute("/api/log"),
        probationLeftS,
      }),
    };
  }

  private saveConfig(request: HttpRequest): HttpResponse {
    const body = readJsonObject(request);
    if (!body.ok) return body.response;
    try {
      this.#app.config.update(body.value, "json");
    } catch (e) {
      return configFailure(e);
    }
    return json(200, configView(this.#app.config));
  }

  // The settings form, and any view's form of settings (?view=wifi: the WiFi card without script).
  private saveForm(request: HttpRequest): HttpResponse {
    const config = this.#app.config;
    const form = readForm(request);
    if (!form.ok) return form.response;
    const view = viewName(request.query) || "settings";
    let answer: FormAnswer;
    try {
      const changed = config.update(formChanges(config, form.value), "form");
      const labels = changed.map((key) => config.spec(key)?.label ?? key);
      answer = { ok: true, message: changed.length ? `Saved: ${labels.join(", ")}.` : "Nothing changed.", view, extra: { changed } };
    } catch (e) {
      if (e instanceof ConfigError) answer = { ok: false, message: `Not saved: ${e.message}`, key: e.key, view };
      else answer = { ok: false, message: `Not saved: could not save the settings: ${errorText(e)}`, view, status: 500 };
    }
    return this.notices.answer(request, answer, view === "settings" ? "settings" : undefined);
  }

  private reboot(request: HttpRequest): HttpResponse {
    const body = readJsonObject(request);
    if (!body.ok) return body.response;
    if (!this.#app.canRestart()) return jsonError(501, CANNOT_RESTART);
    this.#app.restartSoon();
    return json(202, { rebooting: true });
  }

  private restart(request: HttpRequest): HttpResponse {
    const app = this.#app;
    const form = readForm(request);
    if (!form.ok) return form.response;
    if (!app.canRestart()) return this.notices.answer(request, { ok: false, message: `Not restarted: ${CANNOT_RESTART}.`, view: "settings", status: 501 }, "restart");
    const ota = app.status().ota as { probation?: boolean } | undefined;
    app.restartSoon();
    const message = ota?.probation
      ? "Restarting: the update that was on probation is rolled back. This page reloads when the device is back."
      : "Restarting\u2026 this page reloads when the device is back.";
    return this.notices.answer(request, { ok: true, message, view: "settings", status: 202, extra: { rebooting: true } }, "restart");
  }

  // Erases every setting: it must be asked for in so many words, never by a stray request.
  private factoryResetJson(request: HttpRequest): HttpResponse {
    const app = this.#app;
    const body = readJsonObject(request);
    if (!body.ok) return body.response;
    if (body.value.confirm !== FACTORY_RESET_CONFIRMATION)
      return jsonError(400, `send {"confirm": "${FACTORY_RESET_CONFIRMATION}"} to erase every setting`);
    const failed = app.factoryReset();
    const report = failed.length ? { failed } : {};
    if (!app.canRestart())
      return json(200, { reset: true, rebooting: false, ...report, message: `${failed.length ? "what could be erased is erased" : "every setting is erased"}; ${CANNOT_RESTART} to start in setup mode` });
    return json(202, { reset: true, rebooting: true, ...report });
  }

  private factoryResetForm(request: HttpRequest): HttpResponse {
    const app = this.#app;
    const form = readForm(request);
    if (!form.ok) return form.response;
    if (form.value.confirm !== FACTORY_RESET_CONFIRMATION)
      return this.notices.answer(request, { ok: false, message: "Nothing erased: tick the box to confirm the factory reset.", key: "confirm", view: "settings" }, "reset");
    const failed = app.factoryReset();
    const partly = failed.length ? ` Some parts could not be erased: ${failed.join("; ")}.` : "";
    const restarts = app.canRestart();
    const message = restarts
      ? `Every setting is erased.${partly} The device restarts in setup mode: join its access point to set it up again.`
      : `Every setting is erased.${partly} This host cannot restart the app: quit and relaunch it to start in setup mode.`;
    return this.notices.answer(
      request,
      { ok: true, message, view: restarts ? "" : "settings", status: restarts ? 202 : 200, extra: { reset: true, rebooting: restarts, ...(failed.length ? { failed } : {}) } },
      restarts ? undefined : "reset",
    );
  }
}

/** The framework's routes, as the table at the top lists them, on `router`; their notice board. */
export function addWebRoutes(router: Router, app: WebApp): NoticeBoard {
  const routes = new WebRoutes(router, app);
  // Bound, not an arrow: a bound function is the smaller of the two on XS.
  router.addTable(WEB_ROUTES, routes.handle.bind(routes));
  return routes.notices;
}
