/*
 * Hue's brightness, hue/sat, xy and ct against known values: sRGB's primaries and D65 white
 * (IEC 61966-2-1), CIE illuminant A and the 6500 K point of the Planckian locus, McCamy's D65;
 * and round trips as properties. Runs on Node and on XS.
 */

import {
  briFromLevel,
  hexOf,
  hueSatOf,
  intoGamut,
  levelFromBri,
  miredOfXy,
  parseHex,
  rgbOfHueSat,
  rgbOfXy,
  xyOf,
  xyOfMired,
  type Rgb,
} from "../../modules/alexa/hue-colour";
import * as assert from "../support/assert";
import fc, { scaledRuns } from "../support/fast-check";

function near(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not within ${tolerance} of ${expected}`);
}

function channelsNear(actual: Rgb, expected: Rgb, tolerance: number, what: string): void {
  near(actual.r, expected.r, tolerance, `${what} r`);
  near(actual.g, expected.g, tolerance, `${what} g`);
  near(actual.b, expected.b, tolerance, `${what} b`);
}

const hex = (text: string): Rgb => parseHex(text) as Rgb;

describe("alexa: Hue brightness scaling", () => {
  it("maps a scale's share onto 1..254 and a bri back to the percent Alexa means", () => {
    assert.equal(briFromLevel(0, 0, 100), 1, "never 0");
    assert.equal(briFromLevel(100, 0, 100), 254);
    assert.equal(briFromLevel(50, 0, 100), 127);
    assert.equal(briFromLevel(25, 0, 100), 64);
    assert.equal(briFromLevel(-5, 0, 100), 1, "below the scale is its bottom");
    assert.equal(briFromLevel(500, 0, 100), 254, "above it its top");
    assert.equal(briFromLevel(0.5, 0, 1), 127);
    assert.equal(briFromLevel(7, 7, 7), 254, "an empty scale reads full");
    assert.equal(levelFromBri(1, 0, 100, true), 0);
    assert.equal(levelFromBri(254, 0, 100, true), 100);
    assert.equal(levelFromBri(127, 0, 100, true), 50, "Alexa's 50% (127) is 50");
    assert.equal(levelFromBri(64, 0, 100, false), 25, "Alexa's 25% is 25 on a range without a step too");
    assert.equal(levelFromBri(63, 0, 1, false), 0.25);
    assert.equal(levelFromBri(76, 0, 255, true), 77, "30% of 0..255");
    assert.equal(levelFromBri(0, 0, 100, true), 0, "a bri below 1 is clamped");
    assert.equal(levelFromBri(1000, 10, 20, false), 20);
  });

  it("brings every integer of 0..100 back unchanged, and every percent Alexa sends", () => {
    for (let v = 0; v <= 100; v++) assert.equal(levelFromBri(briFromLevel(v, 0, 100), 0, 100, true), v, `${v} of 0..100`);
    for (let p = 1; p <= 100; p++) {
      for (const bri of [Math.floor(p * 2.54), Math.ceil(p * 2.54)]) if (bri >= 1 && Math.round((bri * 100) / 254) === p) assert.equal(levelFromBri(bri, 0, 100, true), p);
    }
  });

  // Two roundings on the way back: to Hue's 254 steps (half a step: 0.197 %), then to the whole
  // percent Alexa means (half a percent). A value exactly between two bri steps (fast-check
  // found 46.5 / 254) errs by both at once, so the bound is their sum.
  it("keeps any value within half a Hue step plus half a percent of its scale", () => {
    fc.assert(
      fc.property(fc.double({ min: -1000, max: 1000, noNaN: true }), fc.double({ min: 0.001, max: 1000, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (min, span, t) => {
        const value = min + t * span;
        const back = levelFromBri(briFromLevel(value, min, min + span), min, min + span, false);
        return Math.abs(back - value) <= span * (0.5 / 254 + 0.005) + 1e-9 * Math.max(1, Math.abs(min) + span);
      }),
      { numRuns: scaledRuns(300) },
    );
  });
});

describe("alexa: hue and sat", () => {
  it("of the primaries, secondaries, white and black", () => {
    assert.deepEqual(hueSatOf(hex("#ff0000")), { hue: 0, sat: 254 });
    assert.deepEqual(hueSatOf(hex("#00ff00")), { hue: 21845, sat: 254 });
    assert.deepEqual(hueSatOf(hex("#0000ff")), { hue: 43690, sat: 254 });
    assert.deepEqual(hueSatOf(hex("#ffff00")), { hue: 10923, sat: 254 });
    assert.deepEqual(hueSatOf(hex("#ff8000")), { hue: 5483, sat: 254 });
    assert.deepEqual(hueSatOf(hex("#ffffff")), { hue: 0, sat: 0 });
    assert.deepEqual(hueSatOf(hex("#000000")), { hue: 0, sat: 0 });
    assert.deepEqual(hueSatOf(hex("#ff7f7f")), { hue: 0, sat: 127 });
  });

  it("back to colours at full brightness", () => {
    assert.equal(hexOf(rgbOfHueSat(0, 254)), "#ff0000");
    assert.equal(hexOf(rgbOfHueSat(21845, 254)), "#00ff00");
    assert.equal(hexOf(rgbOfHueSat(43690, 254)), "#0000ff");
    assert.equal(hexOf(rgbOfHueSat(65535, 254)), "#ff0000", "a full turn is red again");
    assert.equal(hexOf(rgbOfHueSat(12345, 0)), "#ffffff");
    assert.equal(hexOf(rgbOfHueSat(0, 254, 0.5)), "#800000");
    assert.equal(hexOf(rgbOfHueSat(-50, 999)), "#ff0000", "out of range is clamped");
  });

  it("round-trips every full-brightness colour within 1 per channel", () => {
    const fullColour = fc
      .tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 2 }))
      .map(([a, b, which]) => (which === 0 ? { r: 255, g: a, b } : which === 1 ? { r: a, g: 255, b } : { r: a, g: b, b: 255 }));
    fc.assert(
      fc.property(fullColour, (rgb) => {
        const { hue, sat } = hueSatOf(rgb);
        const back = rgbOfHueSat(hue, sat);
        return Math.abs(back.r - rgb.r) <= 1 && Math.abs(back.g - rgb.g) <= 1 && Math.abs(back.b - rgb.b) <= 1;
      }),
      { numRuns: scaledRuns(500) },
    );
  });
});

describe("alexa: CIE xy", () => {
  it("of sRGB's primaries and white are the standard's (IEC 61966-2-1)", () => {
    assert.deepEqual(xyOf(hex("#ff0000")), [0.64, 0.33]);
    assert.deepEqual(xyOf(hex("#00ff00")), [0.3, 0.6]);
    assert.deepEqual(xyOf(hex("#0000ff")), [0.15, 0.06]);
    assert.deepEqual(xyOf(hex("#ffffff")), [0.3127, 0.329]);
    assert.deepEqual(xyOf(hex("#808080")), [0.3127, 0.329], "grey has white's chromaticity");
    assert.deepEqual(xyOf(hex("#000000")), [0.3127, 0.329], "black is given D65");
  });

  it("back to sRGB colours at full brightness", () => {
    assert.equal(hexOf(rgbOfXy(0.64, 0.33)), "#ff0000");
    assert.equal(hexOf(rgbOfXy(0.3, 0.6)), "#00ff00");
    const blue = rgbOfXy(0.15, 0.06);
    assert.ok(blue.b === 255 && blue.g === 0 && blue.r <= 0x30, `sRGB blue, just outside gamut C, stays blue: ${hexOf(blue)}`);
    assert.equal(hexOf(rgbOfXy(0.3127, 0.329)), "#ffffff");
  });

  it("moves a chromaticity outside gamut C onto its edge, and leaves one inside alone", () => {
    assert.deepEqual(intoGamut(0.4, 0.4), [0.4, 0.4]);
    assert.deepEqual(intoGamut(0.64, 0.33), [0.64, 0.33]);
    const [x, y] = intoGamut(0.8, 0.2);
    near(x, 0.6915, 0.03, "x");
    assert.ok(y < 0.31 && y > 0.2, `moved onto the red corner's edges: ${y}`);
    const pure = rgbOfXy(0, 1);
    assert.ok(pure.g === 255 && pure.r < 255, `a spectral green becomes the greenest green: ${hexOf(pure)}`);
    for (const [px, py] of [
      [0, 0],
      [1, 1],
      [1, 0],
      [-1, 5],
    ]) {
      const c = rgbOfXy(px, py);
      assert.ok(Math.max(c.r, c.g, c.b) === 255, `a colour at full brightness for (${px}, ${py}): ${hexOf(c)}`);
    }
  });

  it("round-trips full-brightness colours within a few steps per channel", () => {
    const fullColour = fc
      .tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 2 }))
      .map(([a, b, which]) => (which === 0 ? { r: 255, g: a, b } : which === 1 ? { r: a, g: 255, b } : { r: a, g: b, b: 255 }));
    fc.assert(
      fc.property(fullColour, (rgb) => {
        const [x, y] = xyOf(rgb);
        const [gx, gy] = intoGamut(x, y);
        // Colours outside gamut C (deep blues and greens) come back as the nearest it holds.
        if (gx !== x || gy !== y) return true;
        const back = rgbOfXy(x, y);
        return Math.abs(back.r - rgb.r) <= 4 && Math.abs(back.g - rgb.g) <= 4 && Math.abs(back.b - rgb.b) <= 4;
      }),
      { numRuns: scaledRuns(500) },
    );
  });
});

describe("alexa: colour temperature", () => {
  it("puts illuminant A (2856 K) and 6500 K on the Planckian locus", () => {
    const [ax, ay] = xyOfMired(1e6 / 2856);
    near(ax, 0.4476, 0.002, "A x");
    near(ay, 0.4074, 0.002, "A y");
    const [dx, dy] = xyOfMired(1e6 / 6500);
    near(dx, 0.3135, 0.002, "6500 K x");
    near(dy, 0.3236, 0.002, "6500 K y");
  });

  it("reads D65 as about 6504 K and clamps to Hue's 153..500", () => {
    // D65 lies off the locus: its nearest locus point in xy is a few mireds from its CCT.
    near(miredOfXy(0.3127, 0.329), 154, 4, "D65");
    assert.equal(miredOfXy(0.28, 0.29), 153, "10000 K is above Hue's range");
    assert.equal(miredOfXy(0.6, 0.38), 500);
    assert.deepEqual(xyOfMired(10), xyOfMired(153));
    assert.deepEqual(xyOfMired(10_000), xyOfMired(500));
  });

  it("round-trips every mired of Hue's range exactly", () => {
    for (let ct = 153; ct <= 500; ct++) {
      const [x, y] = xyOfMired(ct);
      assert.equal(miredOfXy(x, y), ct, `ct ${ct}`);
    }
  });

  it("warm white is orange-ish, cold white is bluish", () => {
    const warm = rgbOfXy(...xyOfMired(500));
    const cold = rgbOfXy(...xyOfMired(153));
    assert.ok(warm.r === 255 && warm.b < warm.g && warm.g < 255, `warm ${hexOf(warm)}`);
    assert.ok(cold.b >= cold.r, `cold ${hexOf(cold)}`);
  });
});

describe("alexa: #rrggbb", () => {
  it("parses six hex digits only", () => {
    channelsNear(hex("#Ff8000"), { r: 255, g: 128, b: 0 }, 0, "mixed case");
    for (const bad of ["#ff800", "ff8000", "#ff800g", "#-10000", "#0x1000", 0xff8000, null, "#ff8000 "])
      assert.equal(parseHex(bad), undefined, `${String(bad)}`);
  });
});
