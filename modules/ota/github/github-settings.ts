/*
 * The GitHub update source's settings and how to read them: which repository, which channel,
 * which asset, a token, the API's address, and the automatic updates (when, how often, in
 * which local-time window). Declared by the OTA feature (modules/ota/ota-feature.ts); each one
 * refuses a malformed value with a sentence (the API's 400 names the key).
 *
 * Channels: "stable" (the latest release), "prerelease" (the newest release, prereleases
 * included), "tag:<name>" (one pinned release), "branch:<name>" (the rolling prerelease tagged
 * edge-<name> that the repository's CI refreshes on every commit: docs/github-updates.md).
 */

import type { ConfigValue, SettingSpec } from "../../config/config-keys";
import { parseTimeWindows } from "../../clock/time-window";

export const GITHUB_API = "https://api.github.com";

export type Channel =
  | { readonly kind: "stable" }
  | { readonly kind: "prerelease" }
  | { readonly kind: "tag"; readonly tag: string }
  | { readonly kind: "branch"; readonly branch: string; readonly tag: string };

export type AutoMode = "off" | "notify" | "install";

/** A tag or branch name as git allows it, closely enough: no spaces, no "..", no control characters. */
function refName(text: string): boolean {
  if (text.length === 0 || text.length > 100 || text.includes("..") || text.startsWith("/") || text.endsWith("/")) return false;
  for (const ch of text) if (ch <= " " || ch === "~" || ch === "^" || ch === ":" || ch === "?" || ch === "*" || ch === "[" || ch === "\\" || ch === "\u007f") return false;
  return true;
}

export function parseChannel(text: string): Channel | { error: string } {
  const value = text.trim();
  if (value === "stable") return { kind: "stable" };
  if (value === "prerelease") return { kind: "prerelease" };
  if (value.startsWith("tag:")) {
    const tag = value.slice(4);
    return refName(tag) ? { kind: "tag", tag } : { error: `"${tag.slice(0, 40)}" is not a tag name` };
  }
  if (value.startsWith("branch:")) {
    const branch = value.slice(7);
    return refName(branch) ? { kind: "branch", branch, tag: `edge-${branch.split("/").join("-")}` } : { error: `"${branch.slice(0, 40)}" is not a branch name` };
  }
  return { error: 'the channel is "stable", "prerelease", "tag:<name>" or "branch:<name>"' };
}

/** "owner/name" as GitHub allows them; undefined when the text is no repository. */
export function parseRepo(text: string): { owner: string; name: string } | undefined {
  const parts = text.trim().split("/");
  if (parts.length !== 2) return undefined;
  const [owner, name] = parts;
  if (owner.length < 1 || owner.length > 39 || name.length < 1 || name.length > 100 || name === "." || name === "..") return undefined;
  for (const ch of owner) if (!((ch >= "a" && ch <= "z") || (ch >= "A" && ch <= "Z") || (ch >= "0" && ch <= "9") || ch === "-")) return undefined;
  for (const ch of name) if (!((ch >= "a" && ch <= "z") || (ch >= "A" && ch <= "Z") || (ch >= "0" && ch <= "9") || ch === "-" || ch === "_" || ch === ".")) return undefined;
  return { owner, name };
}

function checkRepo(value: ConfigValue): string | undefined {
  const text = String(value);
  return text === "" || parseRepo(text) ? undefined : `"${text.slice(0, 60)}" is not a GitHub repository as owner/name`;
}

function checkChannel(value: ConfigValue): string | undefined {
  const parsed = parseChannel(String(value));
  return "error" in parsed ? parsed.error : undefined;
}

function checkAsset(value: ConfigValue): string | undefined {
  const text = String(value);
  if (text.trim() === "") return "name the asset (a file name, * matches anything)";
  for (const ch of text) if (ch === "/" || ch < " ") return "the asset is a file name: no slashes or control characters";
  return undefined;
}

function checkApi(value: ConfigValue): string | undefined {
  const text = String(value);
  return /^https:\/\/[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:\/[\x21-\x7e]*)?$/.test(text) ? undefined : "the API address is an https:// URL such as https://api.github.com";
}

function checkWindow(value: ConfigValue): string | undefined {
  const parsed = parseTimeWindows(String(value));
  if ("error" in parsed) return parsed.error;
  return parsed.length === 0 ? "give at least one window such as 02:00-05:00" : undefined;
}

export const GITHUB_SETTINGS: Readonly<Record<string, SettingSpec>> = Object.freeze({
  ota_github_repo: Object.freeze({
    type: "string",
    default: "",
    group: "ota",
    label: "GitHub repository",
    help: "owner/name of the repository whose releases carry this device's image. Empty: no GitHub updates.",
    maxBytes: 140,
    check: checkRepo,
  }),
  ota_github_channel: Object.freeze({
    type: "string",
    default: "stable",
    group: "ota",
    label: "Update channel",
    help: "stable (the latest release), prerelease (the newest, prereleases too), tag:<name> (one release), branch:<name> (the edge-<name> prerelease CI refreshes).",
    maxBytes: 110,
    check: checkChannel,
  }),
  ota_github_asset: Object.freeze({
    type: "string",
    default: "*.bin",
    group: "ota",
    label: "Release asset",
    help: "The image's file name in the release; * matches anything.",
    maxBytes: 100,
    check: checkAsset,
  }),
  ota_github_token: Object.freeze({
    type: "string",
    default: "",
    group: "ota",
    label: "GitHub token",
    help: "For a private repository, or 5,000 checks an hour instead of 60 (shared by everything behind your router). Needs read access to contents.",
    secret: true,
    maxBytes: 255,
  }),
  ota_github_api: Object.freeze({
    type: "string",
    default: GITHUB_API,
    group: "ota",
    label: "GitHub API",
    help: "https://api.github.com, or a GitHub Enterprise server's API.",
    maxBytes: 120,
    check: checkApi,
  }),
  ota_auto: Object.freeze({
    type: "string",
    default: "off",
    group: "ota",
    label: "Automatic updates",
    help: "notify: check every few hours and show what is new; install: also install it inside the window below, when the device is idle.",
    choices: Object.freeze([
      Object.freeze({ value: "off", label: "off" }),
      Object.freeze({ value: "notify", label: "check and show" }),
      Object.freeze({ value: "install", label: "check and install" }),
    ]),
  }),
  ota_check_hours: Object.freeze({
    type: "integer",
    default: 6,
    group: "ota",
    label: "Check every (hours)",
    help: "With up to a tenth more or less at random, so that many devices do not ask at once.",
    min: 1,
    max: 168,
  }),
  ota_window: Object.freeze({
    type: "string",
    default: "02:00-05:00",
    group: "ota",
    label: "Install window (local time)",
    help: "HH:MM-HH:MM in the timezone setting; several separated by commas.",
    maxBytes: 60,
    check: checkWindow,
  }),
} satisfies Record<string, SettingSpec>);
