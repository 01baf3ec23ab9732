/*
 * The GitHub source's semantic versions (modules/ota/github/semver.ts) against npm's `semver`
 * package, the reference most tools agree with: thousands of generated versions (numbers with
 * and without leading zeros, prereleases of numbers, words and hyphens, build metadata, a
 * leading v, and malformed ones), each parsed by both, and every pair compared by both.
 */

import * as assert from "node:assert/strict";
import semver from "semver";
import { compareSemver, compareVersions, parseSemver } from "../../modules/ota/github/semver";

/** A small deterministic generator (xorshift), so a failure is reproducible. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

function number(random: () => number): string {
  return pick(random, ["0", "1", "2", "3", "9", "10", "11", "99", "100", "01", "007", "1234567"]);
}

function identifier(random: () => number): string {
  return pick(random, ["alpha", "beta", "rc", "0", "1", "2", "10", "01", "x-y", "-", "a1", "1a", "RC", "Beta", "", "a.b", "αβ"]);
}

function version(random: () => number): string {
  let text = `${number(random)}.${number(random)}.${number(random)}`;
  if (random() < 0.05) text = `${number(random)}.${number(random)}`;
  if (random() < 0.5) {
    const parts = Array.from({ length: 1 + Math.floor(random() * 3) }, () => identifier(random));
    text += `-${parts.join(".")}`;
  }
  if (random() < 0.2) text += `+${pick(random, ["build.5", "sha.abc123", "001", "", "a..b"])}`;
  if (random() < 0.3) text = `v${text}`;
  return text;
}

describe("semver: the same answers as npm's semver", () => {
  const random = rng(20261201);
  const versions = Array.from({ length: 3000 }, () => version(random));

  it("parses exactly the versions semver parses, to the same version", () => {
    let valid = 0;
    for (const text of versions) {
      const ours = parseSemver(text);
      const theirs = semver.parse(text);
      assert.equal(ours === undefined, theirs === null, `${text}: ours ${ours?.text}, semver ${theirs?.version}`);
      if (ours && theirs) {
        valid++;
        assert.equal(ours.text, theirs.version, text);
      }
    }
    assert.ok(valid > 1000 && valid < versions.length, `${valid} of ${versions.length} generated versions are valid: both kinds are tried`);
  });

  it("orders every pair of valid versions as semver.compare does", () => {
    const valid = versions.filter((v) => semver.parse(v) !== null).slice(0, 700);
    let pairs = 0;
    const seen = new Set<number>();
    for (let i = 0; i < valid.length; i++) {
      for (let j = i; j < valid.length; j += 7) {
        const ours = compareVersions(valid[i], valid[j]);
        const theirs = semver.compare(valid[i], valid[j]);
        assert.equal(ours, theirs, `${valid[i]} vs ${valid[j]}`);
        seen.add(theirs);
        pairs++;
      }
    }
    assert.ok(pairs > 30_000, `${pairs} pairs`);
    assert.deepEqual([...seen].sort(), [-1, 0, 1]);
  });

  it("puts a prerelease below its release, ignores v and build metadata, and refuses tags that are no versions", () => {
    const v = (text: string) => parseSemver(text) ?? assert.fail(text);
    assert.equal(compareSemver(v("1.0.0-rc.1"), v("1.0.0")), -1);
    assert.equal(compareSemver(v("v2.0.0"), v("2.0.0+build.7")), 0);
    assert.equal(compareSemver(v("V1.2.3"), v("1.2.3")), 0);
    assert.equal(compareSemver(v("1.0.0-alpha"), v("1.0.0-alpha.1")), -1);
    assert.equal(compareSemver(v("1.0.0-2"), v("1.0.0-10")), -1);
    for (const tag of ["nightly", "edge-main", "1.0", "1.0.0.0", "01.0.0", "1.0.0-", "1.0.0-01", ""]) assert.equal(parseSemver(tag), undefined, tag);
  });
});
