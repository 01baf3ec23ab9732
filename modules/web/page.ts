/*
 * The device's page: one view at a time, under a header that every view shares (the title,
 * clamped to two lines; the device's state, kept by the script; the navigation between views).
 *   /                 Overview: what needs attention (storage, no password, failed tasks), the
 *                     setup card while the device is in setup (a feature's pageFirst), status,
 *                     data, then the small cards that have no view of their own (overviewCard)
 *   /?view=<feature>  that feature's card (WiFi, Update, Variables, ...)
 *   /?view=settings   the settings form, then restart and factory reset
 *   /?view=logs       the log, where the device keeps one (GET /api/log)
 * The stylesheet and the script are their own resources (/app.css, /app.js), cached by the
 * browser; the page links them by their tag. Its fixed markup is bytes made once (preloaded:
 * in flash on the device) and goes out as it is; only what changes is escaped and encoded.
 * Produced as fragments, so the device sends it piece by piece and never holds it whole.
 * Every string from a user, the app or the network goes through escapeHtml; the page's CSP
 * forbids inline script, so an escaping slip still cannot run code.
 */

import type { Config } from "../config/config";
import { choiceValue } from "../config/coerce-config-value";
import type { SettingSpec } from "../config/config-keys";
import type { DataStore, DataValue } from "../data/data-store";
import type { Feature } from "../feature";
import type { NetworkStatus } from "../host/network";
import { escapeHtml, needsEscape } from "../text/escape-html";
import { BOOTSTRAP_CSS, FACTORY_RESET_CONFIRMATION } from "./assets";
import type { PageNotice } from "../http/form-answer";
import { fixedBytes } from "../http/static-asset";

export type { PageNotice } from "../http/form-answer";

export interface PageModel {
  title: string;
  useCss: boolean;
  version: string;
  uptimeSeconds: number;
  network: NetworkStatus;
  config: Config;
  data: DataStore;
  features: readonly Feature[];
  /** The features by the part of the page they show in (pageSections of the features). */
  sections: PageSections;
  notice?: PageNotice;
  /** Polling interval of the data table, in ms. */
  refreshMs: number;
  /** False on a host that cannot restart the app: the page says so instead of offering to. */
  canRestart: boolean;
  /** What could not be read from storage (defaults in use), in plain words. */
  storageProblems: readonly string[];
}

/**
 * The features with a section, sorted once for the page (the manager keeps this until its
 * features change): walking a few short lists costs less on XS than every feature at every step.
 */
export interface PageSections {
  /** A view of their own, in the navigation's order (between the overview and settings, logs). */
  readonly views: readonly Feature[];
  /** A small card at the overview's end (overviewCard), unless it is shown first. */
  readonly cards: readonly Feature[];
  /** May put their card first on the overview (pageFirst: the setup card). */
  readonly setup: readonly Feature[];
}

export function pageSections(features: readonly Feature[]): PageSections {
  const views: Feature[] = [];
  const cards: Feature[] = [];
  const setup: Feature[] = [];
  for (const feature of features) {
    if (!feature.pageSection) continue;
    (feature.overviewCard ? cards : views).push(feature);
    if (feature.pageFirst) setup.push(feature);
  }
  return { views, cards, setup };
}

/** What the routes add to the model: the view asked for and the resources' tags. */
export interface PageOptions {
  /** "" for the overview, "settings", "logs", or a feature's name. */
  view: string;
  styleTag: string;
  scriptTag: string;
  /** The event stream's path when the device has one (the script prefers it to polling). */
  eventsPath?: string;
  /** The device keeps a log (GET /api/log): the Logs view is offered. */
  logs: boolean;
  /** Seconds left of an update's probation (a restart now rolls it back): said beside Restart. */
  probationLeftS?: number;
}

export function showValue(value: DataValue): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

export function formatUptime(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor(seconds / 3600) % 24;
  const m = Math.floor(seconds / 60) % 60;
  return `${d ? d + "d " : ""}${d || h ? h + "h " : ""}${m}m ${seconds % 60}s`;
}


// The fixed markup, as bytes made once. Only blocks worth it: a short fixed piece between two
// values costs less inside the values' template (joined natively, encoded with them) than as a
// fragment of its own, and the server writes each bytes fragment as a piece of its own.
const HEAD_META = fixedBytes(`<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="color-scheme" content="light"><title>`);
const HEADER_STATE = fixedBytes(`</h1><span class="iot-state" id="iot-state" data-state="online" role="status" hidden>Online</span></div><nav class="container" aria-label="Views"><ul class="iot-nav">`);
// Short fixed pieces are joined to the string before them: a fragment of its own costs a
// generator step and a writer's piece, more than the few bytes it saves from encoding.
const MAIN_OPEN = `</ul></nav></header><main class="container iot-main" id="main">`;
const TASKS_BOX = `<div class="alert alert-danger" id="iot-tasks" role="alert" hidden><strong>A task failed.</strong> The rest of the device goes on.<ul class="mb-0" id="iot-tasks-list"></ul></div>`;
const NO_PASSWORD = `<div class="alert alert-warning" id="no-password">No admin password is set: anyone on this network can change these settings. <a class="alert-link" href="/?view=settings#cfg-admin_password">Set one in Settings</a>.</div>`;
const STATUS_OPEN = `<div class="iot-grid"><section class="card mb-3" aria-labelledby="status-title"><div class="card-body"><h2 class="h5" id="status-title">Status</h2><table class="table table-sm mb-0 iot-table"><tbody>`;
// The alerts above the status card, with or without the password's, and the card's head: one
// piece, unless a feature's setup card goes between them (then strings: setup mode is rare).
const ALERTS_STATUS = fixedBytes(TASKS_BOX + STATUS_OPEN);
const NO_PASSWORD_ALERTS_STATUS = fixedBytes(NO_PASSWORD + TASKS_BOX + STATUS_OPEN);
const DATA_OPEN = fixedBytes(`</tbody></table></div></section><section class="card mb-3" aria-labelledby="data-title"><div class="card-body"><h2 class="h5" id="data-title">Data</h2><table class="table table-sm table-striped mb-0 iot-table" id="data" aria-labelledby="data-title"><tbody id="data-body">`);
// The table's end and the "No data yet." line, hidden while there are rows.
const DATA_END_ROWS = fixedBytes(`</tbody></table><p class="small text-muted mb-0" id="data-empty" hidden>No data yet.</p></div></section></div>`);
const DATA_END_EMPTY = fixedBytes(`</tbody></table><p class="small text-muted mb-0" id="data-empty">No data yet.</p></div></section></div>`);
const BOOTSTRAP_ATTRIBUTES = ` data-bootstrap="${BOOTSTRAP_CSS.href}" data-bootstrap-integrity="${BOOTSTRAP_CSS.integrity}"`;
const SETTINGS_OPEN = fixedBytes(`<section class="card mb-3" id="settings" aria-labelledby="settings-title"><div class="card-body"><h2 class="h5" id="settings-title">Settings</h2><form id="settings-form" method="post" action="/config" accept-charset="utf-8" data-answer="auto" data-sending="Saving\u2026">`);
const SETTINGS_SUBMIT = fixedBytes(`<datalist id="ssid-list"></datalist><div class="iot-actions"><button class="btn btn-primary" type="submit">Save settings</button></div>`);
const LOGS = fixedBytes(
  `<section class="card mb-3" id="logs" aria-labelledby="logs-title"><div class="card-body"><h2 class="h5" id="logs-title">Log</h2>` +
    `<p class="small text-muted" id="iot-log-state" role="status">Reading the log\u2026</p>` +
    `<div class="iot-log" id="iot-log" role="log" aria-labelledby="logs-title" tabindex="0"></div>` +
    `<noscript><p class="small">Following the log needs JavaScript; the device's last lines are at <a href="/api/log">/api/log</a>.</p></noscript></div></section>`,
);
const RESET_FORM = fixedBytes(
  `<form id="reset-form" method="post" action="/factory-reset" accept-charset="utf-8" data-answer="auto" data-after="restart" data-reload data-then="/" data-sending="Erasing\u2026">` +
    `<h3 class="h6 mt-3">Factory reset</h3><div class="form-check"><input class="form-check-input" type="checkbox" id="reset-confirm" name="confirm" value="${FACTORY_RESET_CONFIRMATION}" required>` +
    ` <label class="form-check-label" for="reset-confirm">Erase every setting and variable, WiFi included, and start again in setup mode</label></div>` +
    `<div class="iot-actions"><button class="btn btn-outline-danger" type="submit">Factory reset</button></div>`,
);

/** Data rows per fragment: about a TCP segment's worth of typical rows (the writer joins them anyway). */
const ROWS_PER_FRAGMENT = 16;

/** The answer box of a form: empty and hidden, or the notice the page came back with. */
function answerBox(id: string, notice: PageNotice | undefined): string {
  if (!notice) return `<div class="iot-answer" id="${id}" role="status" hidden></div>`;
  return `<div class="alert alert-${notice.kind} iot-answer" id="${id}" role="status">${escapeHtml(notice.text)}</div>`;
}

/** The input's limits as attributes, so the browser refuses what the server would. */
function limitAttributes(spec: SettingSpec): string {
  let out = "";
  if (spec.type === "number" || spec.type === "integer") {
    if (spec.min !== undefined) out += ` min="${spec.min}"`;
    if (spec.max !== undefined) out += ` max="${spec.max}"`;
    out += ` step="${spec.step ?? (spec.type === "integer" ? 1 : "any")}"`;
  } else {
    if (spec.pattern !== undefined && !spec.secret) out += ` pattern="${escapeHtml(spec.pattern)}"`;
    if (spec.patternHelp !== undefined) out += ` title="${escapeHtml(spec.patternHelp)}"`;
    // maxlength counts characters, the limit bytes: the server has the last word on non-ASCII text.
    if (spec.maxBytes !== undefined) out += ` maxlength="${spec.maxBytes}"`;
    if (spec.minBytes !== undefined && spec.minBytes > 0 && !spec.secret) out += ` required`;
  }
  return out;
}

/** One setting's input, its label and help; `invalid` marks it (the notice named it). */
export function* configField(config: Config, key: string, invalid = false): Generator<string> {
  const spec = config.spec(key);
  if (!spec) return;
  const id = `cfg-${escapeHtml(key)}`;
  const name = escapeHtml(key);
  const label = escapeHtml(spec.label);
  const value = config.get(key);
  const help = spec.help ? `<div class="form-text" id="${id}-help">${escapeHtml(spec.help)}</div>` : "";
  const described = (spec.help ? ` aria-describedby="${id}-help"` : "") + (invalid ? ` aria-invalid="true" aria-errormessage="settings-answer"` : "");
  const bad = invalid ? " is-invalid" : "";
  if (spec.type === "boolean") {
    yield `<div class="form-check mb-3"><input type="hidden" name="${name}" value="false">`;
    yield `<input class="form-check-input${bad}" type="checkbox" id="${id}" name="${name}" value="true"${value ? " checked" : ""}${described}>`;
    yield ` <label class="form-check-label" for="${id}">${label}</label>${help}</div>`;
    return;
  }
  yield `<div class="mb-3"><label class="form-label" for="${id}">${label}</label>`;
  if (spec.secret) {
    const saved = value !== "";
    yield `<input class="form-control${bad}" type="password" id="${id}" name="${name}" value="" autocomplete="new-password" placeholder="${saved ? "saved (leave empty to keep)" : "not set"}"${limitAttributes(spec)}${described}>${help}`;
    if (saved)
      yield `<div class="form-check"><input class="form-check-input" type="checkbox" id="${id}-clear" name="clear:${name}" value="true"> <label class="form-check-label small" for="${id}-clear">remove the saved ${label.toLowerCase()}</label></div>`;
    yield `</div>`;
    return;
  }
  if (spec.choices) {
    yield `<select class="form-select${bad}" id="${id}" name="${name}"${described}>`;
    for (const choice of spec.choices) {
      const v = choiceValue(choice);
      const text = typeof choice === "string" ? choice : choice.label;
      yield `<option value="${escapeHtml(v)}"${v === value ? " selected" : ""}>${escapeHtml(text)}</option>`;
    }
    yield `</select>${help}</div>`;
    return;
  }
  const type = spec.type === "number" || spec.type === "integer" ? "number" : "text";
  const extra = key === "wifi_ssid" || key === "wifi_fallback_ssid" ? ` list="ssid-list"` : "";
  yield `<input class="form-control${bad}" type="${type}" id="${id}" name="${name}" value="${escapeHtml(String(value))}"${limitAttributes(spec)}${extra}${described}>${help}</div>`;
}
// A generator function is no constructor, so preloading does not freeze its prototype: this does (it stays in flash).
Object.freeze(configField.prototype);

/**
 * The settings form's fieldsets, one pass over the keys: each feature's that does not edit its
 * own, the device's, the app's. A setting of a feature that edits its own (WiFi, the update
 * URL) is left out, whatever its group: one place for each setting.
 */
function settingGroups(model: PageModel): [string, string[]][] {
  const legends: [string, string][] = [];
  const elsewhere: Readonly<Record<string, unknown>>[] = [];
  for (const feature of model.features) {
    if (!feature.ownsSettingsForm) legends.push([feature.name, feature.title ?? feature.name]);
    else if (feature.settings) elsewhere.push(feature.settings);
  }
  legends.push(["device", "Device"], ["app", "Application"]);
  const keys: string[][] = legends.map(() => []);
  for (const key of model.config.keys()) {
    if (elsewhere.some((settings) => Object.hasOwn(settings, key))) continue;
    const group = model.config.spec(key)?.group;
    for (let i = 0; i < legends.length; i++) if (legends[i][0] === group) keys[i].push(key);
  }
  return legends.map(([, legend], i) => [legend, keys[i]]);
}

function* settingsView(model: PageModel, options: PageOptions): Generator<string | Uint8Array> {
  const notice = model.notice;
  yield SETTINGS_OPEN;
  const invalid = notice?.form === "settings" ? notice.key : undefined;
  for (const [legend, keys] of settingGroups(model)) {
    if (!keys.length) continue;
    yield `<fieldset class="mb-3"><legend class="fs-6 fw-semibold">${escapeHtml(legend)}</legend>`;
    for (const key of keys) yield* configField(model.config, key, key === invalid);
    yield `</fieldset>`;
  }
  yield SETTINGS_SUBMIT;
  yield answerBox("settings-answer", notice?.form === "settings" ? notice : undefined);
  yield `</form></div></section><section class="card mb-3" id="device" aria-labelledby="device-title"><div class="card-body"><h2 class="h5" id="device-title">Device</h2>`;
  if (model.canRestart) {
    const left = options.probationLeftS;
    yield `<form id="restart-form" method="post" action="/restart" data-answer="auto" data-after="restart" data-then="/?view=settings" data-sending="Restarting\u2026" data-confirm="Restart the device?" data-confirm-if="ota.probation" data-confirm-then="The update is still on probation: restarting now rolls it back to the previous version. Restart anyway?">`;
    yield `<h3 class="h6">Restart</h3><p class="alert alert-warning small" data-show-if="ota.probation"${left === undefined ? " hidden" : ""}>The running update is on probation for <span data-status="ota.probationLeft" data-tick="down" data-value="${left ?? ""}">${left ?? "-"}</span> s more: a restart now rolls it back to the previous version.</p>`;
    yield `<div class="iot-actions"><button class="btn btn-outline-secondary" type="submit">Restart</button></div>`;
    yield answerBox("restart-answer", notice?.form === "restart" ? notice : undefined);
    yield `</form>`;
  } else yield `<p class="small text-muted">This host cannot restart the app by itself: quit and relaunch it. A factory reset erases every setting; relaunch it afterwards to start in setup mode.</p>`;
  yield RESET_FORM;
  yield answerBox("reset-answer", notice?.form === "reset" ? notice : undefined);
  yield `</form></div></section>`;
}
Object.freeze(settingsView.prototype);

/**
 * A feature's section, fragment by fragment: an array (most sections) walked by index, which
 * costs less on XS than yield* and its iterator.
 */
function* section(feature: Feature): Generator<string> {
  const parts = (feature.pageSection as () => Iterable<string>)();
  if (Array.isArray(parts)) {
    for (let i = 0; i < parts.length; i++) yield parts[i] as string;
  } else yield* parts;
}
Object.freeze(section.prototype);

// A data row: its key and its value between these. The row names no key in an attribute: the
// page's script reads it from the row's header (a fifth less to send at 200 entries).
const ROW_OPEN = '<tr><th scope="row">';
const ROW_CELL = "</th><td>";
const ROW_CLOSE = "</td></tr>";

/** True when some string inside the JSON text holds a character to escape (a quote inside a string is \" there). */
function jsonNeedsEscape(json: string): boolean {
  return json.indexOf("&") >= 0 || json.indexOf("<") >= 0 || json.indexOf(">") >= 0 || json.indexOf("'") >= 0 || json.indexOf('\\"') >= 0;
}

/** A value that is not a string, as its JSON text: a number, boolean or null is its String(); a structure is escaped. */
function cellText(value: DataValue): string {
  return typeof value === "object" && value !== null ? escapeHtml(JSON.stringify(value)) : String(value);
}



// The built-in views' items, current or not.
const NAV_OVERVIEW = `<li><a href="/">Overview</a></li>`;
const NAV_OVERVIEW_CURRENT = `<li><a href="/" aria-current="page">Overview</a></li>`;
const NAV_SETTINGS = `<li><a href="/?view=settings">Settings</a></li>`;
const NAV_SETTINGS_CURRENT = `<li><a href="/?view=settings" aria-current="page">Settings</a></li>`;
const NAV_LOGS = `<li><a href="/?view=logs">Logs</a></li>`;
const NAV_LOGS_CURRENT = `<li><a href="/?view=logs" aria-current="page">Logs</a></li>`;

/** The items of the features' views (their hrefs as viewHref makes them); `escape`: each label through escapeHtml. */
function featureItems(views: readonly Feature[], asked: string, escape: boolean): string {
  let items = "";
  let label = "";
  let f: Feature;
  for (let i = 0; i < views.length; i++) {
    f = views[i];
    label = f.title ?? f.name;
    items += '<li><a href="/?view=' + encodeURIComponent(f.name) + (f.name === asked ? '" aria-current="page">' : '">') + (escape ? escapeHtml(label) : label) + "</a></li>";
  }
  return items;
}

/**
 * The page, one view. The overview's parts are written here, not in a generator of their own:
 * on XS each fragment that passes through a yield* costs a step more.
 */
export function* renderPage(model: PageModel, options: PageOptions): Generator<string | Uint8Array> {
  const sections = model.sections;
  const views = sections.views;
  const asked = options.view;
  const builtIn = asked === "settings" || (asked === "logs" && options.logs);
  // The view asked for (a built-in one wins over a feature of that name), and the labels of all.
  let feature: Feature | undefined;
  let labels = "";
  let f: Feature;
  for (let i = 0; i < views.length; i++) {
    f = views[i];
    labels += f.title ?? f.name;
    if (f.name === asked && !builtIn) feature = f;
  }
  const view = builtIn ? asked : feature ? feature.name : "";
  // Every string the navigation, the head, the status card and the footer show, searched once
  // joined: escaped one by one only when that finds something.
  const net = model.network;
  const events = options.eventsPath ?? "";
  const plain = !needsEscape(labels + model.title + model.version + events + net.mode + net.ssid + net.ip);
  const nav =
    (view === "" ? NAV_OVERVIEW_CURRENT : NAV_OVERVIEW) +
    featureItems(views, asked, !plain) +
    (asked === "settings" ? NAV_SETTINGS_CURRENT : NAV_SETTINGS) +
    (options.logs ? (asked === "logs" ? NAV_LOGS_CURRENT : NAV_LOGS) : "");
  const title = plain ? model.title : escapeHtml(model.title);
  const version = plain ? model.version : escapeHtml(model.version);
  const label = view === "" ? "" : builtIn ? (asked === "settings" ? "Settings" : "Logs") : escapeHtml((feature as Feature).title ?? view);

  yield `<!DOCTYPE html><html lang="en"${model.useCss ? BOOTSTRAP_ATTRIBUTES : ""} data-refresh="${model.refreshMs}"${events ? ` data-events="${plain ? events : escapeHtml(events)}"` : ""}>`;
  yield HEAD_META;
  yield `${view === "" ? title : `${label} \u00b7 ${title}`}</title><link rel="stylesheet" href="/app.css?v=${options.styleTag}"><script src="/app.js?v=${options.scriptTag}" defer></script></head>` +
    `<body><header class="iot-header"><div class="container iot-bar"><h1 class="iot-title" title="${title}">${title}`;
  yield HEADER_STATE;
  // Without script, the answer to the form just sent: beside it where the view has it, else here, above the view's card.
  const notice = model.notice;
  yield notice && (notice.form === undefined || view !== "settings")
    ? `${nav}${MAIN_OPEN}<div class="alert alert-${notice.kind}" id="notice" role="status">${escapeHtml(notice.text)}</div>`
    : nav + MAIN_OPEN;

  if (view === "") {
    // The overview: what needs attention, a setup card, status, data, the small cards.
    const problems = model.storageProblems;
    for (let i = 0; i < problems.length; i++)
      yield `<div class="alert alert-danger" role="alert"><strong>Storage:</strong> ${escapeHtml(problems[i])}</div>`;
    const noPassword = model.config.get("admin_password") === "";
    const setup = sections.setup;
    let first = false;
    for (let i = 0; i < setup.length && !first; i++) first = setup[i].pageFirst?.() === true;
    if (!first) yield noPassword ? NO_PASSWORD_ALERTS_STATUS : ALERTS_STATUS;
    else {
      yield noPassword ? NO_PASSWORD + TASKS_BOX : TASKS_BOX;
      for (let i = 0; i < setup.length; i++) if (setup[i].pageFirst?.()) yield* section(setup[i]);
      yield STATUS_OPEN;
    }

    const mode = (net.mode as string) === "" ? "-" : plain ? net.mode : escapeHtml(net.mode);
    const ssid = net.ssid === "" ? "-" : plain ? net.ssid : escapeHtml(net.ssid);
    const ip = net.ip === "" ? "-" : plain ? net.ip : escapeHtml(net.ip);
    const uptime = model.uptimeSeconds;
    yield `<tr><th scope="row">Mode</th><td data-status="network.mode">${mode}</td></tr>` +
      `<tr><th scope="row">Network</th><td data-status="network.ssid">${ssid}</td></tr>` +
      `<tr><th scope="row">IP address</th><td data-status="network.ip">${ip}</td></tr>` +
      `<tr><th scope="row">Uptime</th><td data-status="uptime" data-tick="up" data-value="${uptime}">${formatUptime(uptime)}</td></tr>` +
      `<tr><th scope="row">Version</th><td data-status="version">${model.version === "" ? "-" : version}</td></tr>`;
    yield DATA_OPEN;
    // The store's keys and values as two arrays, walked by index (no iterator, no pair per entry),
    // and checked whole: all the keys joined, all the values as one JSON text (native, unmetered
    // loops). The rows escape their strings only when that check found something; a structured
    // value is escaped always.
    const columns = model.data.columns();
    const keys = columns[0];
    const values = columns[1];
    const count = keys.length;
    const json = count === 0 ? "[]" : JSON.stringify(values);
    const rowsPlain = count === 0 || (!needsEscape(keys.join("")) && !jsonNeedsEscape(json));
    // No bracket but the array's own: no value is a structure, so each shows as its String()
    // (a number's, boolean's and null's JSON text), and the rows need not ask each its type.
    const scalars = json.indexOf("[", 1) < 0 && json.indexOf("{") < 0;
    // Declared once, outside the loops: a const in a loop's body is a scope per row on XS.
    let i = 0;
    let end = 0;
    let raw: DataValue = null;
    let batch = "";
    while (i < count) {
      // Rows go out in batches: one generator step per row was a third of a row's cost on XS.
      // A row is one native concat() onto its batch: a + b + c + d + e made four strings on XS
      // before the row, and copied each (the page at 200 entries, alternating the two in
      // profile-data.ts "whole body": 310-357 µs so, 248-291 µs now; the meter counts the call's
      // arguments, 10% more: docs/performance.md, "GET /").
      end = i + ROWS_PER_FRAGMENT < count ? i + ROWS_PER_FRAGMENT : count;
      batch = "";
      if (rowsPlain && scalars) {
        for (; i < end; i++) batch = batch.concat(ROW_OPEN, keys[i], ROW_CELL, values[i] as string, ROW_CLOSE);
      } else if (rowsPlain) {
        for (; i < end; i++) {
          raw = values[i];
          batch = batch.concat(ROW_OPEN, keys[i], ROW_CELL, typeof raw === "string" ? raw : cellText(raw), ROW_CLOSE);
        }
      } else {
        for (; i < end; i++) {
          raw = values[i];
          batch = batch.concat(ROW_OPEN, escapeHtml(keys[i]), ROW_CELL, typeof raw === "string" ? escapeHtml(raw) : cellText(raw), ROW_CLOSE);
        }
      }
      yield batch;
    }
    yield count ? DATA_END_ROWS : DATA_END_EMPTY;
    const cards = sections.cards;
    for (let c = 0; c < cards.length; c++) {
      const card = cards[c];
      if (card.pageFirst?.()) continue;
      // An array (most sections) walked by index: yield* would step an iterator.
      const parts = (card.pageSection as () => Iterable<string>)();
      if (Array.isArray(parts)) for (let p = 0; p < parts.length; p++) yield parts[p] as string;
      else yield* parts;
    }
  } else if (view === "settings") yield* settingsView(model, options);
  else if (view === "logs") yield LOGS;
  else yield* section(feature as Feature);
  yield `</main><footer class="container iot-footer">${title} \u00b7 version ${version} \u00b7 <a href="/api/status">status</a> \u00b7 <a href="/data">data</a></footer></body></html>`;
}
// A generator function is no constructor, so preloading does not freeze its prototype: this does (it stays in flash).
Object.freeze(renderPage.prototype);
