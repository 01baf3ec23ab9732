/*
 * PersistentSet: a set of primitives (strings, finite numbers, booleans, null) that keeps the
 * order in which items first appeared. Accepts what PersistentList accepts; a repeated item
 * keeps its first occurrence only (1 and "1" are different items; 0 and -0 are one). The value
 * is a frozen array (a Set cannot be frozen); has/add/delete save through value. Stored as JSON
 * text. Default: [].
 */

import type { ListInput } from "./persistent-list";
import { primitiveItemsCodec, type Primitive } from "./primitive-items";
import { maxBytesOption } from "./persistent-limits";
import { PersistentVariable, type PersistentOptions } from "./persistent-variable";

export interface PersistentSetOptions extends PersistentOptions<ListInput> {
  /** Longest JSON text in UTF-8 bytes, 1..3963 (default 3963); larger sets are refused. */
  maxBytes?: number;
}

export class PersistentSet extends PersistentVariable<readonly Primitive[], ListInput> {
  readonly maxBytes: number;

  constructor(name: string, options: PersistentSetOptions = {}) {
    const maxBytes = maxBytesOption(name, options.maxBytes);
    super(name, options, primitiveItemsCodec("set", maxBytes));
    this.maxBytes = maxBytes;
  }

  has(item: Primitive): boolean {
    return this.value.includes(item);
  }

  /** Adds item at the end and saves; false when it was already there (nothing written). */
  add(item: Primitive): boolean {
    return this.write([...this.value, item]);
  }

  /** Removes item and saves; false when it was not there. */
  delete(item: Primitive): boolean {
    return this.write(this.value.filter((x) => x !== item));
  }
}
