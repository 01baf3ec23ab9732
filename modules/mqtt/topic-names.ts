/*
 * TopicNames: the names the MQTT feature gives data keys and variables in topics and in Home
 * Assistant's discovery, deterministic and unique.
 *
 * - topicLevel(text): a topic level MQTT accepts and that matches only itself: "+", "#", "/"
 *   and NUL become "_"; an empty name becomes "_"; text longer than 64 UTF-8 bytes is cut at a
 *   character boundary. Everything else (spaces, "Küche 温度") is kept, as a subscriber wrote it.
 * - objectId(text): what Home Assistant accepts as an object id: a-z, 0-9 and "_" (A-Z
 *   lower-cased, every other character "_").
 * - UniqueNames hands out one name per key: the first key that maps to a name gets it, a later
 *   key that maps to the same name gets "_2", "_3", ... (the first free one). A key keeps its
 *   name until released (its entry is deleted), so the same data in the same order always gets
 *   the same names: the order of iot.data.set() decides who gets the plain one.
 */

import { truncateUtf8 } from "../text/truncate-utf8";

export const MAX_LEVEL_BYTES = 64;

export function topicLevel(text: string): string {
  let out = "";
  for (const ch of text) out += ch === "+" || ch === "#" || ch === "/" || ch === "\0" ? "_" : ch;
  out = truncateUtf8(out, MAX_LEVEL_BYTES);
  return out === "" ? "_" : out;
}

export function objectId(text: string): string {
  let out = "";
  for (const ch of text) {
    const lower = ch >= "A" && ch <= "Z" ? ch.toLowerCase() : ch;
    out += (lower >= "a" && lower <= "z") || (lower >= "0" && lower <= "9") || lower === "_" ? lower : "_";
  }
  return out === "" ? "_" : out;
}

export class UniqueNames {
  readonly #map: (text: string) => string;
  readonly #byKey = new Map<string, string>();
  readonly #taken = new Set<string>();

  constructor(map: (text: string) => string) {
    this.#map = map;
  }

  /** The name of key, made from text (default the key itself) the first time. */
  name(key: string, text: string = key): string {
    const known = this.#byKey.get(key);
    if (known !== undefined) return known;
    const base = this.#map(text);
    let name = base;
    for (let n = 2; this.#taken.has(name); n++) name = `${base}_${n}`;
    this.#byKey.set(key, name);
    this.#taken.add(name);
    return name;
  }

  /** The name key has, without giving it one. */
  peek(key: string): string | undefined {
    return this.#byKey.get(key);
  }

  release(key: string): void {
    const name = this.#byKey.get(key);
    if (name === undefined) return;
    this.#byKey.delete(key);
    this.#taken.delete(name);
  }

  keys(): IterableIterator<string> {
    return this.#byKey.keys();
  }

  clear(): void {
    this.#byKey.clear();
    this.#taken.clear();
  }
}

/** A topic (a base or a prefix) the settings accept: levels without wildcards or NUL, no leading "$" or "/". */
export function checkTopicSetting(value: unknown): string | undefined {
  const text = String(value);
  if (text === "") return undefined;
  for (const ch of text) if (ch === "+" || ch === "#" || ch === "\0") return "a topic cannot hold +, # or NUL";
  if (text.startsWith("$")) return "a topic starting with $ is the broker's own";
  if (text.startsWith("/") || text.endsWith("/") || text.includes("//")) return "no empty levels: no / at either end, no //";
  return undefined;
}
