/*
 * The GitHub source's streaming JSON reader (modules/ota/github/json-stream.ts) and the release
 * reader on top of it (release-reader.ts): documents rebuilt from the reader's events equal
 * JSON.parse's, whatever the pieces they arrive in; malformed ones are refused where JSON.parse
 * refuses them; strings are cut on character boundaries; a release list of tens of KB is read
 * keeping only what an update needs. Runs on Node and on XS.
 */

import { JsonStream, JsonStreamError, type JsonListener, type JsonScalar } from "../../modules/ota/github/json-stream";
import { matchesPattern, ReleaseError, ReleaseReader } from "../../modules/ota/github/release-reader";
import { JS_TEXT_CODEC } from "../../modules/text/js-text-codec";
import { utf8Encode } from "../../modules/text/utf8";
import * as assert from "../support/assert";

/** Rebuilds the document from the events, keeping strings up to `keep` bytes. */
class Builder implements JsonListener {
  readonly #stack: { container: unknown[] | Record<string, unknown>; key: string }[] = [];
  result: unknown = undefined;
  cuts = 0;
  constructor(readonly keepBytes = 1 << 20) {}
  enter(kind: "object" | "array"): void {
    this.#stack.push({ container: kind === "object" ? {} : [], key: "" });
  }
  leave(): void {
    const done = this.#stack.pop();
    this.#put(done?.container);
  }
  key(name: string): void {
    const top = this.#stack[this.#stack.length - 1];
    top.key = name;
  }
  value(value: JsonScalar, cut: boolean): void {
    if (cut) this.cuts++;
    this.#put(value);
  }
  keep(): number {
    return this.keepBytes;
  }
  #put(value: unknown): void {
    const top = this.#stack[this.#stack.length - 1];
    if (!top) this.result = value;
    else if (Array.isArray(top.container)) top.container.push(value);
    else top.container[top.key] = value;
  }
}

function read(text: string, pieces: number, keep?: number): Builder {
  const builder = new Builder(keep);
  const stream = new JsonStream({ listener: builder, decode: (b) => JS_TEXT_CODEC.decode(b) });
  const bytes = utf8Encode(text);
  const size = Math.max(1, Math.ceil(bytes.length / pieces));
  for (let at = 0; at < bytes.length; at += size) stream.push(bytes.subarray(at, at + size));
  stream.end();
  return builder;
}

const DOCUMENTS: readonly string[] = Object.freeze([
  '{"a":1,"b":[true,false,null],"c":{"d":"e"}}',
  "[]",
  "{}",
  '  [ 1 , -2.5e3 , 0 , 0.125 , 1E-2 ]  ',
  '"a string with \\"quotes\\", a \\\\ backslash, \\n\\t\\r\\b\\f and \\/"',
  '{"unicode":"K\u00fcche \u6e29\u5ea6 \ud83c\udf21","escaped":"\\u00fc\\u6e29\\ud83c\\udf21","lone":"x"}',
  '[[[[[[[1]]]]]]]',
  '{"nested":{"list":[{"x":1},{"y":[2,3]},[]],"empty":""}}',
  "true",
  "-0",
]);

const MALFORMED: readonly string[] = Object.freeze([
  "", "{", "[1,", '{"a"}', '{"a":}', "[1 2]", '{"a":1,}', "[1,]", "01", "+1", ".5", "1.", "tru", "nul",
  '"unterminated', '"bad \\x escape"', '"\\u12G4"', '{"a":1}}', "[1]x", '{1:2}', "[\"tab\there\"]",
]);

describe("github: streaming JSON", () => {
  it("rebuilds what JSON.parse reads, in one piece or a byte at a time", () => {
    for (const text of DOCUMENTS) {
      const expected = JSON.parse(text) as unknown;
      for (const pieces of [1, 3, 1000]) {
        const got = read(text, pieces).result;
        assert.deepEqual(got, expected, `${text} in ${pieces} pieces`);
      }
    }
  });

  it("refuses what JSON.parse refuses, with a JsonStreamError", () => {
    for (const text of MALFORMED) {
      let parseFails = false;
      try {
        JSON.parse(text);
      } catch {
        parseFails = true;
      }
      assert.ok(parseFails, `JSON.parse takes ${text}`);
      const error = assert.throws(() => read(text, 1), undefined, text);
      assert.ok(error instanceof JsonStreamError, `${text}: ${error.message}`);
      assert.throws(() => read(text, text.length || 1), undefined, `${text} byte by byte`);
    }
  });

  it("cuts kept strings between characters, and refuses a document too large or too deep", () => {
    const cut = read('["K\u00fcche", "\u6e29\u6e29\u6e29"]', 1, 4);
    assert.deepEqual(cut.result, ["K\u00fcc", "\u6e29"]);
    assert.equal(cut.cuts, 2);
    // A lone surrogate cannot be UTF-8: it is read as U+FFFD, paired ones as their character.
    assert.deepEqual(read('["\\ud800x", "\\ud83c\\udf21", "\\ud83c\\n"]', 1).result, ["\ufffdx", "\u{1f321}", "\ufffd\n"]);
    const stream = new JsonStream({ listener: new Builder(), decode: (b) => JS_TEXT_CODEC.decode(b), maxBytes: 100 });
    assert.throws(() => stream.push(utf8Encode(`["${"x".repeat(200)}"]`)), /larger than 100 bytes/);
    assert.throws(() => read("[".repeat(40) + "]".repeat(40), 1), /deeper than 16 levels/);
  });
});

function release(tag: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    url: `https://api.github.com/repos/a/b/releases/${tag}`,
    author: { login: "octocat", id: 1, site_admin: false, urls: Array.from({ length: 20 }, (_, i) => `https://api.github.com/users/octocat/${i}`) },
    tag_name: tag,
    name: `Release ${tag}`,
    draft: false,
    prerelease: false,
    assets: [
      { url: `https://api.github.com/repos/a/b/releases/assets/${tag}1`, id: 11, name: "firmware.bin", size: 1234, digest: "sha256:" + "ab".repeat(32), uploader: { login: "bot", id: 2 }, browser_download_url: `https://github.com/a/b/releases/download/${tag}/firmware.bin` },
      { url: `https://api.github.com/repos/a/b/releases/assets/${tag}2`, id: 12, name: "firmware.elf", size: 99999, uploader: { login: "bot", id: 2 }, browser_download_url: "https://github.com/x" },
      { url: `https://api.github.com/repos/a/b/releases/assets/${tag}3`, id: 13, name: "manifest.json", size: 120, browser_download_url: `https://github.com/a/b/releases/download/${tag}/manifest.json` },
    ],
    body: `## ${tag}\n\n` + "- a long line of notes that nobody needs whole on a device\n".repeat(300),
    reactions: { total_count: 5, "+1": 5 },
    ...extra,
  };
}

function readRelease(value: unknown, list: boolean, pattern = "*.bin", pieces = 17): ReturnType<ReleaseReader["finish"]> {
  const reader = new ReleaseReader({ list, assetPattern: pattern, text: JS_TEXT_CODEC, prereleases: true });
  const bytes = utf8Encode(JSON.stringify(value));
  const size = Math.ceil(bytes.length / pieces);
  for (let at = 0; at < bytes.length; at += size) reader.push(bytes.subarray(at, at + size));
  return reader.finish();
}

describe("github: release JSON", () => {
  it("keeps the tag, the flags, the notes' start and the matching assets of one release", () => {
    const r = readRelease(release("v2.0.0"), false);
    assert.equal(r.tag, "v2.0.0");
    assert.equal(r.version?.text, "2.0.0");
    assert.equal(r.assetCount, 3);
    assert.deepEqual(r.assets.map((a) => [a.name, a.size, a.id]), [["firmware.bin", 1234, 11]]);
    assert.equal(r.assets[0].downloadUrl, "https://github.com/a/b/releases/download/v2.0.0/firmware.bin");
    assert.equal(r.assets[0].digest, "sha256:" + "ab".repeat(32));
    assert.equal(r.manifest?.name, "manifest.json");
    assert.ok(r.notes.startsWith("## v2.0.0\n\n- a long line") && r.notes.length <= 600, `${r.notes.length} bytes of notes kept`);
  });

  it("from a list, keeps the highest version that is not a draft", () => {
    const list = [release("v1.9.0"), release("v2.1.0-rc.2", { prerelease: true }), release("v3.0.0", { draft: true }), release("v2.0.5"), release("nightly")];
    assert.equal(readRelease(list, true).tag, "v2.1.0-rc.2");
    assert.ok(JSON.stringify(list).length > 20_000, "the list is tens of KB");
    assert.throws(() => readRelease([], true), /has no releases/);
    assert.throws(() => readRelease([release("v9.0.0", { draft: true })], true), /only draft releases/);
  });

  it("names what is wrong: not a release, not a list, malformed", () => {
    assert.ok(assert.throws(() => readRelease({ message: "Not Found" }, false), /no tag_name/) instanceof ReleaseError);
    assert.throws(() => readRelease([release("v1.0.0")], false), /not a release/);
    assert.throws(() => readRelease(release("v1.0.0"), true), /not a list of releases/);
    const reader = new ReleaseReader({ list: false, assetPattern: "*.bin", text: JS_TEXT_CODEC });
    reader.push(utf8Encode('{"tag_name": "v1.0.0", "assets": ['));
    assert.throws(() => reader.finish(), /ended early/);
  });

  it("matches asset names with * wildcards", () => {
    assert.ok(matchesPattern("firmware.bin", "*.bin"));
    assert.ok(matchesPattern("iot-esp32-2.0.0.bin", "iot-*-*.bin"));
    assert.ok(matchesPattern("firmware.bin", "firmware.bin"));
    assert.ok(!matchesPattern("firmware.bin.sig", "*.bin"));
    assert.ok(!matchesPattern("a.bin", "*a*a.bin"));
    assert.ok(matchesPattern("anything", "*"));
  });
});
