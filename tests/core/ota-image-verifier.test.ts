/*
 * The streaming ESP32 app-image verifier (modules/ota/app-image-verifier.ts) against images
 * from the fixture builder: every valid image passes whatever the fragment sizes, the
 * descriptor is read, and each broken variant is refused with a plain message, the early ones
 * within the first fragment that shows the problem. Runs on XS too.
 */

import * as assert from "../support/assert";
import { AppImageVerifier, ImageError } from "../../modules/ota/app-image-verifier";
import { sha256, toHex } from "../../modules/crypto/sha256";
import { breakImage, buildImage, segmentsOf, type Breakage } from "../support/esp32-image";

function feed(verifier: AppImageVerifier, image: Uint8Array, step: number): void {
  for (let i = 0; i < image.length; i += step) verifier.update(image, i, Math.min(image.length, i + step));
}

/** Feeds image in fragments of step and returns the error and how many bytes were accepted before it. */
function refusal(image: Uint8Array, step = 1460, options = {}): { message: string; at: number; early: boolean } {
  const verifier = new AppImageVerifier(options);
  let at = 0;
  try {
    for (; at < image.length; at += step) verifier.update(image, at, Math.min(image.length, at + step));
  } catch (e) {
    assert.ok(e instanceof ImageError, `expected ImageError, got ${String(e)}`);
    return { message: e.message, at, early: true };
  }
  try {
    verifier.finish();
  } catch (e) {
    assert.ok(e instanceof ImageError, `expected ImageError, got ${String(e)}`);
    return { message: e.message, at, early: false };
  }
  throw new Error("the broken image was accepted");
}

describe("ota: app image verifier", () => {
  it("accepts valid images of many sizes and segment counts, in any fragment size", () => {
    const cases = [
      { size: 300, segments: 1 },
      { size: 1000, segments: 2 },
      { size: 4096, segments: 3 },
      { size: 9000, segments: 16 },
      { size: 6000, segments: 4, hashAppended: false },
    ];
    for (const spec of cases) {
      const image = buildImage({ ...spec, project: "demo", version: "2.3.4" });
      for (const step of [1, 7, 64, 1460, image.length]) {
        if (step < 64 && image.length > 1000) continue;
        const verifier = new AppImageVerifier({ maxBytes: 1 << 20 });
        feed(verifier, image, step);
        assert.ok(verifier.complete);
        const summary = verifier.finish();
        assert.equal(summary.length, image.length);
        assert.equal(summary.segments, spec.segments);
        assert.equal(summary.project, "demo");
        assert.equal(summary.version, "2.3.4");
        assert.equal(summary.hashAppended, spec.hashAppended ?? true);
      }
    }
  });

  it("reads project and version as soon as the descriptor has gone past (byte 112)", () => {
    const image = buildImage({ size: 1000, project: "greenhouse", version: "v1.2.3-4-gabc" });
    const verifier = new AppImageVerifier();
    verifier.update(image, 0, 111);
    assert.equal(verifier.descriptor, undefined);
    verifier.update(image, 111, 112);
    assert.deepEqual(verifier.descriptor, { project: "greenhouse", version: "v1.2.3-4-gabc" });
  });

  it("reports the chip id from the header", () => {
    const verifier = new AppImageVerifier();
    verifier.update(buildImage({ chipId: 9 }), 0, 24);
    assert.equal(verifier.chipId, 9);
  });

  it("computes the whole file's SHA-256 when asked, in one pass with the appended-hash check", () => {
    for (const hashAppended of [true, false]) {
      const image = buildImage({ size: 3000, hashAppended });
      const verifier = new AppImageVerifier({ wholeFileSha256: true });
      feed(verifier, image, 333);
      assert.equal(verifier.finish().sha256, toHex(sha256(image)));
    }
  });

  const EXPECTED: readonly [Breakage, RegExp, boolean][] = [
    ["magic", /not an ESP32 app image \(it does not start with 0xE9/, true],
    ["html", /not an ESP32 app image \(it does not start with 0xE9: an HTML page, or another file\?\)/, true],
    ["no-segments", /header says 0 segments/, true],
    ["many-segments", /header says 40 segments \(an app has 1 to 16\)/, true],
    ["descriptor-magic", /no valid app descriptor/, true],
    ["unaligned-segment", /segment 3 has a length of \d+ bytes, not a multiple of 4/, true],
    ["huge-segment", /does not fit: segment 3 of 3 would end at byte \d+, past the end of the update partition \(1048576 bytes\)/, true],
    ["checksum", /checksum is 0x[0-9A-F]{2} but its data gives 0x[0-9A-F]{2}/, true],
    ["hash", /appended SHA-256 does not match/, true],
    ["truncated", /incomplete: it ends after \d+ bytes, inside segment 3 of 3/, false],
    ["trailing", /goes on after the end of the image \(16 more bytes/, true],
  ];

  for (const [breakage, pattern, early] of EXPECTED) {
    it(`refuses a broken image: ${breakage}`, () => {
      const image = buildImage({ size: 3000, segments: 3 });
      const result = refusal(breakImage(image, breakage), 1460, { maxBytes: 1 << 20 });
      assert.match(result.message, pattern);
      assert.equal(result.early, early, "refused while streaming");
    });
  }

  it("refuses the header problems within the first fragment", () => {
    const image = buildImage({ size: 3000, segments: 3 });
    for (const breakage of ["magic", "many-segments", "descriptor-magic"] as const)
      assert.equal(refusal(breakImage(image, breakage)).at, 0, breakage);
  });

  it("refuses an image larger than the partition at the segment that crosses it", () => {
    const image = buildImage({ size: 12_000, segments: 4 });
    const result = refusal(image, 1000, { maxBytes: 6000 });
    assert.match(result.message, /does not fit: segment 3 of 4/);
    assert.ok(result.at < 6000, "refused before the partition's end");
  });

  it("says an empty download was empty", () => {
    assert.match(refusal(new Uint8Array(0)).message, /the download was empty/);
  });

  it("says where a truncated image ends", () => {
    const image = buildImage({ size: 3000, segments: 3 });
    assert.match(refusal(image.slice(0, 10)).message, /inside its header/);
    assert.match(refusal(image.slice(0, image.length - 5)).message, /inside its appended SHA-256/);
    const noHash = buildImage({ size: 3000, segments: 3, hashAppended: false });
    assert.match(refusal(noHash.slice(0, noHash.length - 1)).message, /before its checksum/);
  });

  it("stays failed: after an error, update() and finish() throw the same error", () => {
    const verifier = new AppImageVerifier();
    const bad = breakImage(buildImage(), "magic");
    assert.throws(() => verifier.update(bad), /not an ESP32 app image/);
    assert.throws(() => verifier.update(buildImage()), /not an ESP32 app image/);
    assert.throws(() => verifier.finish(), /not an ESP32 app image/);
  });

  it("puts the checksum byte on a 16-byte boundary for every data length", () => {
    // Walks data lengths through all 16 residues: the padding rule must hold for each.
    for (let extra = 0; extra < 64; extra += 4) {
      const image = buildImage({ size: 600 + extra, segments: 2, hashAppended: false });
      assert.equal(image.length % 16, 0);
      const segments = segmentsOf(image);
      assert.equal(segments.length, 2);
      const verifier = new AppImageVerifier();
      verifier.update(image);
      verifier.finish();
    }
  });

  it("works through one reused fragment buffer: it never keeps or re-reads a fragment", () => {
    // The buffer is scribbled over after each update(), as a device client may reuse it.
    const image = buildImage({ size: 12_000, segments: 5 });
    const buffer = new Uint8Array(1460);
    const verifier = new AppImageVerifier();
    for (let i = 0; i < image.length; i += buffer.length) {
      const n = Math.min(buffer.length, image.length - i);
      buffer.set(image.subarray(i, i + n));
      verifier.update(buffer, 0, n);
      buffer.fill(0xaa);
    }
    assert.equal(verifier.finish().length, image.length);
  });
});
