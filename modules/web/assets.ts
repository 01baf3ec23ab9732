/*
 * The page's built-in stylesheet and its browser script, as frozen string constants: on XS a
 * preloaded module's strings stay in flash, like a resource, and the core reads them without a
 * host call on every engine.
 *
 * The stylesheet is always inlined so the page looks right with no internet (a phone on the
 * device's access point has none). Its rules are scoped to html:not(.bs): when the browser
 * manages to load Bootstrap, the script adds class "bs" and Bootstrap alone styles the same
 * markup (which uses Bootstrap's class names).
 */

/** The words POST /api/factory-reset must carry, so a stray request never erases anything. */
export const FACTORY_RESET_CONFIRMATION = "erase everything";

export const BOOTSTRAP_CSS = Object.freeze({
  href: "https://cdn.jsdelivr.net/npm/bootstrap@5.3.3/dist/css/bootstrap.min.css",
  integrity: "sha384-QWTKZyjpPEjISv5WaRU9OFeRpok6YctnYmDr5pNlyT2bRjXh0JMhjY6hW+ALEwIH",
});

export const BUILTIN_CSS = `
html:not(.bs) body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#212529;background:#f3f4f6}
html:not(.bs) .container{max-width:46rem;margin:0 auto;padding:1rem}
html:not(.bs) h1{font-size:1.6rem;margin:.5rem 0 1rem}
html:not(.bs) h2{font-size:1.15rem;margin:0 0 .6rem}
html:not(.bs) .card{background:#fff;border:1px solid #dee2e6;border-radius:.5rem;margin-bottom:1rem}
html:not(.bs) .card-body{padding:1rem}
html:not(.bs) .table{width:100%;border-collapse:collapse}
html:not(.bs) .table th,html:not(.bs) .table td{text-align:left;padding:.35rem .5rem;border-top:1px solid #dee2e6;word-break:break-word}
html:not(.bs) .table th{width:40%;font-weight:600}
html:not(.bs) fieldset{border:0;padding:0;margin:0 0 1rem}
html:not(.bs) legend{font-weight:600;margin-bottom:.4rem}
html:not(.bs) .form-label{display:block;margin:.5rem 0 .2rem}
html:not(.bs) .form-control,html:not(.bs) .form-select{box-sizing:border-box;width:100%;padding:.45rem .6rem;font:inherit;border:1px solid #ced4da;border-radius:.35rem;background:#fff}
html:not(.bs) .form-check{margin:.3rem 0}
html:not(.bs) .form-text{font-size:.85rem;color:#6c757d}
html:not(.bs) .btn{display:inline-block;padding:.45rem 1rem;font:inherit;border:1px solid transparent;border-radius:.35rem;cursor:pointer;margin:.25rem .25rem .25rem 0}
html:not(.bs) .btn-primary{background:#0d6efd;color:#fff}
html:not(.bs) .btn-outline-danger{background:#fff;color:#dc3545;border-color:#dc3545}
html:not(.bs) .btn-outline-secondary{background:#fff;color:#6c757d;border-color:#6c757d}
html:not(.bs) .alert{padding:.75rem 1rem;border-radius:.4rem;margin-bottom:1rem;border:1px solid}
html:not(.bs) .alert-success{background:#d1e7dd;border-color:#badbcc;color:#0f5132}
html:not(.bs) .alert-danger{background:#f8d7da;border-color:#f5c2c7;color:#842029}
html:not(.bs) .alert-warning{background:#fff3cd;border-color:#ffecb5;color:#664d03}
html:not(.bs) .progress{height:1rem;background:#e9ecef;border-radius:.35rem;overflow:hidden}
html:not(.bs) .progress-bar{height:100%;background:#0d6efd;color:#fff;font-size:.75rem;text-align:center}
html:not(.bs) .text-muted{color:#6c757d}
html:not(.bs) .list-unstyled{list-style:none;padding-left:0}
html:not(.bs) details{margin:.5rem 0}
html:not(.bs) summary{cursor:pointer;color:#0d6efd}
html:not(.bs) .small{font-size:.85rem}
[hidden]{display:none!important}
`;

/**
 * The browser half of the page: upgrades to Bootstrap when the browser can load it, refreshes
 * the data table and status from /data and /api/status without reloading, and sends the
 * buttons' JSON requests. Plain ES5-level script so the phones' captive-portal browsers run it.
 * Values are written with textContent only, never as HTML.
 */
export const CLIENT_SCRIPT = `"use strict";
(function () {
  var root = document.documentElement;
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
  function show(v) { return typeof v === "string" ? v : JSON.stringify(v); }
  function rowsOf(body) {
    var map = {}, rows = body.rows;
    for (var i = 0; i < rows.length; i++) map[rows[i].getAttribute("data-key")] = rows[i];
    return map;
  }
  function renderData(data) {
    var body = document.getElementById("data-body");
    if (!body) return;
    var rows = rowsOf(body), seen = {}, keys = Object.keys(data);
    for (var i = 0; i < keys.length; i++) {
      var key = keys[i], row = rows[key];
      seen[key] = true;
      if (!row) {
        row = document.createElement("tr");
        row.setAttribute("data-key", key);
        var th = document.createElement("th");
        th.scope = "row";
        th.textContent = key;
        row.appendChild(th);
        row.appendChild(document.createElement("td"));
      }
      body.appendChild(row);
      var text = show(data[key]);
      if (row.cells[1].textContent !== text) row.cells[1].textContent = text;
    }
    for (var k in rows) if (!seen[k]) body.removeChild(rows[k]);
  }
  function uptime(s) {
    var d = Math.floor(s / 86400), h = Math.floor(s / 3600) % 24, m = Math.floor(s / 60) % 60;
    return (d ? d + "d " : "") + (d || h ? h + "h " : "") + m + "m " + (s % 60) + "s";
  }
  function renderStatus(st) {
    var els = document.querySelectorAll("[data-status]");
    for (var i = 0; i < els.length; i++) {
      var path = els[i].getAttribute("data-status").split("."), v = st;
      for (var j = 0; j < path.length && v != null; j++) v = v[path[j]];
      if (path[0] === "uptime" && typeof v === "number") v = uptime(v);
      els[i].textContent = v == null || v === "" ? "-" : show(v);
    }
  }
  function getJSON(url, done) {
    var xhr = new XMLHttpRequest();
    xhr.open("GET", url);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.onload = function () { if (xhr.status === 200) { try { done(JSON.parse(xhr.responseText)); } catch (e) {} } };
    xhr.send();
  }
  window.iot = {
    getJSON: getJSON,
    postJSON: function (url, value, done) {
      var xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      xhr.setRequestHeader("Content-Type", "application/json");
      xhr.onloadend = function () { var r = null; try { r = JSON.parse(xhr.responseText); } catch (e) {} if (done) done(xhr.status, r); };
      xhr.send(JSON.stringify(value || {}));
    },
    renderStatus: renderStatus
  };
  var interval = Number(root.getAttribute("data-refresh")) || 3000, tick = 0;
  function poll() {
    if (!document.hidden) {
      getJSON("/data", renderData);
      if (tick++ % 2 === 0) getJSON("/api/status", renderStatus);
    }
    setTimeout(poll, interval);
  }
  setTimeout(poll, interval);
  function notify(ok, text) {
    var n = document.getElementById("notice");
    n.className = "alert " + (ok ? "alert-success" : "alert-danger");
    n.textContent = text;
    n.hidden = false;
  }
  function button(id, question, url, body, done, after) {
    var el = document.getElementById(id);
    if (el) el.addEventListener("click", function () {
      if (!confirm(question)) return;
      window.iot.postJSON(url, body, function (status, reply) {
        var ok = status === 202 || (status === 200 && reply && reply.message);
        notify(ok, status === 202 ? done : (reply && (reply.message || reply.error)) || "Refused (" + status + ").");
        if (status === 202 && after) after();
      });
    });
  }
  window.iot.notify = notify;
  button("reboot", "Restart the device?", "/api/reboot", {}, "Restarting\\u2026 this page reloads in a few seconds.",
    function () { setTimeout(function () { location.reload(); }, 6000); });
  button("factory-reset", "Erase every setting, WiFi included, and restart into setup mode?", "/api/factory-reset",
    { confirm: "${FACTORY_RESET_CONFIRMATION}" }, "Erasing every setting. The device restarts as an access point: join it to set it up again.");
})();
`;
