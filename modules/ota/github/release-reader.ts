/*
 * ReleaseReader: GitHub's release JSON (one release, or a list of them) read as it streams
 * (json-stream.ts), keeping of each release only what an update needs: its tag, name, draft and
 * prerelease flags, the first bytes of its notes, and the assets whose names match (plus a
 * manifest.json asset). Everything else (authors, reactions, other assets, the rest of the
 * notes) is counted past, never held: a release list of 100 KB costs a few hundred bytes here.
 *
 * - A list keeps only the best release seen so far (the highest semantic version that is not a
 *   draft; releases whose tags are not versions only when none is), so its cost does not grow
 *   with its length.
 * - finish() returns the release, or a ReleaseError in plain words: the JSON is malformed,
 *   truncated, too large, not a release, the list is empty, or no asset matches.
 */

import type { TextCodec } from "../../host/text-codec";
import { JsonStream, JsonStreamError, type JsonListener, type JsonScalar } from "./json-stream";
import { compareSemver, parseSemver, type Semver } from "./semver";

export interface ReleaseAsset {
  readonly id: number;
  readonly name: string;
  readonly size: number;
  /** The API's URL of the asset (answers the bytes with Accept: application/octet-stream). */
  readonly url: string;
  /** github.com's download URL (two redirects to the bytes; no API quota). */
  readonly downloadUrl: string;
  /** "sha256:<hex>", where GitHub computed it. */
  readonly digest: string;
}

export interface Release {
  readonly tag: string;
  readonly name: string;
  readonly draft: boolean;
  readonly prerelease: boolean;
  /** The start of the release notes (markdown as written). */
  readonly notes: string;
  /** The tag as a semantic version, when it is one. */
  readonly version: Semver | undefined;
  /** The assets whose names match, in the order listed. */
  readonly assets: readonly ReleaseAsset[];
  /** How many assets the release has in all. */
  readonly assetCount: number;
  /** The manifest.json asset, when there is one. */
  readonly manifest: ReleaseAsset | undefined;
}

export class ReleaseError extends Error {}
// On the prototype, as built-in errors have it: `this.name = ...` throws where preloading froze Error.prototype.
Object.defineProperty(ReleaseError.prototype, "name", { value: "ReleaseError", writable: true, configurable: true });

export interface ReleaseReaderOptions {
  /** A list (GET /releases) rather than one release. */
  readonly list: boolean;
  /** The asset pattern: a file name with `*` wildcards. */
  readonly assetPattern: string;
  readonly text: TextCodec;
  /** Include prereleases when choosing from a list. */
  readonly prereleases?: boolean;
  readonly maxBytes?: number;
}

export const MANIFEST_ASSET = "manifest.json";
/** Bytes of the notes kept (the page shows their first lines). */
const NOTES_BYTES = 600;
/** Matching assets kept per release (more is a pattern that says too little). */
const MAX_MATCHES = 4;

/** `*` matches any run of characters; everything else itself. */
export function matchesPattern(name: string, pattern: string): boolean {
  const parts = pattern.split("*");
  if (parts.length === 1) return name === pattern;
  if (!name.startsWith(parts[0])) return false;
  let at = parts[0].length;
  for (let i = 1; i < parts.length - 1; i++) {
    const found = name.indexOf(parts[i], at);
    if (found < 0) return false;
    at = found + parts[i].length;
  }
  const last = parts[parts.length - 1];
  return name.length - at >= last.length && name.endsWith(last);
}

interface Draft {
  tag: string;
  name: string;
  draft: boolean;
  prerelease: boolean;
  notes: string;
  assets: ReleaseAsset[];
  assetCount: number;
  manifest: ReleaseAsset | undefined;
  isRelease: boolean;
}

interface AssetDraft {
  id: number;
  name: string;
  size: number;
  url: string;
  downloadUrl: string;
  digest: string;
}

function newDraft(): Draft {
  return { tag: "", name: "", draft: false, prerelease: false, notes: "", assets: [], assetCount: 0, manifest: undefined, isRelease: false };
}

function newAsset(): AssetDraft {
  return { id: 0, name: "", size: -1, url: "", downloadUrl: "", digest: "" };
}

/** Release fields kept, and how many bytes of each. */
function releaseFieldBytes(key: string): number {
  switch (key) {
    case "tag_name":
    case "name":
      return 128;
    case "body":
      return NOTES_BYTES;
    default:
      return 0;
  }
}

function assetFieldBytes(key: string): number {
  switch (key) {
    case "name":
      return 200;
    case "url":
      return 300;
    case "browser_download_url":
      return 500;
    case "digest":
      return 80;
    default:
      return 0;
  }
}

export class ReleaseReader implements JsonListener {
  readonly #options: ReleaseReaderOptions;
  readonly #stream: JsonStream;
  /** Depth of a release object: 1 alone, 2 in a list. */
  readonly #releaseDepth: number;
  #depth = 0;
  #topKind: "object" | "array" | undefined;
  #release: Draft | undefined;
  #asset: AssetDraft | undefined;
  #inAssets = false;
  #best: Draft | undefined;
  #seen = 0;
  #drafts = 0;

  constructor(options: ReleaseReaderOptions) {
    this.#options = options;
    this.#releaseDepth = options.list ? 2 : 1;
    this.#stream = new JsonStream({ listener: this, decode: (bytes) => options.text.decode(bytes), maxBytes: options.maxBytes ?? 1 << 20 });
  }

  /** The next piece of the answer; throws ReleaseError when it cannot be a release. */
  push(bytes: Uint8Array): void {
    try {
      this.#stream.push(bytes);
    } catch (e) {
      throw this.#error(e);
    }
  }

  /** The release chosen, once the answer is whole. */
  finish(): Release {
    try {
      this.#stream.end();
    } catch (e) {
      throw this.#error(e);
    }
    if (this.#options.list && this.#topKind !== "array") throw new ReleaseError("GitHub's answer is not a list of releases");
    if (!this.#options.list && this.#topKind !== "object") throw new ReleaseError("GitHub's answer is not a release");
    const best = this.#best;
    if (!best) {
      if (!this.#options.list) throw new ReleaseError("GitHub's answer is not a release (it has no tag_name)");
      if (this.#seen === 0) throw new ReleaseError("the repository has no releases");
      throw new ReleaseError(this.#drafts === this.#seen ? "the repository has only draft releases" : "the repository has no published release on this channel");
    }
    return Object.freeze({
      tag: best.tag,
      name: best.name,
      draft: best.draft,
      prerelease: best.prerelease,
      notes: best.notes,
      version: parseSemver(best.tag),
      assets: Object.freeze(best.assets),
      assetCount: best.assetCount,
      manifest: best.manifest,
    });
  }

  #error(e: unknown): ReleaseError {
    if (e instanceof ReleaseError) return e;
    if (e instanceof JsonStreamError) return new ReleaseError(`GitHub's answer could not be read: ${e.message}`);
    return new ReleaseError(`GitHub's answer could not be read: ${e instanceof Error ? e.message : String(e)}`);
  }

  enter(kind: "object" | "array"): void {
    const key = this.#stream.currentKey;
    this.#depth++;
    const depth = this.#depth;
    if (depth === 1) this.#topKind = kind;
    if (depth === this.#releaseDepth && kind === "object" && (depth === 1 || this.#topKind === "array")) this.#release = newDraft();
    else if (this.#release && depth === this.#releaseDepth + 1 && key === "assets" && kind === "array") this.#inAssets = true;
    else if (this.#inAssets && depth === this.#releaseDepth + 2 && kind === "object") this.#asset = newAsset();
  }

  leave(): void {
    const depth = this.#depth--;
    if (this.#asset && depth === this.#releaseDepth + 2) this.#endAsset();
    else if (this.#inAssets && depth === this.#releaseDepth + 1) this.#inAssets = false;
    else if (this.#release && depth === this.#releaseDepth) this.#endRelease();
  }

  key(): void {
    // The stream keeps the current key; nothing to do per key.
  }

  keep(): number {
    const key = this.#stream.currentKey;
    if (this.#asset && this.#depth === this.#releaseDepth + 2) return assetFieldBytes(key);
    if (this.#release && this.#depth === this.#releaseDepth) return releaseFieldBytes(key);
    return 0;
  }

  value(value: JsonScalar): void {
    const key = this.#stream.currentKey;
    const asset = this.#asset;
    if (asset && this.#depth === this.#releaseDepth + 2) {
      if (key === "id" && typeof value === "number") asset.id = value;
      else if (key === "size" && typeof value === "number") asset.size = value;
      else if (typeof value === "string") {
        if (key === "name") asset.name = value;
        else if (key === "url") asset.url = value;
        else if (key === "browser_download_url") asset.downloadUrl = value;
        else if (key === "digest") asset.digest = value;
      }
      return;
    }
    const release = this.#release;
    if (!release || this.#depth !== this.#releaseDepth) return;
    if (key === "tag_name" && typeof value === "string") {
      release.tag = value;
      release.isRelease = true;
    } else if (key === "name" && typeof value === "string") release.name = value;
    else if (key === "body" && typeof value === "string") release.notes = value;
    else if (key === "draft") release.draft = value === true;
    else if (key === "prerelease") release.prerelease = value === true;
  }

  #endAsset(): void {
    const asset = this.#asset as AssetDraft;
    this.#asset = undefined;
    const release = this.#release as Draft;
    release.assetCount++;
    if (asset.name === "") return;
    const kept: ReleaseAsset = Object.freeze({ ...asset });
    if (asset.name === MANIFEST_ASSET) release.manifest = kept;
    else if (matchesPattern(asset.name, this.#options.assetPattern) && release.assets.length < MAX_MATCHES) release.assets.push(kept);
  }

  #endRelease(): void {
    const release = this.#release as Draft;
    this.#release = undefined;
    if (!release.isRelease) return;
    if (!this.#options.list) {
      this.#best = release;
      return;
    }
    this.#seen++;
    if (release.draft) {
      this.#drafts++;
      return;
    }
    if (release.prerelease && !this.#options.prereleases) return;
    const best = this.#best;
    if (!best) {
      this.#best = release;
      return;
    }
    // The highest version wins; a tag that is no version only where nothing better was seen.
    const a = parseSemver(release.tag);
    const b = parseSemver(best.tag);
    if (a && (!b || compareSemver(a, b) > 0)) this.#best = release;
  }
}
