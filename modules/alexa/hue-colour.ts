/*
 * Colour and brightness as a Hue bridge speaks them, to and from the app's values.
 *
 * - Brightness: Hue's bri is 1..254, and Alexa speaks it in whole percents (bri / 2.54). An
 *   app value in min..max is its share of the scale times 254 (at least 1); back, bri is the
 *   percent Alexa meant, of the scale ("25%" is 25 of 0..100, 0.25 of 0..1, 64 of 0..255),
 *   rounded on an integer scale. Every integer of 0..100 survives the round trip.
 * - Colour: the app holds "#rrggbb" (sRGB). Hue's hue is 0..65535 (a full turn), sat 0..254:
 *   HSV's hue and saturation. xy is CIE 1931 chromaticity, computed with the sRGB matrices of
 *   IEC 61966-2-1 (D65 white), so sRGB's primaries come out at (0.64, 0.33), (0.30, 0.60),
 *   (0.15, 0.06) and white at (0.3127, 0.3290). An xy a lamp cannot show is first moved into
 *   the gamut of the lamp this bridge claims to be (Hue's gamut C, as a bridge does), then
 *   converted at full brightness; a colour outside sRGB is clipped to it. sRGB's own blue lies
 *   just outside gamut C, so Hue's xy for it comes back a little violet (#2200ff), as on a lamp.
 * - Colour temperature: ct is in mireds (153..500, 6536 K..2000 K), converted to xy on the
 *   Planckian locus (Kim et al., 2002) and back with McCamy's approximation (1992).
 * Everything here is pure arithmetic on numbers: no allocation beyond the small results.
 */

export interface Rgb {
  readonly r: number;
  readonly g: number;
  readonly b: number;
}

export const HUE_LIMITS = Object.freeze({
  briMin: 1,
  briMax: 254,
  hueMax: 65535,
  satMax: 254,
  ctMin: 153,
  ctMax: 500,
});

export function clamp(n: number, min: number, max: number): number {
  return n < min ? min : n > max ? max : n;
}

/** Hue's bri (1..254) for a value on the scale min..max: its share of the scale times 254. */
export function briFromLevel(value: number, min: number, max: number): number {
  if (!(max > min) || !Number.isFinite(value)) return HUE_LIMITS.briMax;
  const t = (clamp(value, min, max) - min) / (max - min);
  return clamp(Math.round(t * 254), HUE_LIMITS.briMin, HUE_LIMITS.briMax);
}

/**
 * The value on the scale min..max for Hue's bri: the whole percent Alexa means by it
 * (round(bri / 2.54), as the Alexa app shows it) of the scale, rounded on an integer scale.
 */
export function levelFromBri(bri: number, min: number, max: number, integer: boolean): number {
  const percent = Math.round((clamp(Math.round(bri), HUE_LIMITS.briMin, HUE_LIMITS.briMax) * 100) / 254);
  const value = min + (percent / 100) * (max - min);
  return integer ? Math.round(value) : value;
}

/** "#rrggbb" (any case) as channels, or undefined for anything else. */
export function parseHex(text: unknown): Rgb | undefined {
  if (typeof text !== "string" || text.length !== 7 || text[0] !== "#") return undefined;
  const n = parseInt(text.slice(1), 16);
  if (!Number.isInteger(n) || !isHexDigits(text.slice(1))) return undefined;
  return { r: (n >> 16) & 255, g: (n >> 8) & 255, b: n & 255 };
}

function isHexDigits(text: string): boolean {
  for (const ch of text) if (!((ch >= "0" && ch <= "9") || (ch >= "a" && ch <= "f") || (ch >= "A" && ch <= "F"))) return false;
  return true;
}

export function hexOf(rgb: Rgb): string {
  const part = (n: number): string => clamp(Math.round(n), 0, 255).toString(16).padStart(2, "0");
  return `#${part(rgb.r)}${part(rgb.g)}${part(rgb.b)}`;
}

/** HSV of a colour: h in degrees 0..360, s and v 0..1. */
export function hsvOf(rgb: Rgb): { h: number; s: number; v: number } {
  const r = rgb.r / 255;
  const g = rgb.g / 255;
  const b = rgb.b / 255;
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const d = max - min;
  let h = 0;
  if (d > 0) {
    if (max === r) h = 60 * (((g - b) / d + 6) % 6);
    else if (max === g) h = 60 * ((b - r) / d + 2);
    else h = 60 * ((r - g) / d + 4);
  }
  return { h, s: max === 0 ? 0 : d / max, v: max };
}

/** The colour of HSV h (degrees), s and v (0..1). */
export function rgbOfHsv(h: number, s: number, v: number): Rgb {
  const hh = (((h % 360) + 360) % 360) / 60;
  const c = v * s;
  const x = c * (1 - Math.abs((hh % 2) - 1));
  const m = v - c;
  let r = 0;
  let g = 0;
  let b = 0;
  if (hh < 1) [r, g, b] = [c, x, 0];
  else if (hh < 2) [r, g, b] = [x, c, 0];
  else if (hh < 3) [r, g, b] = [0, c, x];
  else if (hh < 4) [r, g, b] = [0, x, c];
  else if (hh < 5) [r, g, b] = [x, 0, c];
  else [r, g, b] = [c, 0, x];
  return { r: Math.round((r + m) * 255), g: Math.round((g + m) * 255), b: Math.round((b + m) * 255) };
}

/** Hue's hue (0..65535) and sat (0..254) of a colour. */
export function hueSatOf(rgb: Rgb): { hue: number; sat: number } {
  const { h, s } = hsvOf(rgb);
  return { hue: Math.round((h / 360) * HUE_LIMITS.hueMax) % (HUE_LIMITS.hueMax + 1), sat: Math.round(s * HUE_LIMITS.satMax) };
}

/** The colour of Hue's hue and sat at value v (0..1, full by default). */
export function rgbOfHueSat(hue: number, sat: number, v = 1): Rgb {
  return rgbOfHsv((clamp(hue, 0, HUE_LIMITS.hueMax) / HUE_LIMITS.hueMax) * 360, clamp(sat, 0, HUE_LIMITS.satMax) / HUE_LIMITS.satMax, v);
}

function toLinear(c: number): number {
  return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
}

function fromLinear(c: number): number {
  return c <= 0.0031308 ? 12.92 * c : 1.055 * Math.pow(c, 1 / 2.4) - 0.055;
}

/** D65, where black and grey have their chromaticity. */
export const D65: readonly [number, number] = Object.freeze([0.3127, 0.329] as [number, number]);

function round4(n: number): number {
  return Math.round(n * 10000) / 10000;
}

/** CIE 1931 xy of an sRGB colour (4 decimals, as a bridge reports it); black is D65. */
export function xyOf(rgb: Rgb): [number, number] {
  const r = toLinear(rgb.r / 255);
  const g = toLinear(rgb.g / 255);
  const b = toLinear(rgb.b / 255);
  const X = 0.4124564 * r + 0.3575761 * g + 0.1804375 * b;
  const Y = 0.2126729 * r + 0.7151522 * g + 0.072175 * b;
  const Z = 0.0193339 * r + 0.119192 * g + 0.9503041 * b;
  const sum = X + Y + Z;
  if (sum <= 0) return [D65[0], D65[1]];
  return [round4(X / sum), round4(Y / sum)];
}

/** Hue's gamut C (the colour lamps of 2016 on), red, green, blue corners. */
const GAMUT_C = Object.freeze([0.6915, 0.3083, 0.17, 0.7, 0.1532, 0.0475]);

function cross(ax: number, ay: number, bx: number, by: number): number {
  return ax * by - ay * bx;
}

/** The point of segment a-b closest to p. */
function closestOnSegment(px: number, py: number, ax: number, ay: number, bx: number, by: number): [number, number] {
  const dx = bx - ax;
  const dy = by - ay;
  const t = clamp(((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy), 0, 1);
  return [ax + t * dx, ay + t * dy];
}

/** xy moved into gamut C when it lies outside (to the nearest point of its edge). */
export function intoGamut(x: number, y: number): [number, number] {
  const [rx, ry, gx, gy, bx, by] = GAMUT_C;
  const d1 = cross(gx - rx, gy - ry, x - rx, y - ry);
  const d2 = cross(bx - gx, by - gy, x - gx, y - gy);
  const d3 = cross(rx - bx, ry - by, x - bx, y - by);
  // The corners run counter-clockwise... or clockwise: inside is all three signs alike.
  const inside = (d1 >= 0 && d2 >= 0 && d3 >= 0) || (d1 <= 0 && d2 <= 0 && d3 <= 0);
  if (inside) return [x, y];
  let best: [number, number] = [rx, ry];
  let bestD = Infinity;
  for (const [ax, ay, ex, ey] of [
    [rx, ry, gx, gy],
    [gx, gy, bx, by],
    [bx, by, rx, ry],
  ]) {
    const p = closestOnSegment(x, y, ax, ay, ex, ey);
    const d = (p[0] - x) * (p[0] - x) + (p[1] - y) * (p[1] - y);
    if (d < bestD) {
      bestD = d;
      best = p;
    }
  }
  return best;
}

/** The sRGB colour of chromaticity xy at full brightness (its largest channel 255). */
export function rgbOfXy(x: number, y: number): Rgb {
  const [cx, cy] = intoGamut(clamp(x, 0, 1), clamp(y, 0, 1));
  if (cy <= 0) return { r: 0, g: 0, b: 255 };
  const X = cx / cy;
  const Z = (1 - cx - cy) / cy;
  let r = 3.2404542 * X - 1.5371385 - 0.4985314 * Z;
  let g = -0.969266 * X + 1.8760108 + 0.041556 * Z;
  let b = 0.0556434 * X - 0.2040259 + 1.0572252 * Z;
  // Outside sRGB: clip what no sRGB channel can give, then scale to full brightness.
  r = Math.max(0, r);
  g = Math.max(0, g);
  b = Math.max(0, b);
  const max = Math.max(r, g, b);
  if (max <= 0) return { r: 255, g: 255, b: 255 };
  return { r: Math.round(fromLinear(r / max) * 255), g: Math.round(fromLinear(g / max) * 255), b: Math.round(fromLinear(b / max) * 255) };
}

/** xy on the Planckian locus for a colour temperature in mireds (clamped to 153..500). */
export function xyOfMired(mired: number): [number, number] {
  const t = 1e6 / clamp(mired, HUE_LIMITS.ctMin, HUE_LIMITS.ctMax);
  const t2 = t * t;
  const t3 = t2 * t;
  const x =
    t <= 4000
      ? -0.2661239e9 / t3 - 0.2343589e6 / t2 + 0.8776956e3 / t + 0.17991
      : -3.0258469e9 / t3 + 2.1070379e6 / t2 + 0.2226347e3 / t + 0.24039;
  const x2 = x * x;
  const x3 = x2 * x;
  let y: number;
  if (t <= 2222) y = -1.1063814 * x3 - 1.3481102 * x2 + 2.18555832 * x - 0.20219683;
  else if (t <= 4000) y = -0.9549476 * x3 - 1.37418593 * x2 + 2.09137015 * x - 0.16748867;
  else y = 3.081758 * x3 - 5.8733867 * x2 + 3.75112997 * x - 0.37001483;
  return [round4(x), round4(y)];
}

/**
 * The colour temperature in mireds whose locus point is nearest to xy, clamped to 153..500:
 * McCamy's estimate, then the nearest of the whole mireds around it (McCamy drifts by a few
 * mireds below 2500 K, and a ct set by the Echo must read back as it was sent).
 */
export function miredOfXy(x: number, y: number): number {
  const n = (x - 0.332) / (y - 0.1858);
  const kelvin = -449 * n * n * n + 3525 * n * n - 6823.3 * n + 5520.33;
  const estimate = kelvin > 0 ? clamp(Math.round(1e6 / kelvin), HUE_LIMITS.ctMin, HUE_LIMITS.ctMax) : HUE_LIMITS.ctMin;
  let best = estimate;
  let bestD = Infinity;
  for (let ct = Math.max(HUE_LIMITS.ctMin, estimate - 12); ct <= Math.min(HUE_LIMITS.ctMax, estimate + 12); ct++) {
    const [lx, ly] = xyOfMired(ct);
    const d = (lx - x) * (lx - x) + (ly - y) * (ly - y);
    if (d < bestD) {
      bestD = d;
      best = ct;
    }
  }
  return best;
}
