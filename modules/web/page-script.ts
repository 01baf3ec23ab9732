/*
 * The browser half of the page, served as /app.js (bytes made once: static-asset.ts), the
 * features' scripts after it. Plain ES5-level script, so the phones' captive-portal browsers
 * run it; values are written with textContent only, never as HTML. Without it the page still
 * works: every form posts and comes back through a 303 with its answer.
 *
 * What it does
 * - Upgrades to Bootstrap when the page asks and the browser can load it (class "bs").
 * - Keeps the page live: GET /events (server-sent events) where the page names it and the
 *   device takes another stream, else polling GET /api/status (and GET /data on the overview)
 *   every data-refresh ms. Elements bound to the status by attribute follow it:
 *     data-status="a.b"     text of status.a.b ("-" when empty); data-unit="ms-as-s" turns
 *                           milliseconds into seconds; data-tick="down" or "up" counts
 *                           seconds between two statuses (a countdown, the uptime)
 *     data-show-if="a.b"    shown while status.a.b is set (not null, false, 0 or ""), and
 *     data-hide-if="a.b"    the reverse
 * - Says in the header whether the device answers: online, reconnecting (an answer failed or
 *   is late), unreachable (none for UNREACHABLE_MS), and back to online with the next answer.
 * - Answers forms in place: a form with data-answer is sent with the same fields and
 *   Accept: application/json; the device's answer (success, or the refusal with the wrong field
 *   named) is shown in the form's answer box and that field is marked invalid. data-confirm
 *   asks first (data-confirm-if="a.b" and data-confirm-then: another question while
 *   status.a.b is set); data-after="restart" waits for the device to come back and reloads.
 * - The log view follows GET /api/log (?since=) or the stream's log events.
 * window.iot is what the features' scripts use: get, post, postForm, answer, onStatus, status()
 * (and getJSON, postJSON: the first script's names).
 */

import { staticAsset } from "../http/static-asset";

const SCRIPT = `"use strict";
(function () {
  var root = document.documentElement;
  var UNREACHABLE_MS = 8000, RETRY_MS = 1500, LATE_MS = 4000;
  var href = root.getAttribute("data-bootstrap");
  if (href) {
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    link.integrity = root.getAttribute("data-bootstrap-integrity") || "";
    link.crossOrigin = "anonymous";
    link.onload = function () { root.classList.add("bs"); };
    document.head.appendChild(link);
  }
  function byId(id) { return document.getElementById(id); }
  function now() { return new Date().getTime(); }
  function show(v) { return typeof v === "string" ? v : JSON.stringify(v); }
  function at(obj, path) {
    var parts = path.split(".");
    for (var i = 0; i < parts.length && obj != null; i++) obj = obj[parts[i]];
    return obj;
  }
  function set(v) { return v != null && v !== false && v !== 0 && v !== ""; }
  function each(selector, fn) {
    var els = document.querySelectorAll(selector);
    for (var i = 0; i < els.length; i++) fn(els[i]);
  }

  function send(method, url, body, type, done, timeout) {
    var xhr = new XMLHttpRequest();
    xhr.open(method, url);
    xhr.setRequestHeader("Accept", "application/json");
    if (type) xhr.setRequestHeader("Content-Type", type);
    xhr.timeout = timeout || 10000;
    xhr.onloadend = function () {
      var r = null;
      try { r = JSON.parse(xhr.responseText); } catch (e) { r = null; }
      if (done) done(xhr.status, r);
    };
    xhr.send(body);
  }
  function get(url, done, fail, timeout) {
    send("GET", url, null, "", function (status, r) {
      if (status === 200 && r) done(r); else if (fail) fail(status);
    }, timeout);
  }
  function post(url, value, done) { send("POST", url, JSON.stringify(value || {}), "application/json", done); }
  function formBody(form) {
    var out = [], els = form.elements;
    for (var i = 0; i < els.length; i++) {
      var el = els[i], type = el.type;
      if (!el.name || el.disabled || type === "submit" || type === "button" || type === "file") continue;
      if ((type === "checkbox" || type === "radio") && !el.checked) continue;
      out.push(encodeURIComponent(el.name) + "=" + encodeURIComponent(el.value));
    }
    return out.join("&");
  }
  function postForm(form, done) {
    send("POST", form.getAttribute("action") || location.pathname, formBody(form), "application/x-www-form-urlencoded", done);
  }

  // ---- the device's state, in the header
  var stateEl = byId("iot-state"), state = "online", lastOk = now(), lastStatus = null;
  var LABELS = { online: "Online", reconnecting: "Reconnecting\\u2026", unreachable: "Unreachable" };
  if (stateEl) stateEl.hidden = false;
  function setState(s) {
    if (s === state) return;
    state = s;
    if (stateEl) {
      stateEl.setAttribute("data-state", s);
      stateEl.textContent = LABELS[s];
    }
  }
  function answered() { lastOk = now(); setState("online"); }
  function missed() { setState(now() - lastOk >= UNREACHABLE_MS ? "unreachable" : "reconnecting"); }
  setInterval(function () {
    if (document.hidden) return;
    var quiet = now() - lastOk;
    if (quiet >= UNREACHABLE_MS) setState("unreachable");
    else if (quiet >= interval + LATE_MS && state === "online" && !streaming) setState("reconnecting");
    tick();
  }, 1000);

  // ---- status and data on the page
  var listeners = [], statusAt = now();
  function renderStatus(st) {
    lastStatus = st;
    statusAt = now();
    each("[data-status]", function (el) {
      var v = at(st, el.getAttribute("data-status"));
      if (typeof v === "number" && el.getAttribute("data-unit") === "ms-as-s") v = Math.round(v / 1000);
      el.setAttribute("data-value", typeof v === "number" ? String(v) : "");
      write(el, v);
    });
    each("[data-show-if]", function (el) { el.hidden = !set(at(st, el.getAttribute("data-show-if"))); });
    each("[data-hide-if]", function (el) { el.hidden = set(at(st, el.getAttribute("data-hide-if"))); });
    renderTasks(st.tasks && st.tasks.failed);
    for (var i = 0; i < listeners.length; i++) listeners[i](st);
  }
  function uptime(s) {
    var d = Math.floor(s / 86400), h = Math.floor(s / 3600) % 24, m = Math.floor(s / 60) % 60;
    return (d ? d + "d " : "") + (d || h ? h + "h " : "") + m + "m " + (s % 60) + "s";
  }
  function write(el, v) {
    var text = v == null || v === "" ? "-" : el.getAttribute("data-status") === "uptime" && typeof v === "number" ? uptime(v) : show(v);
    if (el.textContent !== text) el.textContent = text;
  }
  function tick() {
    var passed = Math.floor((now() - statusAt) / 1000);
    each("[data-tick]", function (el) {
      var base = Number(el.getAttribute("data-value"));
      if (el.getAttribute("data-value") === "" || isNaN(base)) return;
      var v = el.getAttribute("data-tick") === "down" ? Math.max(0, base - passed) : base + passed;
      write(el, v);
    });
  }
  function renderTasks(failed) {
    var box = byId("iot-tasks"), list = byId("iot-tasks-list");
    if (!box || !list) return;
    failed = failed || [];
    while (list.firstChild) list.removeChild(list.firstChild);
    for (var i = 0; i < failed.length; i++) {
      var li = document.createElement("li"), name = document.createElement("strong");
      name.textContent = failed[i].name;
      li.appendChild(name);
      li.appendChild(document.createTextNode(" failed " + uptime(failed[i].at || 0) + " after start: " + failed[i].error));
      list.appendChild(li);
    }
    box.hidden = failed.length === 0;
  }
  function rowsOf(body) {
    // A row's key is its header's text; data-key names it for CSS and other scripts. No
    // prototype: a data key may be "constructor" or "__proto__".
    var map = Object.create(null), rows = body.rows, key;
    for (var i = 0; i < rows.length; i++) {
      key = rows[i].getAttribute("data-key");
      if (key === null) {
        key = rows[i].cells[0].textContent;
        rows[i].setAttribute("data-key", key);
      }
      map[key] = rows[i];
    }
    return map;
  }
  function putRow(body, rows, key, value) {
    var row = rows[key];
    if (!row) {
      row = document.createElement("tr");
      row.setAttribute("data-key", key);
      var th = document.createElement("th");
      th.scope = "row";
      th.textContent = key;
      row.appendChild(th);
      row.appendChild(document.createElement("td"));
      rows[key] = row;
      body.appendChild(row);
    }
    var text = show(value);
    if (row.cells[1].textContent !== text) row.cells[1].textContent = text;
    return row;
  }
  function renderData(data, merge) {
    var body = byId("data-body");
    if (!body) return;
    var rows = rowsOf(body), keys = Object.keys(data), seen = Object.create(null);
    for (var i = 0; i < keys.length; i++) {
      seen[keys[i]] = true;
      var row = putRow(body, rows, keys[i], data[keys[i]]);
      if (!merge) body.appendChild(row);
    }
    if (!merge) for (var k in rows) if (!seen[k]) body.removeChild(rows[k]);
    var empty = byId("data-empty");
    if (empty) empty.hidden = body.rows.length > 0;
  }

  // ---- the log view
  var logEl = byId("iot-log"), logNext = -1, logState = byId("iot-log-state");
  function addLog(line) {
    if (!logEl || line.seq < logNext) return;
    if (logNext >= 0 && line.seq > logNext) addLogText("debug", "\\u2026 " + (line.seq - logNext) + " line(s) not kept by the device");
    logNext = line.seq + 1;
    addLogText(line.level, uptime(Math.floor(line.ms / 1000)) + "  " + line.level + "  " + line.line);
  }
  function addLogText(level, text) {
    var follow = logEl.scrollTop + logEl.clientHeight >= logEl.scrollHeight - 8;
    var div = document.createElement("div");
    div.className = level;
    div.textContent = text;
    logEl.appendChild(div);
    while (logEl.childNodes.length > 500) logEl.removeChild(logEl.firstChild);
    if (follow) logEl.scrollTop = logEl.scrollHeight;
  }
  function pollLog(done) {
    get("/api/log" + (logNext >= 0 ? "?since=" + logNext : ""), function (r) {
      var lines = r.lines || [];
      if (logNext < 0 && r.lost) addLogText("debug", "(" + r.lost + " earlier line(s) not kept)");
      for (var i = 0; i < lines.length; i++) addLog(lines[i]);
      if (logNext < 0) logNext = r.next;
      if (logState) logState.textContent = lines.length || logEl.childNodes.length ? "" : "No log lines yet.";
      if (done) done(true);
    }, function (status) {
      if (logState) logState.textContent = status === 401 ? "The log needs the admin password." : status === 404 ? "This device keeps no log." : "The log could not be read.";
      // Refused (no password given, no log here) is an answer: only silence is a failure.
      if (done) done(status !== 0 && status < 500);
    });
  }

  // ---- polling, or the event stream
  var interval = Number(root.getAttribute("data-refresh")) || 3000, timer = 0, streaming = false, stream = null;
  var wantsData = !!byId("data-body");
  // The rows as the device sent them are named at once, before the first data arrives.
  if (wantsData) rowsOf(byId("data-body"));
  function poll() {
    clearTimeout(timer);
    if (streaming) return;
    if (document.hidden) { timer = setTimeout(poll, interval); return; }
    var steps = [function (next) {
      get("/api/status", function (st) { answered(); renderStatus(st); next(true); }, function () { missed(); next(false); }, 6000);
    }], failed = false, i = 0;
    if (wantsData) steps.push(function (next) {
      get("/data", function (d) { answered(); renderData(d, false); next(true); }, function () { missed(); next(false); }, 6000);
    });
    if (logEl) steps.push(function (next) { pollLog(next); });
    function next(ok) {
      if (!ok) failed = true;
      if (i < steps.length && !failed) steps[i++](next);
      else timer = setTimeout(poll, failed ? RETRY_MS : interval);
    }
    next(true);
  }
  function listen(url) {
    var es, opened = false, lastEvent = now(), checking = false;
    try { es = new EventSource(url); } catch (e) { return false; }
    stream = es;
    function heard() { lastEvent = now(); answered(); }
    function json(e) { try { return JSON.parse(e.data); } catch (x) { return null; } }
    es.onopen = function () { opened = true; streaming = true; heard(); };
    es.addEventListener("hello", function () { heard(); });
    es.addEventListener("status", function (e) { var st = json(e); heard(); if (st) renderStatus(st); });
    es.addEventListener("data-all", function (e) { var d = json(e); heard(); if (d) renderData(d, false); });
    es.addEventListener("data", function (e) { var d = json(e); heard(); if (d) renderData(d, true); });
    es.addEventListener("task", function () { heard(); });
    es.addEventListener("log", function (e) { var l = json(e); heard(); if (l) addLog(l); });
    es.onerror = function () {
      if (!opened || es.readyState === 2) {
        // Refused (the streams are taken, or no stream here) or given up: poll instead.
        es.close();
        stream = null;
        streaming = false;
        poll();
      } else missed();
    };
    // A quiet stream says nothing the script can hear (its keep-alives are comments): ask now and
    // then whether the device is still there.
    setInterval(function () {
      if (stream !== es || checking || document.hidden || now() - lastEvent < 10000) return;
      checking = true;
      get("/api/status", function (st) { checking = false; heard(); renderStatus(st); }, function () { checking = false; missed(); }, 6000);
    }, 2000);
    return true;
  }
  var events = root.getAttribute("data-events");
  function start() {
    var useEvents = !!(events && window.EventSource);
    if (logEl) pollLog(function () {
      if (!(useEvents && listen(events + "?log=on&since=" + Math.max(0, logNext)))) timer = setTimeout(poll, interval);
    });
    else if (!(useEvents && listen(events + "?log=off"))) timer = setTimeout(poll, interval);
  }
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) return;
    lastOk = Math.max(lastOk, now() - interval);
    if (!streaming) poll();
  });

  // ---- forms that answer in place
  function answerBox(form) {
    var id = form.getAttribute("data-answer-box");
    return id ? byId(id) : form.querySelector(".iot-answer");
  }
  function unmark(form) {
    var els = form.querySelectorAll("[aria-invalid]");
    for (var i = 0; i < els.length; i++) {
      els[i].removeAttribute("aria-invalid");
      els[i].classList.remove("is-invalid");
    }
  }
  function mark(form, key, box) {
    var els = form.elements;
    for (var i = 0; i < els.length; i++) {
      if (els[i].name !== key || els[i].type === "hidden") continue;
      els[i].setAttribute("aria-invalid", "true");
      els[i].classList.add("is-invalid");
      if (box && box.id) els[i].setAttribute("aria-errormessage", box.id);
      els[i].focus();
      return;
    }
  }
  function answer(form, kind, text, key) {
    var box = answerBox(form);
    unmark(form);
    if (key) mark(form, key, box);
    if (!box) return;
    box.className = "alert alert-" + kind + " iot-answer";
    box.textContent = text;
    box.hidden = false;
  }
  function refusal(status, r) {
    if (r && r.error) return r.error;
    if (status === 0) return "The device did not answer.";
    if (status === 401) return "The admin password is needed.";
    return "Refused (HTTP " + status + ").";
  }
  var after = {
    // The device restarts (or, where it cannot, has done what it can): load the page again once
    // it answers from its new boot, so nothing from before is shown.
    restart: function (form, r) {
      var then = form.getAttribute("data-then") || "/";
      if (!r || !r.rebooting) {
        if (form.hasAttribute("data-reload")) setTimeout(function () { location.replace(then); }, 1500);
        return;
      }
      var begun = now();
      onStatus(function (st) {
        if (typeof st.uptime === "number" && st.uptime * 1000 <= now() - begun) location.replace(then);
      });
      if (!streaming) { clearTimeout(timer); timer = setTimeout(poll, 2000); }
    }
  };
  var handlers = Object.create(null);
  function enhance(form) {
    if (form.getAttribute("data-answer") !== "auto") return;
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var question = form.getAttribute("data-confirm"), when = form.getAttribute("data-confirm-if");
      if (when && lastStatus && set(at(lastStatus, when))) question = form.getAttribute("data-confirm-then") || question;
      if (question && !confirm(question)) return;
      var button = form.querySelector("[type=submit]");
      if (button) button.disabled = true;
      answer(form, "info", form.getAttribute("data-sending") || "Sending\\u2026");
      postForm(form, function (status, r) {
        if (button) button.disabled = false;
        var ok = status >= 200 && status < 300 && !!r && !r.error;
        answer(form, ok ? "success" : "danger", ok ? r.message || "Done." : refusal(status, r), ok ? "" : r && r.key);
        var step = form.getAttribute("data-after");
        if (ok && step && Object.prototype.hasOwnProperty.call(after, step)) after[step](form, r);
        if (handlers[form.id]) handlers[form.id](ok, r, status);
      });
    });
  }
  each("form[data-answer]", enhance);
  function onStatus(fn) { listeners.push(fn); if (lastStatus) fn(lastStatus); }

  window.iot = {
    get: get,
    post: post,
    // The names of the page's first script, which features' scripts may still use.
    getJSON: function (url, done) { get(url, done); },
    postJSON: post,
    postForm: postForm,
    answer: answer,
    refusal: refusal,
    onStatus: onStatus,
    onAnswer: function (id, fn) { handlers[id] = fn; },
    status: function () { return lastStatus; },
    state: function () { return state; },
    refresh: function () { if (!streaming) poll(); }
  };
  setTimeout(start, 0);
})();
`;

export const PAGE_SCRIPT = staticAsset(SCRIPT, "text/javascript; charset=utf-8");
