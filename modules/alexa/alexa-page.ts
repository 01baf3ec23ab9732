/*
 * The Alexa card of the device's page and its browser script.
 *
 * - The card: the alexa_enabled switch (a small form of its own to /config?view=alexa, so it
 *   works without script and comes back to this view), whether discovery answers, the exposed devices with their state and light ID, the
 *   "Pair with Alexa" button with the time left, and the paired clients by their handle (the
 *   first 8 digits of the username: the page never shows a username whole) with Remove.
 * - Every name, devicetype and value goes through escapeHtml where the server writes it, and
 *   through textContent where the script does: devicetype is whatever a client on the network
 *   sent, a device name whatever the app chose.
 * - The script polls GET /api/alexa (every 3 s, every second while pairing is open) and posts
 *   through the page's window.iot helper. Plain ES5 inside a template literal: no backquotes
 *   and no dollar-brace in it.
 */

import { escapeHtml } from "../text/escape-html";

export interface AlexaView {
  enabled: boolean;
  active: boolean;
  discovery: { running: boolean; port: number; address: string; answered: number; error: string };
  pairing: { open: boolean; secondsLeft: number };
  devices: { name: string; id: string; uniqueid: string; type: string; state: { on?: boolean; brightness?: number; colour?: string; error?: string } }[];
  users: { user: string; devicetype: string; paired: number }[];
}

export function stateText(state: AlexaView["devices"][number]["state"]): string {
  if (state.error !== undefined) return `unreadable: ${state.error}`;
  let text = state.on ? "on" : "off";
  if (state.brightness !== undefined) text += `, brightness ${Math.round(state.brightness * 100) / 100}`;
  if (state.colour !== undefined) text += `, colour ${state.colour}`;
  return text;
}

export function discoveryText(view: AlexaView): string {
  if (!view.enabled) return "Off: Echo devices cannot find or switch anything here.";
  if (view.discovery.error) return `Discovery failed: ${view.discovery.error}`;
  if (!view.discovery.running) return "Discovery waits for the device to join a network.";
  return `Echo devices on this network can find it (UDP port ${view.discovery.port}, ${view.discovery.address}).`;
}

export function pairingText(view: AlexaView): string {
  if (!view.active) return "";
  return view.pairing.open ? `Pairing is open for ${view.pairing.secondsLeft} s: say "Alexa, discover devices" now.` : "";
}

function pairedDate(ms: number): string {
  return ms > 0 ? `, paired ${new Date(ms).toISOString().slice(0, 10)}` : "";
}

export function* renderAlexaSection(view: AlexaView): Generator<string> {
  yield `<section class="card mb-3" id="alexa"><div class="card-body"><h2 class="h5">Alexa</h2>`;
  yield `<form method="post" action="/config?view=alexa" accept-charset="utf-8"><input type="hidden" name="alexa_enabled" value="false">`;
  yield `<div class="form-check"><input class="form-check-input" type="checkbox" id="alexa-enabled" name="alexa_enabled" value="true"${view.enabled ? " checked" : ""}>`;
  yield ` <label class="form-check-label" for="alexa-enabled">Let Echo devices on this network switch these devices (the device plays a Philips Hue bridge)</label></div>`;
  yield `<button class="btn btn-outline-secondary" type="submit">Save</button></form>`;
  yield `<p class="small text-muted" id="alexa-discovery">${escapeHtml(discoveryText(view))}</p>`;
  yield `<table class="table table-sm"><thead><tr><th scope="col">Device</th><th scope="col">State</th><th scope="col">Light ID</th></tr></thead><tbody id="alexa-devices">`;
  for (const device of view.devices) {
    yield `<tr data-alexa-id="${escapeHtml(device.id)}"><td>${escapeHtml(device.name)}</td><td>${escapeHtml(stateText(device.state))}</td><td>${escapeHtml(device.id)}</td></tr>`;
  }
  yield `</tbody></table>`;
  yield `<div><button class="btn btn-primary" type="button" id="alexa-pair"${view.active ? "" : " disabled"}>Pair with Alexa</button> <span class="small" id="alexa-pairing" role="status">${escapeHtml(pairingText(view))}</span></div>`;
  yield `<p class="form-text small">Press it, then say "Alexa, discover devices" within ${view.pairing.open ? view.pairing.secondsLeft : 30} seconds: only clients paired this way may switch anything.</p>`;
  yield `<h3 class="h6">Paired</h3><ul class="list-unstyled" id="alexa-users">`;
  for (const user of view.users) {
    const handle = escapeHtml(user.user);
    yield `<li data-user="${handle}">${escapeHtml(user.devicetype)} <span class="small text-muted">(${handle}\u2026${escapeHtml(pairedDate(user.paired))})</span> <button class="btn btn-outline-danger" type="button" data-forget="${handle}">Remove</button></li>`;
  }
  yield `</ul><p class="small text-muted" id="alexa-no-users"${view.users.length ? " hidden" : ""}>No client is paired.</p>`;
  yield `<p class="small mb-0" id="alexa-outcome" role="status"></p></div></section>`;
}
// A generator function is no constructor, so preloading does not freeze its prototype: this does (it stays in flash).
Object.freeze(renderAlexaSection.prototype);

export const ALEXA_CLIENT_SCRIPT = `(function () {
  "use strict";
  var card = document.getElementById("alexa");
  if (!card || !window.iot) return;
  var devices = document.getElementById("alexa-devices"), users = document.getElementById("alexa-users");
  var none = document.getElementById("alexa-no-users"), pairing = document.getElementById("alexa-pairing");
  var pair = document.getElementById("alexa-pair"), discovery = document.getElementById("alexa-discovery");
  var outcome = document.getElementById("alexa-outcome"), timer = 0;
  function stateText(s) {
    if (s.error !== undefined) return "unreadable: " + s.error;
    var t = s.on ? "on" : "off";
    if (s.brightness !== undefined) t += ", brightness " + Math.round(s.brightness * 100) / 100;
    if (s.colour !== undefined) t += ", colour " + s.colour;
    return t;
  }
  function discoveryText(v) {
    if (!v.enabled) return "Off: Echo devices cannot find or switch anything here.";
    if (v.discovery.error) return "Discovery failed: " + v.discovery.error;
    if (!v.discovery.running) return "Discovery waits for the device to join a network.";
    return "Echo devices on this network can find it (UDP port " + v.discovery.port + ", " + v.discovery.address + ").";
  }
  function cell(row, text) { var td = document.createElement("td"); td.textContent = text; row.appendChild(td); }
  function render(v) {
    discovery.textContent = discoveryText(v);
    pair.disabled = !v.active;
    pairing.textContent = v.active && v.pairing.open ? "Pairing is open for " + v.pairing.secondsLeft + " s: say \\u201cAlexa, discover devices\\u201d now." : "";
    while (devices.firstChild) devices.removeChild(devices.firstChild);
    for (var i = 0; i < v.devices.length; i++) {
      var d = v.devices[i], row = document.createElement("tr");
      row.setAttribute("data-alexa-id", d.id);
      cell(row, d.name); cell(row, stateText(d.state)); cell(row, d.id);
      devices.appendChild(row);
    }
    while (users.firstChild) users.removeChild(users.firstChild);
    for (var j = 0; j < v.users.length; j++) {
      var u = v.users[j], li = document.createElement("li"), small = document.createElement("span"), b = document.createElement("button");
      li.setAttribute("data-user", u.user);
      li.appendChild(document.createTextNode(u.devicetype + " "));
      small.className = "small text-muted";
      small.textContent = "(" + u.user + "\\u2026" + (u.paired > 0 ? ", paired " + new Date(u.paired).toISOString().slice(0, 10) : "") + ")";
      li.appendChild(small);
      li.appendChild(document.createTextNode(" "));
      b.className = "btn btn-outline-danger"; b.type = "button"; b.textContent = "Remove"; b.setAttribute("data-forget", u.user);
      li.appendChild(b);
      users.appendChild(li);
    }
    none.hidden = v.users.length > 0;
    schedule(v.pairing.open ? 1000 : 3000);
  }
  // A refresh that gets no answer (the device restarting) tries again later.
  function refresh() { schedule(5000); if (!document.hidden) window.iot.getJSON("/api/alexa", render); }
  function schedule(ms) { clearTimeout(timer); timer = setTimeout(refresh, ms); }
  pair.addEventListener("click", function () {
    outcome.textContent = "";
    window.iot.postJSON("/api/alexa/pair", {}, function (status, r) {
      if (status === 200 && r) render(r);
      else outcome.textContent = "Pairing refused: " + ((r && r.error) || "HTTP " + status);
    });
  });
  users.addEventListener("click", function (e) {
    var handle = e.target && e.target.getAttribute && e.target.getAttribute("data-forget");
    if (!handle || !confirm("Remove this paired client? It can no longer switch anything until it pairs again.")) return;
    window.iot.postJSON("/api/alexa/forget", { user: handle }, function (status, r) {
      if (status === 200 && r) { render(r); outcome.textContent = "Removed."; }
      else outcome.textContent = "Not removed: " + ((r && r.error) || "HTTP " + status);
    });
  });
  schedule(3000);
})();
`;
