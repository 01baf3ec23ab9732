/*
 * Stand-in of the SDK module "preference" on ESP32: modules/files/preference/preference.js over
 * esp32/modPreference.c (SDK 8.2.3), which is ESP-IDF's NVS; the store itself is `nvs` below,
 * the test's side (what survives a reboot, where the power is cut, how full the partition is).
 *
 * Kept from the SDK and NVS:
 * - Domains are NVS namespaces and keys NVS keys: at most 15 characters. A longer (or empty)
 *   domain fails nvs_open: set throws "nvs_open fail", get answers undefined, delete and keys do
 *   nothing. A longer key fails in NVS: "nvs set fail" (after the erase, see below), "nvs get
 *   fail", "nvs erase fail".
 * - Values: a boolean (u8), an integer (i32), a string (NUL-terminated), an ArrayBuffer (blob).
 *   A number with a fraction, or an integral one outside int32 (the C cast saturates, so the
 *   check dbl != (int)dbl fails), throws "float unsupported" before anything is touched. Any
 *   other type (a view, null, an object) throws "unsupported type".
 * - set() ERASES THE KEY FIRST (the SDK's workaround for an ESP-IDF type-change bug), then
 *   writes and commits. So a failing write (a string of 4000 bytes or more with its NUL, a blob
 *   over 4000 bytes, a full partition) throws "nvs set fail" with the old value already gone,
 *   and a power cut between the two steps loses both: nvs.cutAfterErase() makes the next set
 *   throw PowerCut right after its erase.
 * - get() answers undefined for a missing key or domain; it tries the types in the SDK's order
 *   (u8, i32, string, blob), so a boolean reads back as a boolean and an integer as a number.
 * - keys(domain) lists NVS's entries in the order they were written: a key set again moves to
 *   the end (the erase-and-write makes a new entry).
 * - The partition holds `capacityEntries` 32-byte entries (a key with a small value takes one;
 *   a string or blob one plus one per 32 bytes): past that, set throws "nvs set fail".
 * The store survives the stand-in's reboots (control.ts resets everything else): it is flash.
 * Not kept: NVS pages and their garbage collection, encryption, the other platforms' rules (the
 * lin simulator's JSON file takes any type).
 */

import { utf8Length } from "../../../modules/text/utf8";
import { machine } from "./machine";

type NvsValue = { readonly type: "u8"; readonly value: boolean } | { readonly type: "i32"; readonly value: number } | { readonly type: "str"; readonly value: string } | { readonly type: "blob"; readonly value: Uint8Array };

export class PowerCut extends Error {
  constructor() {
    super("power cut (stand-in NVS)");
  }
}
// On the prototype, as built-in errors have it: `this.name = ...` throws where preloading froze Error.prototype.
Object.defineProperty(PowerCut.prototype, "name", { value: "PowerCut", writable: true, configurable: true });

const NAME_MAX = 15;
const VALUE_MAX = 4000;
const ENTRY_BYTES = 32;

function entriesOf(value: NvsValue): number {
  if (value.type === "str") return 1 + Math.ceil((utf8Length(value.value) + 1) / ENTRY_BYTES);
  if (value.type === "blob") return 1 + Math.ceil(value.value.length / ENTRY_BYTES);
  return 1;
}

class Nvs {
  /** namespace -> key -> value, in write order. */
  readonly namespaces = new Map<string, Map<string, NvsValue>>();
  /** 6 pages of 126 entries less the one NVS keeps free for garbage collection (a 24 KB partition). */
  capacityEntries = 5 * 126;
  #cutAfterErase = false;
  /** Writes committed and erases made, for tests that count flash wear. */
  writes = 0;
  erases = 0;

  /** Erases the whole partition (a factory-fresh chip). */
  format(): void {
    this.namespaces.clear();
    this.#cutAfterErase = false;
    this.writes = 0;
    this.erases = 0;
    this.capacityEntries = 5 * 126;
  }

  /** The next set() loses power between its erase and its write. */
  cutAfterErase(): void {
    this.#cutAfterErase = true;
  }

  get used(): number {
    let n = 0;
    for (const keys of this.namespaces.values()) {
      n += 1; // the namespace's own entry
      for (const value of keys.values()) n += entriesOf(value);
    }
    return n;
  }

  erase(domain: string, key: string): void {
    const keys = this.namespaces.get(domain);
    if (keys?.delete(key)) this.erases++;
  }

  takeCut(): boolean {
    const cut = this.#cutAfterErase;
    this.#cutAfterErase = false;
    return cut;
  }
}

export const nvs = new Nvs();

function validName(name: string): boolean {
  return name.length > 0 && name.length <= NAME_MAX;
}

function toValue(value: unknown): NvsValue {
  if (typeof value === "boolean") return { type: "u8", value };
  if (typeof value === "number") {
    const int = Math.max(-2147483648, Math.min(2147483647, Math.trunc(value)));
    if (Number.isNaN(value) || value !== int) throw new Error("float unsupported");
    return { type: "i32", value: int };
  }
  if (typeof value === "string") return { type: "str", value };
  if (value instanceof ArrayBuffer) return { type: "blob", value: new Uint8Array(value.slice(0)) };
  throw new Error("unsupported type");
}

function fits(value: NvsValue): boolean {
  if (value.type === "str") return utf8Length(value.value) + 1 <= VALUE_MAX;
  if (value.type === "blob") return value.value.length <= VALUE_MAX;
  return true;
}

export default class Preference {
  static set(domain: string, key: string, value: boolean | number | string | ArrayBuffer): void {
    machine.native("Preference.set");
    const d = String(domain);
    const k = String(key);
    if (!validName(d)) throw new Error("nvs_open fail");
    const stored = toValue(value);
    // ERASE_KEY, then nvs_set_*, then nvs_commit.
    nvs.erase(d, k);
    if (nvs.takeCut()) throw new PowerCut();
    const keys = nvs.namespaces.get(d) ?? new Map<string, NvsValue>();
    const extra = nvs.namespaces.has(d) ? 0 : 1;
    if (!validName(k) || !fits(stored) || nvs.used + extra + entriesOf(stored) > nvs.capacityEntries) throw new Error("nvs set fail");
    keys.set(k, stored);
    nvs.namespaces.set(d, keys);
    nvs.writes++;
  }

  static get(domain: string, key: string): boolean | number | string | ArrayBuffer | undefined {
    machine.native("Preference.get");
    const d = String(domain);
    const k = String(key);
    if (!validName(d)) return undefined;
    const keys = nvs.namespaces.get(d);
    if (!keys) return undefined;
    if (!validName(k)) throw new Error("nvs get fail");
    const found = keys.get(k);
    if (!found) return undefined;
    if (found.type === "blob") return found.value.slice().buffer;
    return found.value;
  }

  static delete(domain: string, key: string): void {
    const d = String(domain);
    const k = String(key);
    if (!validName(d) || !nvs.namespaces.has(d)) return;
    if (!validName(k)) throw new Error("nvs erase fail");
    nvs.erase(d, k);
  }

  static keys(domain: string): string[] {
    const keys = nvs.namespaces.get(String(domain));
    return keys ? Array.from(keys.keys()) : [];
  }
}
