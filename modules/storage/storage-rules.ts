/*
 * The device's storage limits, checked by every host before a write so that the simulator
 * refuses exactly what ESP32's NVS-backed Preference refuses, with a message that says why.
 */

import type { StoredValue } from "../host/storage";
import { utf8Length } from "../text/utf8";

export const STORAGE_LIMITS = Object.freeze({
  /** Longest domain or key name (NVS). */
  maxName: 15,
  /** Largest value in bytes (Moddable's Preference on ESP32). */
  maxValueBytes: 4000,
  /** Longest string in UTF-8 bytes: NVS counts the terminating NUL in its 4000. */
  maxStringBytes: 3999,
});

/**
 * The framework's own storage domain: the settings record and the list of variable folders live
 * there, and no variable folder may take its name. Changing it would orphan every device's
 * saved settings.
 */
export const CONFIG_DOMAIN = "iot";

export class StorageError extends Error {}
// On the prototype, as built-in errors have it: `this.name = ...` throws where preloading froze Error.prototype.
Object.defineProperty(StorageError.prototype, "name", { value: "StorageError", writable: true, configurable: true });

export function checkStorageName(kind: "domain" | "key", name: string): void {
  if (typeof name !== "string" || name.length === 0)
    throw new StorageError(`storage ${kind} must be a non-empty string`);
  if (name.length > STORAGE_LIMITS.maxName)
    throw new StorageError(`storage ${kind} "${name}" is longer than ${STORAGE_LIMITS.maxName} characters`);
}

export function storedValueBytes(value: StoredValue): number {
  if (typeof value === "string") return utf8Length(value);
  if (value instanceof ArrayBuffer) return value.byteLength;
  return 4;
}

export function checkStorageWrite(domain: string, key: string, value: StoredValue): void {
  checkStorageName("domain", domain);
  checkStorageName("key", key);
  if (typeof value === "number") {
    if (!Number.isInteger(value)) throw new StorageError(`storage ${domain}/${key}: float unsupported`);
    if (value < -0x80000000 || value > 0x7fffffff)
      throw new StorageError(`storage ${domain}/${key}: integer ${value} is outside the 32-bit range`);
  } else if (typeof value !== "boolean" && typeof value !== "string" && !(value instanceof ArrayBuffer)) {
    throw new StorageError(`storage ${domain}/${key}: unsupported value type`);
  }
  const bytes = storedValueBytes(value);
  const limit = typeof value === "string" ? STORAGE_LIMITS.maxStringBytes : STORAGE_LIMITS.maxValueBytes;
  if (bytes > limit) throw new StorageError(`storage ${domain}/${key}: ${bytes} bytes exceed the ${limit}-byte limit`);
}
