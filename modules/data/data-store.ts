/*
 * DataStore: the app's live values, in insertion order: the order of the page's table and of
 * GET /data. Values are JSON values; version counts changes so a renderer can tell whether
 * anything moved, and onChange() tells listeners which key did ("" for clear()).
 *
 * Held as GET /data sends it: a prototype-less object whose own keys are the entries in
 * insertion order, so toJSONText() is one JSON.stringify, one pass over the entries and no
 * garbage but the text (GET /data is what a scraper polls). An object would move an array-index
 * key ("1", "42") to the front, so from the first such key until none is left the entries live
 * in a Map instead and are serialised one by one.
 *
 * On XS a property key is interned for good (the device builds XS without key collection):
 * every distinct data key's name stays in memory once set, as it did when each GET /data made
 * an object of the entries. Keys are the app's, not a client's: keep their number bounded.
 */

export type DataValue = string | number | boolean | null | readonly DataValue[] | { readonly [key: string]: DataValue };

export type DataListener = (key: string) => void;

/** A listener that is an object (the manager's Events), so the manager holds no closure for it. */
export interface DataSink {
  emit(name: "data", key: string): void;
}

/**
 * True for a key a plain object would move to the front: an array index, the canonical text of
 * an integer from 0 to 2^32 - 2. Native conversions, no regex (a preloaded one corrupts XS
 * 8.2.3's heap), and this runs on every set().
 */
function isIndexKey(key: string): boolean {
  const n = Number(key);
  return Number.isInteger(n) && n >= 0 && n < 0xffffffff && String(n) === key;
}

function emptyObject(): Record<string, DataValue> {
  return Object.create(null) as Record<string, DataValue>;
}

/** The entries of a store held as an object, in its keys' order (insertion order: no index keys). */
function* objectEntries(values: Record<string, DataValue>): Generator<[string, DataValue], void, undefined> {
  for (const key in values) yield [key, values[key]];
}
Object.freeze(objectEntries.prototype);

function* objectKeys(values: Record<string, DataValue>): Generator<string, void, undefined> {
  for (const key in values) yield key;
}
Object.freeze(objectKeys.prototype);

// Helper methods are TypeScript-private, not #private: XS gives every instance one slot per #method.
export class DataStore {
  /** The entries while no key is an array index; undefined while #map holds them. */
  #object: Record<string, DataValue> | undefined = emptyObject();
  /** The entries while some key is an array index. */
  #map: Map<string, DataValue> | undefined;
  #size = 0;
  /** Index-like keys present (Map mode only). */
  #indexKeys = 0;
  #version = 0;
  #listeners: (DataListener | DataSink)[] | undefined;

  /**
   * Calls listener (or sink.emit("data", key)) with the key of every change ("" when the store
   * is cleared); returns its unsubscribe.
   */
  onChange(listener: DataListener | DataSink): () => void {
    const list = (this.#listeners ??= []);
    list.push(listener);
    return () => {
      const i = list.indexOf(listener);
      if (i >= 0) list.splice(i, 1);
    };
  }

  private changed(key: string): void {
    this.#version++;
    const list = this.#listeners;
    if (!list) return;
    for (const listener of list.length === 1 ? list : [...list]) {
      if (typeof listener === "function") listener(key);
      else listener.emit("data", key);
    }
  }

  set(key: string, value: DataValue): this {
    if (typeof key !== "string") throw new TypeError("data key must be a string");
    if (value === undefined || typeof value === "function" || typeof value === "bigint" || typeof value === "symbol")
      throw new TypeError(`data "${key}": value must be a JSON value`);
    if (typeof value === "number" && !Number.isFinite(value)) throw new TypeError(`data "${key}": number must be finite`);
    const object = this.#object;
    if (object) {
      if (key in object) object[key] = value;
      else if (isIndexKey(key)) {
        const map = this.toMap(object);
        map.set(key, value);
        this.#indexKeys = 1;
        this.#size++;
      } else {
        object[key] = value;
        this.#size++;
      }
    } else {
      const map = this.#map as Map<string, DataValue>;
      if (!map.has(key)) {
        if (isIndexKey(key)) this.#indexKeys++;
        this.#size++;
      }
      map.set(key, value);
    }
    this.changed(key);
    return this;
  }

  /** From object to Map, in the same order: an index key is about to be added. */
  private toMap(object: Record<string, DataValue>): Map<string, DataValue> {
    const map = new Map<string, DataValue>();
    for (const key in object) map.set(key, object[key]);
    this.#map = map;
    this.#object = undefined;
    return map;
  }

  get(key: string): DataValue | undefined {
    const object = this.#object;
    if (object) return object[key];
    return (this.#map as Map<string, DataValue>).get(key);
  }

  has(key: string): boolean {
    const object = this.#object;
    if (object) return key in object;
    return (this.#map as Map<string, DataValue>).has(key);
  }

  delete(key: string): boolean {
    const object = this.#object;
    if (object) {
      if (!(key in object)) return false;
      delete object[key];
    } else {
      const map = this.#map as Map<string, DataValue>;
      if (!map.delete(key)) return false;
      if (isIndexKey(key) && --this.#indexKeys === 0) {
        // The last index key is gone: back to the object, in the Map's order.
        const values = emptyObject();
        for (const [k, v] of map) values[k] = v;
        this.#object = values;
        this.#map = undefined;
      }
    }
    this.#size--;
    this.changed(key);
    return true;
  }

  clear(): void {
    this.#object = emptyObject();
    this.#map = undefined;
    this.#size = 0;
    this.#indexKeys = 0;
    this.changed("");
  }

  get size(): number {
    return this.#size;
  }

  get version(): number {
    return this.#version;
  }

  keys(): IterableIterator<string> {
    const object = this.#object;
    return object ? objectKeys(object) : (this.#map as Map<string, DataValue>).keys();
  }

  entries(): IterableIterator<[string, DataValue]> {
    const object = this.#object;
    return object ? objectEntries(object) : (this.#map as Map<string, DataValue>).entries();
  }

  /**
   * The keys and the values as two arrays in the same order, for a walk by index (the page's
   * table): two native calls, where entries() steps a generator and makes a pair per entry (on
   * XS that was half of what a table row cost).
   */
  columns(): [string[], DataValue[]] {
    const object = this.#object;
    if (object) return [Object.keys(object), Object.values(object)];
    const map = this.#map as Map<string, DataValue>;
    return [Array.from(map.keys()), Array.from(map.values())];
  }

  [Symbol.iterator](): IterableIterator<[string, DataValue]> {
    return this.entries();
  }

  /** The JSON text of GET /data: an object whose key order is insertion order. */
  toJSONText(): string {
    const object = this.#object;
    if (object) return JSON.stringify(object);
    // Joined once: appending to a growing string would copy it at every entry on XS.
    const parts: string[] = [];
    for (const [key, value] of this.#map as Map<string, DataValue>) parts.push(JSON.stringify(key) + ":" + JSON.stringify(value));
    return "{" + parts.join(",") + "}";
  }
}
