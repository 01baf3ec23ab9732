/*
 * Semantic versions (semver.org 2.0.0) as release tags carry them: "v1.4.0", "2.0.0-rc.1",
 * "1.0.0+build.5". parseSemver() answers undefined for anything else (so a tag such as
 * "nightly" is never mistaken for a newer version); compareSemver() orders two parsed versions
 * the way the spec (and npm's `semver` package, which the tests compare it with) does:
 *
 * - a leading "v" or "V" is ignored, and so is build metadata ("+...");
 * - major, minor, patch compare as numbers; a version with a prerelease is below the same
 *   version without one (1.0.0-rc.1 < 1.0.0);
 * - prerelease identifiers compare one by one: numbers as numbers, below any text; text in
 *   ASCII order; a longer list wins when all before are equal (1.0.0-a < 1.0.0-a.1).
 * - Numbers have no leading zeros (prerelease numbers neither) and stay within 2^53 - 1;
 *   a version is at most 256 characters long.
 */

export interface Semver {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Prerelease identifiers: numbers where they are numeric. */
  readonly prerelease: readonly (string | number)[];
  /** "1.2.3-rc.1": without the "v" and the build metadata. */
  readonly text: string;
}

const MAX_LENGTH = 256;

function isDigits(part: string): boolean {
  if (part.length === 0) return false;
  for (const ch of part) if (ch < "0" || ch > "9") return false;
  return true;
}

/** Letters, digits and hyphens, at least one. */
function isIdentifier(part: string): boolean {
  if (part.length === 0) return false;
  for (const ch of part) {
    const ok = (ch >= "0" && ch <= "9") || (ch >= "a" && ch <= "z") || (ch >= "A" && ch <= "Z") || ch === "-";
    if (!ok) return false;
  }
  return true;
}

function numeric(part: string): number | undefined {
  if (!isDigits(part) || (part.length > 1 && part[0] === "0")) return undefined;
  const n = Number(part);
  return n <= Number.MAX_SAFE_INTEGER ? n : undefined;
}

export function parseSemver(input: string): Semver | undefined {
  if (typeof input !== "string" || input.length > MAX_LENGTH) return undefined;
  let text = input.trim();
  if (text[0] === "v" || text[0] === "V") text = text.slice(1);
  const plus = text.indexOf("+");
  if (plus >= 0) {
    for (const part of text.slice(plus + 1).split(".")) if (!isIdentifier(part)) return undefined;
    text = text.slice(0, plus);
  }
  const dash = text.indexOf("-");
  const core = dash < 0 ? text : text.slice(0, dash);
  const numbers = core.split(".");
  if (numbers.length !== 3) return undefined;
  const [major, minor, patch] = numbers.map(numeric);
  if (major === undefined || minor === undefined || patch === undefined) return undefined;
  const prerelease: (string | number)[] = [];
  if (dash >= 0) {
    for (const part of text.slice(dash + 1).split(".")) {
      if (!isIdentifier(part)) return undefined;
      if (isDigits(part)) {
        const n = numeric(part);
        if (n === undefined) return undefined;
        prerelease.push(n);
      } else prerelease.push(part);
    }
  }
  return Object.freeze({ major, minor, patch, prerelease: Object.freeze(prerelease), text });
}

function compareNumbers(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** -1, 0 or 1 as a is below, equal to or above b. */
export function compareSemver(a: Semver, b: Semver): number {
  const core = compareNumbers(a.major, b.major) || compareNumbers(a.minor, b.minor) || compareNumbers(a.patch, b.patch);
  if (core !== 0) return core;
  const pa = a.prerelease;
  const pb = b.prerelease;
  if (pa.length === 0 || pb.length === 0) return compareNumbers(pb.length, pa.length);
  for (let i = 0; i < pa.length && i < pb.length; i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === y) continue;
    if (typeof x === "number" && typeof y === "number") return compareNumbers(x, y);
    if (typeof x === "number") return -1;
    if (typeof y === "number") return 1;
    return x < y ? -1 : 1;
  }
  return compareNumbers(pa.length, pb.length);
}

/** Compares two version texts; undefined when either is not a semantic version. */
export function compareVersions(a: string, b: string): number | undefined {
  const pa = parseSemver(a);
  const pb = parseSemver(b);
  return pa && pb ? compareSemver(pa, pb) : undefined;
}
