/*
 * DataStore: the app's live values, in insertion order: the order of the page's table and of
 * GET /data. A Map underneath, because a plain object would move integer-like keys ("1", "2")
 * to the front. Values are JSON values; version counts changes so a renderer can tell whether
 * anything moved, and onChange() tells listeners which key did ("" for clear()).
 */

export type DataValue = string | number | boolean | null | readonly DataValue[] | { readonly [key: string]: DataValue };

/** Keys a plain object would move to the front (array indices). */
const INDEX_KEY = /^(?:0|[1-9][0-9]{0,9})$/;

export class DataStore {
  readonly #map = new Map<string, DataValue>();
  #version = 0;
  /** Index-like keys present, counted so toJSONText knows when one JSON.stringify is safe. */
  #indexKeys = 0;
  #listeners: ((key: string) => void)[] | undefined;

  /** Calls listener with the key of every change ("" when the store is cleared); returns its unsubscribe. */
  onChange(listener: (key: string) => void): () => void {
    const list = (this.#listeners ??= []);
    list.push(listener);
    return () => {
      const i = list.indexOf(listener);
      if (i >= 0) list.splice(i, 1);
    };
  }

  #changed(key: string): void {
    this.#version++;
    const list = this.#listeners;
    if (list) for (const listener of list.length === 1 ? list : [...list]) listener(key);
  }

  set(key: string, value: DataValue): this {
    if (typeof key !== "string") throw new TypeError("data key must be a string");
    if (value === undefined || typeof value === "function" || typeof value === "bigint" || typeof value === "symbol")
      throw new TypeError(`data "${key}": value must be a JSON value`);
    if (typeof value === "number" && !Number.isFinite(value)) throw new TypeError(`data "${key}": number must be finite`);
    if (!this.#map.has(key) && INDEX_KEY.test(key) && Number(key) < 0xffffffff) this.#indexKeys++;
    this.#map.set(key, value);
    this.#changed(key);
    return this;
  }

  get(key: string): DataValue | undefined {
    return this.#map.get(key);
  }

  has(key: string): boolean {
    return this.#map.has(key);
  }

  delete(key: string): boolean {
    const had = this.#map.delete(key);
    if (had) {
      if (INDEX_KEY.test(key) && Number(key) < 0xffffffff) this.#indexKeys--;
      this.#changed(key);
    }
    return had;
  }

  clear(): void {
    this.#map.clear();
    this.#indexKeys = 0;
    this.#changed("");
  }

  get size(): number {
    return this.#map.size;
  }

  get version(): number {
    return this.#version;
  }

  keys(): IterableIterator<string> {
    return this.#map.keys();
  }

  entries(): IterableIterator<[string, DataValue]> {
    return this.#map.entries();
  }

  [Symbol.iterator](): IterableIterator<[string, DataValue]> {
    return this.#map.entries();
  }

  /** The JSON text of GET /data: an object whose key order is insertion order. */
  toJSONText(): string {
    // A plain object keeps insertion order unless a key is an array index: one stringify then.
    if (this.#indexKeys === 0) return JSON.stringify(Object.fromEntries(this.#map));
    // Joined once: appending to a growing string would copy it at every entry on XS.
    const parts: string[] = [];
    for (const [key, value] of this.#map) parts.push(JSON.stringify(key) + ":" + JSON.stringify(value));
    return "{" + parts.join(",") + "}";
  }
}
