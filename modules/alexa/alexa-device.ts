/*
 * AlexaDevice: one device the app exposed, as the Hue light it plays.
 *
 *   iot.alexa.expose("Desk lamp", { on: lamp, brightness: level, colour: tint });
 *
 * - on is a PersistentBoolean or { get, set }. brightness (optional) is a PersistentRange (its
 *   own min..max is the scale), a PersistentInteger or PersistentFloat (0..100 unless
 *   brightnessRange says otherwise), or { get, set }; an integer scale is rounded. colour
 *   (optional, also spelt color) is a PersistentRgb or { get, set } of "#rrggbb".
 * - Its Hue type follows what it has: on only is an "On/Off plug-in unit", with brightness a
 *   "Dimmable light", with colour an "Extended color light" (hue/sat, xy and ct).
 * - A colour device without a brightness value keeps its brightness in the colour (HSV's value):
 *   bri reads the colour's brightest channel and writing bri scales the colour. With one, the
 *   colour is written at full brightness and bri goes to the brightness value.
 * - Every write goes through the variable (coerced and saved as `variable.value = x` is) or the
 *   app's set(). What the Echo last sent for colour (hs, xy or ct, and its exact numbers) is
 *   remembered while the colour still reads what it wrote, so a read-back shows what was set;
 *   once the app changes the colour, hue/sat/xy are computed from it again.
 * The names are checked here (what a user says: 1 to 32 characters, no control characters);
 * uniqueness and the limit on devices are the feature's.
 */

import {
  briFromLevel,
  clamp,
  hexOf,
  hsvOf,
  hueSatOf,
  levelFromBri,
  miredOfXy,
  parseHex,
  rgbOfHsv,
  rgbOfHueSat,
  rgbOfXy,
  xyOf,
  xyOfMired,
  type Rgb,
} from "./hue-colour";
import type { LightIdentity } from "./light-ids";

/** A value the app reads and writes itself. */
export interface Accessor<T> {
  get(): T;
  set(value: T): void;
}

/** What the device needs of a persistent variable (PersistentBoolean, PersistentRange, ...). */
export interface VariableLike<T> {
  readonly value: T;
  write(input: unknown): boolean;
  readonly type?: string;
  readonly min?: number;
  readonly max?: number;
  /** A persistent variable's: tells the watcher of each change, so the feature need not poll it. */
  watch?(watcher: VariableWatcher): boolean;
  unwatch?(watcher: VariableWatcher): void;
}

/** What a device's variables tell of their changes (PersistentVariable's VariableWatcher). */
export interface VariableWatcher {
  variableChanged(variable: object): void;
}

export type Source<T> = VariableLike<T> | Accessor<T>;

export interface AlexaDeviceOptions {
  on: Source<boolean>;
  brightness?: Source<number>;
  /** The brightness value's scale: a PersistentRange's own min..max, else 0..100. */
  brightnessRange?: readonly [number, number];
  colour?: Source<string>;
  color?: Source<string>;
  /** What the light's IDs are made from: the name when absent. Give one to rename a device without Alexa seeing a new one. */
  key?: string;
  /** The data entry (GET /data, the page) that shows the device's state: its name by default; false for none. */
  data?: string | false;
}

export const NAME_MAX_CHARS = 32;

export type HueType = "On/Off plug-in unit" | "Dimmable light" | "Extended color light";
export type ColourMode = "hs" | "xy" | "ct";

type Remembered = { hue: number; sat: number; xy: [number, number]; ct: number };

/** A device's state as Hue reports it (bri and the colour fields only where it has them). */
export interface HueState {
  on: boolean;
  bri?: number;
  hue?: number;
  sat?: number;
  xy?: [number, number];
  ct?: number;
  colormode?: ColourMode;
  reachable: boolean;
}

/** What a PUT .../state asks for, after checks and clamping. */
export interface StateChange {
  on?: boolean;
  bri?: number;
  /** Applied after bri: its result is the new bri (clamped). */
  briInc?: number;
  colour?: { mode: ColourMode; hue?: number; sat?: number; xy?: [number, number]; ct?: number };
}

function isAccessor<T>(source: Source<T>): source is Accessor<T> {
  return typeof (source as Accessor<T>).get === "function" && typeof (source as Accessor<T>).set === "function";
}

function isVariable<T>(source: Source<T>): source is VariableLike<T> {
  return "value" in source && typeof (source as VariableLike<T>).write === "function";
}

/** The source itself, checked: read and written through read() and write() below (no closure per device). */
function checked<T>(source: Source<T> | undefined, what: string): Source<T> {
  if (source === null || typeof source !== "object" || (!isAccessor(source) && !isVariable(source))) throw new TypeError(`${what} must be a persistent variable or { get, set }`);
  return source;
}

function read<T>(source: Source<T>): T {
  return isAccessor(source) ? source.get() : source.value;
}

/** True when source tells watcher of its changes from now on (a variable that took it). */
function watched<T>(source: Source<T> | undefined, watcher: VariableWatcher): boolean {
  if (source === undefined) return true;
  if (isAccessor(source) || typeof source.watch !== "function") return false;
  return source.watch(watcher);
}

function unwatched<T>(source: Source<T> | undefined, watcher: VariableWatcher): void {
  if (source !== undefined && !isAccessor(source) && typeof source.unwatch === "function") source.unwatch(watcher);
}

function write<T>(source: Source<T>, value: T): void {
  if (isAccessor(source)) source.set(value);
  else source.write(value);
}

/** The reason name is no device name, or undefined. */
export function nameProblem(name: unknown): string | undefined {
  if (typeof name !== "string") return "a device's name must be a string";
  let chars = 0;
  for (const ch of name) {
    chars++;
    const code = ch.codePointAt(0) as number;
    if (code < 0x20 || code === 0x7f) return `device name ${JSON.stringify(name.slice(0, 40))} has a control character`;
  }
  if (name.trim() === "") return "a device's name must not be empty";
  if (chars > NAME_MAX_CHARS) return `device name ${JSON.stringify(name.slice(0, 40))}… is longer than ${NAME_MAX_CHARS} characters (Hue's limit)`;
  return undefined;
}

// Helper methods are TypeScript-private, not #private: XS gives every instance one slot per #method.
export class AlexaDevice {
  readonly name: string;
  readonly key: string;
  readonly dataKey: string | undefined;
  readonly #on: Source<boolean>;
  /** The brightness value and its scale. */
  readonly #level: Source<number> | undefined;
  readonly #min: number = 0;
  readonly #max: number = 100;
  readonly #integer: boolean = false;
  readonly #colour: Source<string> | undefined;
  identity: LightIdentity | undefined;
  /** What its data entry was last given, the data store's own object (the feature's, so an unchanged state is not set again). */
  mirrored: { on: boolean; brightness?: number; colour?: string } | undefined;
  /** What the Echo last set, valid while the colour reads `written`: made by the first colour write (a slot, not three, per device). */
  #echo: { readonly written: string; readonly mode: ColourMode; readonly remembered: Remembered | undefined } | undefined;

  constructor(name: string, options: AlexaDeviceOptions) {
    const problem = nameProblem(name);
    if (problem) throw new TypeError(problem);
    if (options === null || typeof options !== "object") throw new TypeError(`device ${name}: options must be an object with on`);
    this.name = name;
    const key = options.key ?? name;
    if (typeof key !== "string" || key === "" || nameProblem(key)) throw new TypeError(`device ${name}: key must be 1 to ${NAME_MAX_CHARS} characters`);
    this.key = key;
    if (options.data !== undefined && options.data !== false && (typeof options.data !== "string" || options.data === ""))
      throw new TypeError(`device ${name}: data must be a data key or false`);
    this.dataKey = options.data === false ? undefined : (options.data ?? name);
    this.#on = checked(options.on, `device ${name}: on`);
    if (options.brightness !== undefined) {
      const source = checked(options.brightness, `device ${name}: brightness`);
      const own = isVariable(source) && typeof source.min === "number" && typeof source.max === "number" ? [source.min, source.max] : undefined;
      const range = options.brightnessRange ?? own ?? [0, 100];
      if (!Array.isArray(range) || range.length !== 2 || !Number.isFinite(range[0]) || !Number.isFinite(range[1]) || !(range[1] > range[0]))
        throw new RangeError(`device ${name}: brightnessRange must be [min, max] with min < max`);
      this.#level = source;
      this.#min = range[0];
      this.#max = range[1];
      this.#integer = isVariable(source) && source.type === "integer";
    }
    const colourSource = options.colour ?? options.color;
    if (colourSource !== undefined) this.#colour = checked(colourSource, `device ${name}: colour`);
  }

  /** Its Hue type, from what it has (a getter: no slot per device). */
  get type(): HueType {
    return this.#colour ? "Extended color light" : this.#level ? "Dimmable light" : "On/Off plug-in unit";
  }

  get dimmable(): boolean {
    return this.#level !== undefined || this.#colour !== undefined;
  }

  get coloured(): boolean {
    return this.#colour !== undefined;
  }

  /**
   * Has every value of the device tell watcher of its changes; false when one cannot (an app's
   * { get, set }, or a variable another watcher holds): that device is polled.
   */
  watch(watcher: VariableWatcher): boolean {
    // Each one asked, not stopping at the first refusal: a value that took it is told all the same.
    const on = watched(this.#on, watcher);
    const level = watched(this.#level, watcher);
    const colour = watched(this.#colour, watcher);
    return on && level && colour;
  }

  unwatch(watcher: VariableWatcher): void {
    unwatched(this.#on, watcher);
    unwatched(this.#level, watcher);
    unwatched(this.#colour, watcher);
  }

  /** The device's state; a device whose app value throws reads unreachable (and off). */
  state(): HueState {
    try {
      return this.readState();
    } catch {
      const out: HueState = { on: false, reachable: false };
      if (this.dimmable) out.bri = 1;
      if (this.#colour) Object.assign(out, { hue: 0, sat: 0, xy: [0.3127, 0.329], ct: 153, colormode: "hs" });
      return out;
    }
  }

  private readState(): HueState {
    const out: HueState = { on: Boolean(read(this.#on)), reachable: true };
    if (this.#level) out.bri = briFromLevel(this.levelValue(), this.#min, this.#max);
    if (this.#colour) {
      const rgb = this.rgb();
      if (!this.#level) out.bri = briFromLevel(hsvOf(rgb).v, 0, 1);
      const echo = this.#echo;
      const remembered = echo && echo.written === hexOf(rgb) ? echo.remembered : undefined;
      if (echo && remembered) {
        Object.assign(out, { hue: remembered.hue, sat: remembered.sat, xy: remembered.xy, ct: remembered.ct, colormode: echo.mode });
      } else {
        const { hue, sat } = hueSatOf(rgb);
        const xy = xyOf(rgb);
        Object.assign(out, { hue, sat, xy, ct: miredOfXy(xy[0], xy[1]), colormode: "hs" });
      }
    }
    return out;
  }

  /** What the page and /data show: the app's own units. */
  summary(): { on: boolean; brightness?: number; colour?: string } {
    const out: { on: boolean; brightness?: number; colour?: string } = { on: Boolean(read(this.#on)) };
    if (this.#level) out.brightness = this.levelValue();
    if (this.#colour) out.colour = hexOf(this.rgb());
    return out;
  }

  private levelValue(): number {
    return Number(read(this.#level as Source<number>));
  }

  private rgb(): Rgb {
    return parseHex(read(this.#colour as Source<string>)) ?? { r: 0, g: 0, b: 0 };
  }

  /** Applies a checked change: on first, then brightness, then colour. */
  apply(change: StateChange): void {
    if (change.on !== undefined) write(this.#on, change.on);
    const level = this.#level;
    const colour = this.#colour;
    let bri = change.bri;
    if (change.briInc !== undefined) bri = clamp((bri ?? this.readState().bri ?? 254) + change.briInc, 1, 254);
    if (level && bri !== undefined) write(level, levelFromBri(bri, this.#min, this.#max, this.#integer));
    if (!colour) return;
    const target = change.colour;
    if (!target && (level || bri === undefined)) return;
    const now = this.rgb();
    // Brightness lives in the colour when there is no brightness value, else the colour is full.
    const value = level ? 1 : bri !== undefined ? levelFromBri(bri, 0, 1, false) : hsvOf(now).v || 1;
    let rgb: Rgb;
    const echo = this.#echo;
    let remembered = echo && echo.written === hexOf(now) ? echo.remembered : undefined;
    if (!target) {
      const { h, s } = hsvOf(now);
      rgb = rgbOfHsv(h, s, value);
    } else if (target.mode === "xy") {
      const [x, y] = target.xy as [number, number];
      rgb = scaled(rgbOfXy(x, y), value);
      remembered = { ...hueSatOf(rgb), xy: [x, y], ct: miredOfXy(x, y) };
    } else if (target.mode === "ct") {
      const xy = xyOfMired(target.ct as number);
      rgb = scaled(rgbOfXy(xy[0], xy[1]), value);
      remembered = { ...hueSatOf(rgb), xy, ct: target.ct as number };
    } else {
      const current = remembered ?? hueSatOf(now);
      const hue = target.hue ?? current.hue;
      const sat = target.sat ?? current.sat;
      rgb = rgbOfHueSat(hue, sat, value);
      const xy = xyOf(rgb);
      remembered = { hue, sat, xy, ct: miredOfXy(xy[0], xy[1]) };
    }
    write(colour, hexOf(rgb));
    // Remembered only once the write has gone through, for the colour it wrote.
    this.#echo = { written: hexOf(this.rgb()), mode: target ? target.mode : (echo?.mode ?? "hs"), remembered };
  }
}

function scaled(rgb: Rgb, value: number): Rgb {
  if (value >= 1) return rgb;
  return { r: Math.round(rgb.r * value), g: Math.round(rgb.g * value), b: Math.round(rgb.b * value) };
}
