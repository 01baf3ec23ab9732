/*
 * PersistentList: an ordered list of primitives (strings, finite numbers, booleans, null),
 * duplicates kept. Accepts an array or a Set of them; refuses anything else (a string is not a
 * list of its characters), any other item (objects, arrays, undefined, NaN, Infinity), and a
 * list whose JSON text is over maxBytes (default and most: 3963). -0 becomes 0. The value is a
 * frozen array: assign a new one to change it. Stored as JSON text. Default: [].
 */

import { primitiveItemsCodec, type Primitive } from "./primitive-items";
import { maxBytesOption } from "./persistent-limits";
import { PersistentVariable, type PersistentOptions } from "./persistent-variable";

export type { Primitive } from "./primitive-items";
export type ListInput = readonly Primitive[] | ReadonlySet<Primitive>;

export interface PersistentListOptions extends PersistentOptions<ListInput> {
  /** Longest JSON text in UTF-8 bytes, 1..3963 (default 3963); longer lists are refused. */
  maxBytes?: number;
}

export class PersistentList extends PersistentVariable<readonly Primitive[], ListInput> {
  readonly maxBytes: number;

  constructor(name: string, options: PersistentListOptions = {}) {
    const maxBytes = maxBytesOption(name, options.maxBytes);
    super(name, options, primitiveItemsCodec("list", maxBytes));
    this.maxBytes = maxBytes;
  }
}
