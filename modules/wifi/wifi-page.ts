/*
 * The WiFi section of the device's page and its browser script.
 *
 * - The section lists scanned networks to pick from, a form to save the network and try it at
 *   once, and the outcome (connected with the new address, not found, wrong password).
 * - Without script the form still works: it posts to the page's own /config form route, and
 *   the feature tries the saved network the same way.
 * - Every SSID is text: escaped with escapeHtml where the server writes it, set with
 *   textContent/value where the script does. A network's name comes from anyone in radio range.
 * - Passwords are never written into the page (the field is always empty).
 * The script is plain ES5-level code (captive-portal browsers are old and small) that uses the
 * page's window.iot helpers only for posting; it must stay free of template-literal syntax
 * because it is itself a template literal here.
 */

import { escapeHtml } from "../text/escape-html";
import type { WifiDetails } from "./wifi-policy";

export interface WifiSectionModel {
  readonly details: WifiDetails;
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
  yield `<section class="card mb-3" id="wifi" data-ap-open="${ap.open || !model.ssid ? "1" : "0"}"><div class="card-body"><h2 class="h5">WiFi</h2>`;
  yield `<p class="small text-muted" id="wifi-ap"${ap.open ? "" : " hidden"}>Access point <strong>${escapeHtml(ap.ssid)}</strong>`;
  yield ` (${ap.secured ? "password protected" : "open"}) at ${escapeHtml(ap.address)}. It closes once the device has joined a network.</p>`;
  yield `<div><button type="button" class="btn btn-outline-secondary" id="wifi-scan">Scan for networks</button> <span class="small text-muted" id="wifi-scan-state" role="status"></span></div>`;
  yield `<ul class="list-unstyled" id="wifi-networks"></ul>`;
  yield `<form id="wifi-form" method="post" action="/config" accept-charset="utf-8">`;
  yield `<label class="form-label" for="wifi-ssid">Network (SSID)</label><input class="form-control" id="wifi-ssid" name="wifi_ssid" value="${escapeHtml(model.ssid)}" list="ssid-list" autocomplete="off" autocapitalize="off" spellcheck="false">`;
  const hint = model.passwordSaved ? "saved (leave empty to keep)" : "leave empty for an open network";
  yield `<label class="form-label" for="wifi-password">Password</label><input class="form-control" type="password" id="wifi-password" name="wifi_password" value="" autocomplete="new-password" placeholder="${hint}">`;
  const fallbackHint = model.fallbackPasswordSaved ? "saved (leave empty to keep)" : "leave empty for an open network";
  yield `<details${model.fallbackSsid ? " open" : ""}><summary>Fallback network (used when the first is absent)</summary>`;
  yield `<label class="form-label" for="wifi-fallback-ssid">Fallback network (SSID)</label><input class="form-control" id="wifi-fallback-ssid" name="wifi_fallback_ssid" value="${escapeHtml(model.fallbackSsid)}" list="ssid-list" autocomplete="off" autocapitalize="off" spellcheck="false">`;
  yield `<label class="form-label" for="wifi-fallback-password">Fallback password</label><input class="form-control" type="password" id="wifi-fallback-password" name="wifi_fallback_password" value="" autocomplete="new-password" placeholder="${fallbackHint}"></details>`;
  yield `<button class="btn btn-primary" type="submit" id="wifi-save">Save and connect</button></form>`;
  yield `<div id="wifi-outcome" role="status" class="alert" hidden></div></div></section>`;
}
// A generator function is no constructor, so preloading does not freeze its prototype: this does (it stays in flash).
Object.freeze(wifiSection.prototype);

export const WIFI_CLIENT_SCRIPT = `(function () {
  "use strict";
  var form = document.getElementById("wifi-form");
  if (!form || !window.iot) return;
  var list = document.getElementById("wifi-networks"), state = document.getElementById("wifi-scan-state");
  var ssid = document.getElementById("wifi-ssid"), pw = document.getElementById("wifi-password");
  var out = document.getElementById("wifi-outcome"), datalist = document.getElementById("ssid-list");
  var secured = {}, scanTimer = 0;
  function get(url, done, fail) {
    var xhr = new XMLHttpRequest();
    xhr.open("GET", url);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.timeout = 8000;
    xhr.onloadend = function () {
      var r = null;
      if (xhr.status === 200) { try { r = JSON.parse(xhr.responseText); } catch (e) { r = null; } }
      if (r) done(r); else if (fail) fail(xhr.status);
    };
    xhr.send();
  }
  function show(kind, text, href) {
    out.className = "alert alert-" + kind;
    out.textContent = text;
    if (href) {
      var a = document.createElement("a");
      a.href = href;
      a.textContent = href;
      out.appendChild(document.createTextNode(" "));
      out.appendChild(a);
    }
    out.hidden = false;
  }
  function bars(rssi) { return rssi >= -55 ? "\\u2582\\u2584\\u2586\\u2588" : rssi >= -67 ? "\\u2582\\u2584\\u2586" : rssi >= -78 ? "\\u2582\\u2584" : "\\u2582"; }
  function clear(el) { while (el && el.firstChild) el.removeChild(el.firstChild); }
  function render(nets) {
    clear(list);
    clear(datalist);
    secured = {};
    for (var i = 0; i < nets.length; i++) add(nets[i]);
  }
  function add(n) {
    if (!n || typeof n.ssid !== "string") return;
    secured[n.ssid] = !!n.secured;
    var li = document.createElement("li"), b = document.createElement("button");
    var name = document.createElement("span"), meta = document.createElement("span");
    b.type = "button";
    b.className = "btn btn-outline-secondary wifi-net";
    name.className = "wifi-net-ssid";
    name.textContent = n.ssid;
    meta.className = "small text-muted";
    meta.textContent = " " + bars(n.rssi) + (n.secured ? " secured" : " open") + " (" + n.rssi + " dBm)";
    b.appendChild(name);
    b.appendChild(meta);
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
    state.textContent = "Scanning\\u2026";
    get("/api/networks" + (refresh ? "?refresh=1" : ""), function (r) {
      render(r.networks || []);
      if (r.scanning && tries < 20) scanTimer = setTimeout(function () { scan(false, tries + 1); }, 1500);
      else state.textContent = r.error ? "Scan failed: " + r.error : (r.networks || []).length ? "" : "No networks found.";
    }, function () {
      if (tries < 20) scanTimer = setTimeout(function () { scan(false, tries + 1); }, 2000);
      else state.textContent = "The device did not answer.";
    });
  }
  document.getElementById("wifi-scan").addEventListener("click", function () { scan(true, 0); });
  if (document.getElementById("wifi").getAttribute("data-ap-open") === "1") scan(false, 0);

  function report(t, w) {
    var ap = w.accessPoint || {};
    if (t.outcome === "connected") {
      var text = "Connected to " + t.ssid + " with address " + t.ip + ".";
      if (ap.open) text += " The access point " + ap.ssid + " closes in about " + Math.round((ap.closesInMs || 0) / 1000) + " s: join " + t.ssid + " and open";
      show("success", text, ap.open ? "http://" + t.ip + "/" : "");
    } else if (t.outcome === "not-found") show("danger", t.ssid + " was not found. Check the name, and that the device is in range.");
    else if (t.outcome === "wrong-password") show("danger", t.ssid + " refused the password.");
    else if (t.outcome === "timeout") show("danger", t.ssid + " did not answer in time. The device keeps trying.");
    else show("danger", "Could not join " + t.ssid + ". The device keeps trying.");
  }
  function watch(name, started) {
    var again = function () {
      if (new Date().getTime() - started < 90000) setTimeout(function () { watch(name, started); }, 1500);
      else show("warning", "No answer yet from " + name + ". The device keeps trying.");
    };
    get("/api/status", function (st) {
      var w = st.wifi || {}, t = w.trial;
      if (t && t.ssid === name && t.outcome !== "trying") report(t, w);
      else { show("warning", "Trying " + name + "\\u2026"); again(); }
    }, again);
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
    show("warning", "Saving\\u2026");
    window.iot.postJSON("/api/wifi", body, function (status, r) {
      if (status !== 202) { show("danger", "Not saved: " + ((r && r.error) || "error " + status)); return; }
      pw.value = "";
      if (!body.ssid) show("success", "No network saved: the access point stays open.");
      else watch(body.ssid, new Date().getTime());
    });
  });
})();
`;
