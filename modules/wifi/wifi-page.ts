/*
 * The WiFi section of the device's page (its own view, and first on the overview while the
 * device is in setup) and its browser script.
 *
 * - The section says whether the setup access point is open and when it closes, the mode and
 *   network now (all kept live by the page's script from the status), lists scanned networks
 *   to pick from, a form to save the network and try it at once, and the outcome beside the
 *   form (connected with the new address, not found, wrong password: that field marked).
 * - Without script the form still works: it posts to the page's own /config form route (and
 *   comes back to this view with the answer), and the feature tries the saved network the same way.
 * - Every SSID is text: escaped with escapeHtml where the server writes it, set with
 *   textContent/value where the script does. A network's name comes from anyone in radio range.
 * - Passwords are never written into the page (the field is always empty).
 * The script is plain ES5-level code (captive-portal browsers are old and small) that uses the
 * page's window.iot helpers; it must stay free of template-literal syntax because it is itself
 * a template literal here. It is bytes made once (http/static-asset.ts), appended to /app.js.
 */

import { escapeHtml } from "../text/escape-html";
import type { NetworkStatus } from "../host/network";
import { staticAsset } from "../http/static-asset";
import type { WifiDetails } from "./wifi-policy";

export interface WifiSectionModel {
  readonly details: WifiDetails;
  /** The network as the status shows it (mode, SSID, address). */
  readonly network: NetworkStatus;
  /** The saved primary SSID. */
  readonly ssid: string;
  /** A password is saved for it. */
  readonly passwordSaved: boolean;
  /** The saved fallback SSID, and whether a password is saved for it. */
  readonly fallbackSsid: string;
  readonly fallbackPasswordSaved: boolean;
}

export function* wifiSection(model: WifiSectionModel): Generator<string> {
  const ap = model.details.accessPoint;
  const closes = ap.closesInMs === undefined ? undefined : Math.round(ap.closesInMs / 1000);
  yield `<section class="card mb-3" id="wifi" aria-labelledby="wifi-title" data-ap-open="${ap.open || !model.ssid ? "1" : "0"}"><div class="card-body"><h2 class="h5" id="wifi-title">WiFi</h2>`;
  yield `<div class="alert alert-info small" id="wifi-ap" data-show-if="wifi.accessPoint.open"${ap.open ? "" : " hidden"}>Access point <strong class="iot-wrap">${escapeHtml(ap.ssid)}</strong>`;
  yield ` (${ap.secured ? "password protected" : "open"}) at ${escapeHtml(ap.address)}, for setting the device up. It closes once the device has joined a network.`;
  yield `<span id="wifi-ap-closing" data-show-if="wifi.accessPoint.closesInMs"${closes === undefined ? " hidden" : ""}> It closes in <span data-status="wifi.accessPoint.closesInMs" data-unit="ms-as-s" data-tick="down" data-value="${closes ?? ""}">${closes ?? "-"}</span> s.</span></div>`;
  const net = model.network;
  yield `<table class="table table-sm mb-3 iot-table"><tbody><tr><th scope="row">Mode</th><td data-status="network.mode">${escapeHtml(net.mode || "-")}</td></tr>`;
  yield `<tr><th scope="row">Network</th><td data-status="network.ssid">${escapeHtml(net.ssid || "-")}</td></tr><tr><th scope="row">IP address</th><td data-status="network.ip">${escapeHtml(net.ip || "-")}</td></tr></tbody></table>`;
  yield `<div class="iot-actions"><button type="button" class="btn btn-outline-secondary" id="wifi-scan">Scan for networks</button> <span class="small text-muted" id="wifi-scan-state" role="status"></span></div>`;
  yield `<ul class="list-unstyled iot-actions mt-2" id="wifi-networks" aria-label="Networks in range"></ul>`;
  yield `<form id="wifi-form" method="post" action="/config?view=wifi" accept-charset="utf-8">`;
  yield `<div class="mb-3"><label class="form-label" for="wifi-ssid">Network (SSID)</label><input class="form-control" id="wifi-ssid" name="wifi_ssid" value="${escapeHtml(model.ssid)}" maxlength="32" list="ssid-list" autocomplete="off" autocapitalize="off" spellcheck="false"></div>`;
  const hint = model.passwordSaved ? "saved (leave empty to keep)" : "leave empty for an open network";
  yield `<div class="mb-3"><label class="form-label" for="wifi-password">Password</label><input class="form-control" type="password" id="wifi-password" name="wifi_password" value="" maxlength="64" autocomplete="new-password" placeholder="${hint}"></div>`;
  const fallbackHint = model.fallbackPasswordSaved ? "saved (leave empty to keep)" : "leave empty for an open network";
  yield `<details${model.fallbackSsid ? " open" : ""}><summary>Fallback network (used when the first is absent)</summary>`;
  yield `<div class="mb-3 mt-2"><label class="form-label" for="wifi-fallback-ssid">Fallback network (SSID)</label><input class="form-control" id="wifi-fallback-ssid" name="wifi_fallback_ssid" value="${escapeHtml(model.fallbackSsid)}" maxlength="32" list="ssid-list" autocomplete="off" autocapitalize="off" spellcheck="false"></div>`;
  yield `<div class="mb-3"><label class="form-label" for="wifi-fallback-password">Fallback password</label><input class="form-control" type="password" id="wifi-fallback-password" name="wifi_fallback_password" value="" maxlength="64" autocomplete="new-password" placeholder="${fallbackHint}"></div></details>`;
  yield `<datalist id="ssid-list"></datalist><div class="iot-actions"><button class="btn btn-primary" type="submit" id="wifi-save">Save and connect</button></div>`;
  yield `<div class="iot-answer" id="wifi-outcome" role="status" hidden></div></form></div></section>`;
}
// A generator function is no constructor, so preloading does not freeze its prototype: this does (it stays in flash).
Object.freeze(wifiSection.prototype);

const SCRIPT = `(function () {
  "use strict";
  var form = document.getElementById("wifi-form");
  if (!form || !window.iot) return;
  var iot = window.iot;
  var list = document.getElementById("wifi-networks"), state = document.getElementById("wifi-scan-state");
  var ssid = document.getElementById("wifi-ssid"), pw = document.getElementById("wifi-password");
  var out = document.getElementById("wifi-outcome"), datalist = document.getElementById("ssid-list");
  // Keyed by SSID, which the air chooses: no prototype, so "__proto__" or "constructor" is a network like any other.
  var secured = Object.create(null), scanTimer = 0;
  function show(kind, text, key) { iot.answer(form, kind, text, key ? "wifi_" + key : ""); return out; }
  function span(parent, text, attrs) {
    var el = document.createElement("span");
    el.textContent = text;
    for (var name in attrs) el.setAttribute(name, attrs[name]);
    parent.appendChild(el);
    return el;
  }
  function bars(rssi) { return rssi >= -55 ? "\u2582\u2584\u2586\u2588" : rssi >= -67 ? "\u2582\u2584\u2586" : rssi >= -78 ? "\u2582\u2584" : "\u2582"; }
  function clear(el) { while (el && el.firstChild) el.removeChild(el.firstChild); }
  function render(nets) {
    clear(list);
    clear(datalist);
    secured = Object.create(null);
    for (var i = 0; i < nets.length; i++) add(nets[i]);
  }
  function add(n) {
    if (!n || typeof n.ssid !== "string") return;
    secured[n.ssid] = !!n.secured;
    var li = document.createElement("li"), b = document.createElement("button");
    b.type = "button";
    b.className = "btn btn-outline-secondary wifi-net";
    span(b, n.ssid, { "class": "wifi-net-ssid iot-wrap" });
    span(b, " " + bars(n.rssi) + (n.secured ? " secured" : " open") + " (" + n.rssi + " dBm)", { "class": "small" });
    b.addEventListener("click", function () {
      ssid.value = n.ssid;
      pw.value = "";
      if (n.secured) pw.focus();
    });
    li.appendChild(b);
    list.appendChild(li);
    if (datalist) {
      var o = document.createElement("option");
      o.value = n.ssid;
      datalist.appendChild(o);
    }
  }
  function scan(refresh, tries) {
    clearTimeout(scanTimer);
    state.textContent = "Scanning\u2026";
    iot.get("/api/networks" + (refresh ? "?refresh=1" : ""), function (r) {
      render(r.networks || []);
      if (r.scanning && tries < 20) scanTimer = setTimeout(function () { scan(false, tries + 1); }, 1500);
      else state.textContent = r.error ? "Scan failed: " + r.error : (r.networks || []).length ? "" : "No networks found.";
    }, function () {
      if (tries < 20) scanTimer = setTimeout(function () { scan(false, tries + 1); }, 2000);
      else state.textContent = "The device did not answer.";
    }, 8000);
  }
  document.getElementById("wifi-scan").addEventListener("click", function () { scan(true, 0); });
  if (document.getElementById("wifi").getAttribute("data-ap-open") === "1") scan(false, 0);

  function report(t, w) {
    var ap = w.accessPoint || {};
    if (t.outcome === "connected") {
      show("success", "Connected to " + t.ssid + " with address " + t.ip + ".");
      if (!ap.open) return;
      // The access point's countdown and state follow the status (page script: data-status, data-show-if).
      var rest = span(out, " The access point " + ap.ssid + " closes in ", { "data-show-if": "wifi.accessPoint.open" });
      var secs = ap.closesInMs == null ? "" : String(Math.round(ap.closesInMs / 1000));
      span(rest, secs || "-", { "data-status": "wifi.accessPoint.closesInMs", "data-unit": "ms-as-s", "data-tick": "down", "data-value": secs });
      rest.appendChild(document.createTextNode(" s: join " + t.ssid + " and open "));
      var a = document.createElement("a");
      a.href = "http://" + t.ip + "/";
      a.textContent = a.href;
      rest.appendChild(a);
    } else if (t.outcome === "not-found") show("danger", t.ssid + " was not found. Check the name, and that the device is in range.", "ssid");
    else if (t.outcome === "wrong-password") show("danger", t.ssid + " refused the password.", "password");
    else if (t.outcome === "timeout") show("danger", t.ssid + " did not answer in time. The device keeps trying.");
    else show("danger", "Could not join " + t.ssid + ". The device keeps trying.");
  }
  function watch(name, started) {
    var again = function () {
      if (new Date().getTime() - started < 90000) setTimeout(function () { watch(name, started); }, 1500);
      else show("warning", "No answer yet from " + name + ". The device keeps trying.");
    };
    iot.get("/api/status", function (st) {
      var w = st.wifi || {}, t = w.trial;
      if (t && t.ssid === name && t.outcome !== "trying") report(t, w);
      else { show("info", "Trying " + name + "\u2026"); again(); }
    }, again, 8000);
  }
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var body = { ssid: ssid.value };
    if (pw.value !== "" || secured[ssid.value] === false) body.password = pw.value;
    var fs = document.getElementById("wifi-fallback-ssid"), fp = document.getElementById("wifi-fallback-password");
    if (fs) {
      body.fallback_ssid = fs.value;
      if (fp.value !== "" || secured[fs.value] === false) body.fallback_password = fp.value;
      fp.value = "";
    }
    show("info", "Saving\u2026");
    iot.post("/api/wifi", body, function (status, r) {
      if (status !== 202) { show("danger", "Not saved: " + iot.refusal(status, r), r && r.key); return; }
      pw.value = "";
      if (!body.ssid) show("success", "No network saved: the access point stays open.");
      else watch(body.ssid, new Date().getTime());
    });
  });
})();
`;

/** The card's script, appended to /app.js: bytes made once. */
export const WIFI_CLIENT_SCRIPT = staticAsset(SCRIPT, "text/javascript; charset=utf-8");
