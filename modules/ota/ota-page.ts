/*
 * The OTA feature's card (the page's Update view): the version running, the probation with its
 * live countdown, one form with the update URL (the ota_url setting itself: saved when it is
 * sent) and the Update button, a live progress bar and the outcome beside the form, errors
 * like every other form's. The browser script drives the progress from GET /api/ota; without
 * script the form posts to POST /ota and comes back to this view with the answer.
 * The markup uses Bootstrap's class names (the page's built-in CSS styles them without it);
 * every value goes through escapeHtml, and the script writes text with textContent only.
 * Users see versions, not the image's project name (every Moddable app is "xs_esp32").
 * With a GitHub repository set, the card also shows what the last check found (the release's
 * notes as text), "Check for updates" and "Install <version>": with script they post to
 * /api/ota/check and /api/ota {source: "github"} and the card follows; without, they are a form
 * (POST /ota, github=check or install) answered by a 303 back to this view with the notice.
 */

import { escapeHtml } from "../text/escape-html";
import { staticAsset } from "../http/static-asset";
import type { OtaProgress } from "./ota-job";

export interface OtaPageModel {
  /** The running image's project name: kept out of what users read. */
  project: string;
  version: string;
  url: string;
  progress: OtaProgress;
  /** Seconds of healthy running still needed, when the running app is on probation. */
  probationLeftS: number | undefined;
  /** The GitHub source, when a repository is set (ota_github_repo). */
  github?: { repo: string; line: string; availableVersion?: string; notes?: string };
}

const BUSY: readonly string[] = Object.freeze(["downloading", "verifying", "rebooting"]);

/** An error as the page says it: versions, not project names, and no advice for API callers. */
export function plainOtaError(error: string, project: string): string {
  const text = project ? error.split(`the update to ${project} `).join("the update to version ") : error;
  const advice = text.indexOf(" (send ");
  return advice > 0 ? text.slice(0, advice) : text;
}

export function* renderOtaSection(model: OtaPageModel): Generator<string> {
  const left = model.probationLeftS;
  yield `<section class="card mb-3" id="ota" aria-labelledby="ota-title"><div class="card-body"><h2 class="h5" id="ota-title">Firmware update</h2>`;
  yield `<table class="table table-sm mb-3 iot-table"><tbody><tr><th scope="row">Running version</th><td id="ota-running">${escapeHtml(model.version || "-")}</td></tr></tbody></table>`;
  yield `<div class="alert alert-warning small" id="ota-probation" data-show-if="ota.probation"${left === undefined ? " hidden" : ""}>This version is on probation: it is kept once it has run healthy for <span data-status="ota.probationLeft" data-tick="down" data-value="${left ?? ""}">${left ?? "-"}</span> s more. A restart before that goes back to the previous version.</div>`;
  yield `<form id="ota-form" method="post" action="/ota" accept-charset="utf-8" data-answer="auto" data-sending="Starting the update\u2026">`;
  yield `<label class="form-label" for="ota-url">Image URL</label><input class="form-control" type="url" id="ota-url" name="ota_url" value="${escapeHtml(model.url)}" maxlength="200" placeholder="http://192.168.1.10:8080/firmware.bin" aria-describedby="ota-url-help" autocomplete="off" spellcheck="false">`;
  yield `<div class="form-text" id="ota-url-help">A plain http:// address on your network. Update saves it as the device's update URL, then fetches the image from it.</div>`;
  const busy = BUSY.includes(model.progress.state);
  yield `<div class="iot-actions"><button class="btn btn-primary" type="submit" id="ota-start"${busy ? " disabled" : ""}>Update</button></div>`;
  yield `<div class="progress" id="ota-progress" role="progressbar" aria-label="Download" aria-valuemin="0" aria-valuemax="100" aria-valuenow="0" hidden><div class="progress-bar" id="ota-bar"></div></div>`;
  const p = model.progress;
  if (p.state === "failed") yield `<div class="alert alert-danger iot-answer" id="ota-outcome" role="status">Update failed: ${escapeHtml(plainOtaError(p.error, model.project))}</div>`;
  else yield `<div class="iot-answer" id="ota-outcome" role="status" hidden></div>`;
  yield `</form>`;
  const gh = model.github;
  if (gh) {
    yield `<div class="mt-3" id="ota-gh"><h3 class="h6">GitHub releases of ${escapeHtml(gh.repo)}</h3><p class="mb-2" id="ota-gh-line" role="status">${escapeHtml(gh.line)}</p>`;
    yield `<pre class="small iot-notes" id="ota-gh-notes"${gh.notes ? "" : " hidden"}>${escapeHtml(gh.notes ?? "")}</pre>`;
    yield `<form id="ota-gh-form" method="post" action="/ota" accept-charset="utf-8"><div class="iot-actions"><button class="btn btn-secondary" type="submit" name="github" value="check" id="ota-check">Check for updates</button> `;
    yield `<button class="btn btn-primary" type="submit" name="github" value="install" id="ota-gh-install"${gh.availableVersion ? "" : " hidden"}>Install ${escapeHtml(gh.availableVersion ?? "")}</button></div></form></div>`;
  }
  yield `</div></section>`;
}
// A generator function is no constructor, so preloading does not freeze its prototype: this does (it stays in flash).
Object.freeze(renderOtaSection.prototype);

/** Browser script (ES5, like the page's own): the form answers in place, then GET /api/ota while it runs. */
const SCRIPT = `(function () {
  var form = document.getElementById("ota-form");
  if (!form || !window.iot) return;
  var iot = window.iot, start = document.getElementById("ota-start"), box = document.getElementById("ota-progress");
  var bar = document.getElementById("ota-bar"), running = document.getElementById("ota-running");
  // watching: an update is under way, so an unreachable device is one that is restarting, and
  // the next answer that is not busy comes from the new boot.
  var timer = null, watching = false, lastState = "";
  function kb(n) { return Math.round(n / 1024) + " KB"; }
  function say(kind, text) { iot.answer(form, kind, text); }
  // The device's words are for its API too: the page names versions, and offers no API advice.
  function plain(s) {
    var text = String(s.error || "");
    if (s.project) text = text.split("the update to " + s.project + " ").join("the update to version ");
    var advice = text.indexOf(" (send ");
    return advice > 0 ? text.slice(0, advice) : text;
  }
  function poll(ms) { clearTimeout(timer); timer = setTimeout(refresh, ms); }
  function refresh() {
    iot.get("/api/ota", render, function () { if (watching) poll(2000); }, 4000);
  }
  function render(s) {
    renderGithub(s);
    var busy = s.state === "downloading" || s.state === "verifying" || s.state === "rebooting";
    start.disabled = busy;
    running.textContent = s.version || "-";
    box.hidden = !busy;
    var pct = s.total ? Math.min(100, Math.floor(100 * s.received / s.total)) : 0;
    bar.style.width = (s.state === "downloading" ? pct : 100) + "%";
    bar.textContent = s.total && s.state === "downloading" ? pct + "%" : "";
    box.setAttribute("aria-valuenow", String(s.state === "downloading" ? pct : 100));
    if (busy) {
      watching = true;
      if (s.state === "downloading") say("info", "Downloading\\u2026 " + kb(s.received) + (s.total ? " of " + kb(s.total) : ""));
      else if (s.state === "verifying") say("info", "Verifying the image\\u2026");
      else say("info", "Installed. Restarting into the new version\\u2026");
      poll(1000);
    } else if (s.state === "failed") {
      watching = false;
      if (lastState !== "failed" || !form.querySelector(".alert-danger")) say("danger", "Update failed: " + plain(s));
    } else if (watching) {
      watching = false;
      say("success", "Restarted: now running version " + s.version + ".");
    }
    lastState = s.state;
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
    install.hidden = !s.available || !!s.checking;
    if (s.available) install.textContent = "Install " + s.available.version;
    notes.hidden = !(s.available && s.available.notes);
    notes.textContent = s.available ? (s.available.notes || "") : "";
    if (s.checking) poll(1000);
  }
  // With script the buttons post JSON and the card follows; the form is for a browser without it.
  if (check) check.addEventListener("click", function (e) {
    e.preventDefault();
    ghLine.textContent = "checking\u2026";
    iot.post("/api/ota/check", {}, function (status, r) {
      if (status === 202 && r) render(r);
      else ghLine.textContent = "check refused: " + ((r && r.error) || "HTTP " + status);
    });
  });
  if (install) install.addEventListener("click", function (e) {
    e.preventDefault();
    say("info", "Starting the update\u2026");
    iot.post("/api/ota", { source: "github" }, function (status, r) {
      if (status === 202 && r) render(r);
      else say("danger", "Update refused: " + ((r && r.error) || "HTTP " + status));
    });
  });
  iot.onAnswer("ota-form", function (ok, r) { if (ok && r) render(r); });
  iot.onStatus(function (st) { if (st.ota && !watching && st.ota.state !== lastState) render(st.ota); });
  refresh();
})();
`;

export const OTA_CLIENT_SCRIPT = staticAsset(SCRIPT, "text/javascript; charset=utf-8");
