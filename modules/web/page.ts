/*
 * The device's page, GET /: title, status, the data table, the settings form (grouped WiFi,
 * device, app), and each feature's section. Produced as a sequence of fragments so the device
 * sends it piece by piece and never holds it whole. Every string from a user, the app or the
 * network goes through escapeHtml; the script comes from /app.js (the page's CSP forbids inline
 * script, so an escaping slip still cannot run code).
 */

import type { Config } from "../config/config";
import { choiceValue } from "../config/coerce-config-value";
import type { SettingSpec } from "../config/config-keys";
import type { DataStore, DataValue } from "../data/data-store";
import type { Feature } from "../feature";
import type { NetworkStatus } from "../host/network";
import { escapeHtml } from "../text/escape-html";
import { BOOTSTRAP_CSS, BUILTIN_CSS } from "./assets";

export interface PageNotice {
  kind: "success" | "danger" | "warning";
  text: string;
}

export interface PageModel {
  title: string;
  useCss: boolean;
  version: string;
  uptimeSeconds: number;
  network: NetworkStatus;
  config: Config;
  data: DataStore;
  features: readonly Feature[];
  notice?: PageNotice;
  /** Polling interval of the data table, in ms. */
  refreshMs: number;
  /** False on a host that cannot restart the app: the page says so instead of offering to. */
  canRestart: boolean;
  /** What could not be read from storage (defaults in use), in plain words. */
  storageProblems: readonly string[];
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

function statusItem(label: string, path: string, value: string): string {
  return `<tr><th scope="row">${label}</th><td data-status="${path}">${escapeHtml(value === "" ? "-" : value)}</td></tr>`;
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

function* configField(config: Config, key: string): Generator<string> {
  const spec = config.spec(key);
  if (!spec) return;
  const id = `cfg-${escapeHtml(key)}`;
  const name = escapeHtml(key);
  const label = escapeHtml(spec.label);
  const value = config.get(key);
  const help = spec.help ? `<div class="form-text" id="${id}-help">${escapeHtml(spec.help)}</div>` : "";
  const described = spec.help ? ` aria-describedby="${id}-help"` : "";
  if (spec.type === "boolean") {
    yield `<div class="form-check"><input type="hidden" name="${name}" value="false">`;
    yield `<input class="form-check-input" type="checkbox" id="${id}" name="${name}" value="true"${value ? " checked" : ""}${described}>`;
    yield ` <label class="form-check-label" for="${id}">${label}</label>${help}</div>`;
    return;
  }
  yield `<label class="form-label" for="${id}">${label}</label>`;
  if (spec.secret) {
    const set = value !== "";
    yield `<input class="form-control" type="password" id="${id}" name="${name}" value="" autocomplete="new-password" placeholder="${set ? "saved (leave empty to keep)" : "not set"}"${limitAttributes(spec)}${described}>${help}`;
    if (set)
      yield `<div class="form-check"><input class="form-check-input" type="checkbox" id="${id}-clear" name="clear:${name}" value="true"> <label class="form-check-label small" for="${id}-clear">remove the saved ${label.toLowerCase()}</label></div>`;
    return;
  }
  if (spec.choices) {
    yield `<select class="form-select" id="${id}" name="${name}"${described}>`;
    for (const choice of spec.choices) {
      const v = choiceValue(choice);
      const text = typeof choice === "string" ? choice : choice.label;
      yield `<option value="${escapeHtml(v)}"${v === value ? " selected" : ""}>${escapeHtml(text)}</option>`;
    }
    yield `</select>${help}`;
    return;
  }
  const type = spec.type === "number" || spec.type === "integer" ? "number" : "text";
  const extra = key === "wifi_ssid" || key === "wifi_fallback_ssid" ? ` list="ssid-list"` : "";
  yield `<input class="form-control" type="${type}" id="${id}" name="${name}" value="${escapeHtml(String(value))}"${limitAttributes(spec)}${extra}${described}>${help}`;
}

/** The settings form's fieldsets: each feature's that does not edit its own, the device's, the app's. */
function settingGroups(model: PageModel): [string, string][] {
  const groups: [string, string][] = [];
  for (const feature of model.features) if (!feature.ownsSettingsForm) groups.push([feature.name, feature.title ?? feature.name]);
  groups.push(["device", "Device"], ["app", "Application"]);
  return groups;
}
// A generator function is no constructor, so preloading does not freeze its prototype: this does (it stays in flash).
Object.freeze(configField.prototype);

export function* renderPage(model: PageModel): Generator<string> {
  const title = escapeHtml(model.title);
  const bootstrap = model.useCss
    ? ` data-bootstrap="${BOOTSTRAP_CSS.href}" data-bootstrap-integrity="${BOOTSTRAP_CSS.integrity}"`
    : "";
  yield `<!DOCTYPE html><html lang="en"${bootstrap} data-refresh="${model.refreshMs}"><head><meta charset="utf-8">`;
  yield `<meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title>`;
  yield `<style>${BUILTIN_CSS}</style><script src="/app.js?v=${escapeHtml(model.version)}" defer></script></head>`;
  yield `<body><main class="container py-3"><h1>${title}</h1>`;
  const notice = model.notice;
  yield `<div id="notice" role="status" class="alert alert-${notice ? notice.kind : "success"}"${notice ? "" : " hidden"}>${notice ? escapeHtml(notice.text) : ""}</div>`;
  for (const problem of model.storageProblems)
    yield `<div class="alert alert-danger" role="alert"><strong>Storage:</strong> ${escapeHtml(problem)}</div>`;
  if (model.config.get("admin_password") === "")
    yield `<div class="alert alert-warning" id="no-password">No admin password is set: anyone on this network can change these settings. Set one under Device.</div>`;

  const first = model.features.filter((f) => f.pageSection && f.pageFirst?.());
  for (const feature of first) yield* (feature.pageSection as () => Iterable<string>)();

  const net = model.network;
  yield `<section class="card mb-3"><div class="card-body"><h2 class="h5">Status</h2><table class="table table-sm mb-0"><tbody>`;
  yield statusItem("Mode", "network.mode", net.mode);
  yield statusItem("Network", "network.ssid", net.ssid);
  yield statusItem("IP address", "network.ip", net.ip);
  yield statusItem("Uptime", "uptime", formatUptime(model.uptimeSeconds));
  yield statusItem("Version", "version", model.version);
  yield `</tbody></table></div></section>`;

  yield `<section class="card mb-3"><div class="card-body"><h2 class="h5">Data</h2><table class="table table-sm table-striped mb-0" id="data"><tbody id="data-body">`;
  for (const [key, value] of model.data) {
    const k = escapeHtml(key);
    yield `<tr data-key="${k}"><th scope="row">${k}</th><td>${escapeHtml(showValue(value))}</td></tr>`;
  }
  yield `</tbody></table></div></section>`;

  for (const feature of model.features) if (feature.pageSection && !first.includes(feature)) yield* feature.pageSection();

  yield `<section class="card mb-3"><div class="card-body"><h2 class="h5">Settings</h2><form method="post" action="/config" accept-charset="utf-8">`;
  const keys = model.config.keys();
  for (const [group, legend] of settingGroups(model)) {
    const inGroup = keys.filter((key) => model.config.spec(key)?.group === group);
    if (!inGroup.length) continue;
    yield `<fieldset class="mb-3"><legend class="fs-6 fw-semibold">${escapeHtml(legend)}</legend>`;
    for (const key of inGroup) yield* configField(model.config, key);
    yield `</fieldset>`;
  }
  yield `<datalist id="ssid-list"></datalist><button class="btn btn-primary" type="submit">Save settings</button></form></div></section>`;

  if (model.canRestart)
    yield `<section class="card mb-3"><div class="card-body"><h2 class="h5">Device</h2><button class="btn btn-outline-secondary" type="button" id="reboot">Restart</button> <button class="btn btn-outline-danger" type="button" id="factory-reset">Factory reset</button><p class="form-text small mb-0">A factory reset erases every setting (WiFi included) and restarts into setup mode.</p></div></section>`;
  else
    yield `<section class="card mb-3"><div class="card-body"><h2 class="h5">Device</h2><button class="btn btn-outline-danger" type="button" id="factory-reset">Factory reset</button><p class="form-text small mb-0">This host cannot restart the app by itself: a factory reset erases every setting, then quit and relaunch it. Restart is not offered.</p></div></section>`;
  yield `</main></body></html>`;
}
// A generator function is no constructor, so preloading does not freeze its prototype: this does (it stays in flash).
Object.freeze(renderPage.prototype);
