/*
 * The limits every persistent variable keeps, on every host, derived from the device's own
 * (storage-rules.ts) so the simulator refuses exactly what ESP32 would refuse.
 */

import { AtomicRecord } from "../storage/atomic-record";
import { STORAGE_LIMITS } from "../storage/storage-rules";

export const PERSISTENT_LIMITS = Object.freeze({
  /** Longest variable name or folder: the NVS key/namespace limit (persistent-record-name.ts). */
  maxName: STORAGE_LIMITS.maxName,
  /**
   * Largest stored form of a value, in UTF-8 bytes: 3999 (one NVS string) - 20 (the record's
   * sequence number and checksum) - 16 (a 15-character name and "=" kept in front of the value
   * of a long-named variable). The same for every variable, so a limit does not depend on the
   * length of a name.
   */
  maxValueBytes: AtomicRecord.maxPayloadBytes - STORAGE_LIMITS.maxName - 1,
  /** Integer range: the device stores 32-bit signed integers. */
  minInteger: -0x80000000,
  maxInteger: 0x7fffffff,
  /** Deepest nesting of a JSON value (XS's native stack on the device is small). */
  maxJsonDepth: 32,
});

/** Checks a maxBytes option of a variable (string, json, set, list). */
export function maxBytesOption(name: string, maxBytes: number | undefined): number {
  const limit = PERSISTENT_LIMITS.maxValueBytes;
  if (maxBytes === undefined) return limit;
  if (!Number.isInteger(maxBytes) || maxBytes < 1 || maxBytes > limit)
    throw new RangeError(`persistent variable ${name}: maxBytes must be an integer in 1..${limit}`);
  return maxBytes;
}
