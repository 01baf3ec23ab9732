/*
 * The OTA feature's part of the page: what runs now, the image URL, an Update button, a live
 * progress bar and the outcome; and the browser script that drives them from GET/POST /api/ota.
 * The markup uses Bootstrap's class names (the page's built-in CSS styles them without it);
 * every value goes through escapeHtml, and the script writes text with textContent only.
 */

import { escapeHtml } from "../text/escape-html";
import type { OtaProgress } from "./ota-job";

export interface OtaPageModel {
  project: string;
  version: string;
  url: string;
  progress: OtaProgress;
  probationLeftS: number;
  /** The GitHub source, when a repository is set (ota_github_repo). */
  github?: { repo: string; line: string; availableVersion?: string; notes?: string };
}

export function* renderOtaSection(model: OtaPageModel): Generator<string> {
  yield `<section class="card mb-3" id="ota"><div class="card-body"><h2 class="h5">Firmware update</h2>`;
  yield `<p class="small text-muted mb-2">Running <span id="ota-running">${escapeHtml(model.project)} ${escapeHtml(model.version)}</span>`;
  yield `<span id="ota-probation"${model.probationLeftS ? "" : " hidden"}> (on probation: kept after ${model.probationLeftS} s of healthy running; a restart before that goes back to the previous version)</span></p>`;
  yield `<label class="form-label" for="ota-url">Image URL (plain http://)</label>`;
  yield `<input class="form-control" type="url" id="ota-url" value="${escapeHtml(model.url)}" placeholder="http://192.168.1.10:8080/firmware.bin">`;
  yield `<button class="btn btn-primary" type="button" id="ota-start">Update</button>`;
  yield `<div class="progress" id="ota-progress" role="progressbar" aria-label="Download" hidden><div class="progress-bar" id="ota-bar"></div></div>`;
  const gh = model.github;
  if (gh) {
    yield `<div class="mt-3" id="ota-gh"><p class="small mb-1">GitHub releases of <span>${escapeHtml(gh.repo)}</span>: <span id="ota-gh-line" role="status">${escapeHtml(gh.line)}</span></p>`;
    yield `<pre class="small" id="ota-gh-notes"${gh.notes ? "" : " hidden"}>${escapeHtml(gh.notes ?? "")}</pre>`;
    yield `<button class="btn btn-secondary" type="button" id="ota-check">Check for updates</button> `;
    yield `<button class="btn btn-primary" type="button" id="ota-gh-install"${gh.availableVersion ? "" : " hidden"}>Install ${escapeHtml(gh.availableVersion ?? "")}</button></div>`;
  }
  const p = model.progress;
  yield `<p class="small mb-0" id="ota-outcome" role="status">${p.state === "failed" ? "Update failed: " + escapeHtml(p.error) : ""}</p>`;
  yield `</div></section>`;
}
// A generator function is no constructor, so preloading does not freeze its prototype: this does (it stays in flash).
Object.freeze(renderOtaSection.prototype);

/** Browser script (ES5, like the page's own): POST to start, poll GET /api/ota while it runs. */
export const OTA_CLIENT_SCRIPT = `(function () {
  var start = document.getElementById("ota-start");
  if (!start) return;
  var input = document.getElementById("ota-url"), box = document.getElementById("ota-progress");
  var bar = document.getElementById("ota-bar"), out = document.getElementById("ota-outcome");
  var running = document.getElementById("ota-running"), probation = document.getElementById("ota-probation");
  // watching: an update is under way, so an unreachable device is one that is restarting, and
  // the next answer that is not busy comes from the new boot.
  var timer = null, watching = false;
  function kb(n) { return Math.round(n / 1024) + " KB"; }
  function poll(ms) { clearTimeout(timer); timer = setTimeout(refresh, ms); }
  function refresh() {
    var xhr = new XMLHttpRequest();
    xhr.open("GET", "/api/ota");
    xhr.timeout = 4000;
    xhr.onloadend = function () {
      var s = null;
      try { if (xhr.status === 200) s = JSON.parse(xhr.responseText); } catch (e) {}
      if (s) render(s); else if (watching) poll(2000);
    };
    xhr.send();
  }
  function render(s) {
    renderGithub(s);
    var busy = s.state === "downloading" || s.state === "verifying" || s.state === "rebooting";
    start.disabled = busy;
    running.textContent = s.project + " " + s.version;
    probation.hidden = !s.probation;
    box.hidden = !busy;
    var pct = s.total ? Math.min(100, Math.floor(100 * s.received / s.total)) : 0;
    bar.style.width = (s.state === "downloading" ? pct : 100) + "%";
    bar.textContent = s.total && s.state === "downloading" ? pct + "%" : "";
    if (busy) {
      watching = true;
      if (s.state === "downloading") out.textContent = "Downloading\u2026 " + kb(s.received) + (s.total ? " of " + kb(s.total) : "");
      else if (s.state === "verifying") out.textContent = "Verifying the image\u2026";
      else out.textContent = "Installed. Restarting into the new version\u2026";
      poll(1000);
    } else if (s.state === "failed") {
      watching = false;
      out.textContent = "Update failed: " + s.error;
    } else if (watching) {
      watching = false;
      out.textContent = "Restarted: now running " + s.project + " " + s.version + ".";
    }
  }
  var check = document.getElementById("ota-check"), install = document.getElementById("ota-gh-install");
  var ghLine = document.getElementById("ota-gh-line"), notes = document.getElementById("ota-gh-notes");
  function renderGithub(s) {
    if (!check) return;
    check.disabled = !!s.checking;
    if (s.checking) ghLine.textContent = "checking\u2026";
    else if (s.available) ghLine.textContent = s.available.version + " (" + s.available.tag + ") is available";
    else if (s.upToDate) ghLine.textContent = "up to date";
    else if (s.checkError) ghLine.textContent = "check failed: " + s.checkError;
    install.hidden = !s.available || s.checking;
    if (s.available) install.textContent = "Install " + s.available.version;
    notes.hidden = !(s.available && s.available.notes);
    notes.textContent = s.available ? s.available.notes : "";
    if (s.checking) poll(1000);
  }
  if (check) check.addEventListener("click", function () {
    ghLine.textContent = "checking\u2026";
    window.iot.postJSON("/api/ota/check", {}, function (status, r) {
      if (status === 202 && r) render(r);
      else ghLine.textContent = "check refused: " + ((r && r.error) || "HTTP " + status);
    });
  });
  if (install) install.addEventListener("click", function () {
    out.textContent = "Starting\u2026";
    window.iot.postJSON("/api/ota", { source: "github" }, function (status, r) {
      if (status === 202 && r) render(r);
      else out.textContent = "Update refused: " + ((r && r.error) || "HTTP " + status);
    });
  });
  start.addEventListener("click", function () {
    var body = input.value ? { url: input.value } : {};
    out.textContent = "Starting\\u2026";
    window.iot.postJSON("/api/ota", body, function (status, r) {
      if (status === 202 && r) render(r);
      else out.textContent = "Update refused: " + ((r && r.error) || "HTTP " + status);
    });
  });
  refresh();
})();
`;
