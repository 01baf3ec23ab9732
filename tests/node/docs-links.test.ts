/*
 * The documentation's links hold: every relative link in README.md and docs/*.md names a file
 * that exists, and every #anchor (in the same page or in another .md page) names a heading
 * there, slugged the way GitHub slugs headings. External links (http:, https:, mailto:) are
 * not checked: no network in the tests. A file still to come is allowed only when listed below.
 */

import * as assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");
/**
 * Files linked on purpose before they exist: the screenshot the lead produces, and the pages
 * other branches add (GitHub updates, live events, the page). Once a file exists its anchors are
 * checked; drop its entry here then.
 */
const PENDING = new Set(["docs/images/page.png", "docs/github-updates.md", "docs/page.md"]);

/** GitHub's heading slug: lower case, punctuation dropped (not - or _), spaces to hyphens. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/<[^>]*>/g, "")
    .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

/** The anchors of a Markdown page: its headings' slugs (repeats get -1, -2, ...) and <a id>s. */
export function anchors(markdown: string): Set<string> {
  const found = new Set<string>();
  const counts = new Map<string, number>();
  let fence = false;
  for (const line of markdown.split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) fence = !fence;
    if (fence) continue;
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const base = slug(heading[1].replace(/\[([^\]]*)\]\([^)]*\)/g, "$1"));
      const n = counts.get(base) ?? 0;
      counts.set(base, n + 1);
      found.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const id of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) found.add(id[1]);
  }
  return found;
}

/** Every link target outside code: [text](target) and ![alt](target). */
export function links(markdown: string): string[] {
  const out: string[] = [];
  let fence = false;
  for (const line of markdown.split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) fence = !fence;
    if (fence) continue;
    const prose = line.replace(/`[^`]*`/g, "");
    for (const m of prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) out.push(m[1]);
  }
  return out;
}

function pages(): string[] {
  const docs = join(ROOT, "docs");
  const list = ["README.md"];
  for (const name of readdirSync(docs)) {
    if (name.endsWith(".md") && statSync(join(docs, name)).isFile()) list.push(`docs/${name}`);
  }
  return list;
}

describe("documentation links", () => {
  it("slugs headings as GitHub does", () => {
    assert.equal(slug("WiFi: access point, captive portal, primary and fallback networks, recovery"), "wifi-access-point-captive-portal-primary-and-fallback-networks-recovery");
    assert.equal(slug("On the real SDK, in its Linux simulator (`npm run test:moddable`)"), "on-the-real-sdk-in-its-linux-simulator-npm-run-testmoddable");
    assert.equal(slug("Over-the-air updates (OTA)"), "over-the-air-updates-ota");
    assert.deepEqual([...anchors("# A\n## A\n```\n# B\n```\n")], ["a", "a-1"]);
    assert.deepEqual(links("[x](a.md#b) `[y](c.md)` ![i](img.png)"), ["a.md#b", "img.png"]);
  });

  for (const page of pages()) {
    it(`${page}: every relative link and #anchor exists`, () => {
      const text = readFileSync(join(ROOT, page), "utf8");
      const broken: string[] = [];
      for (const target of links(text)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
        const [pathPart, anchor] = target.split("#", 2) as [string, string | undefined];
        const file = pathPart === "" ? join(ROOT, page) : resolve(dirname(join(ROOT, page)), decodeURIComponent(pathPart));
        const name = relative(ROOT, file);
        if (!existsSync(file)) {
          if (!PENDING.has(name)) broken.push(`${target}: no file ${name}`);
          continue;
        }
        if (anchor !== undefined && anchor !== "") {
          if (!file.endsWith(".md")) {
            broken.push(`${target}: an anchor into a file that is not Markdown`);
            continue;
          }
          if (!anchors(readFileSync(file, "utf8")).has(anchor)) broken.push(`${target}: no heading "#${anchor}" in ${name}`);
        }
      }
      assert.deepEqual(broken, [], `broken links in ${page}`);
    });
  }

  it("README.md stays a short first page that links every docs page", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    assert.ok(readme.split("\n").length <= 140, "README.md is meant to stay short: put details under docs/");
    const linked = new Set(links(readme).map((t) => t.split("#")[0]));
    const missing = pages().filter((p) => p !== "README.md" && !linked.has(p));
    assert.deepEqual(missing, [], "docs pages the README does not link");
  });
});
