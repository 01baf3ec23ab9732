/*
 * PreferenceStorage: the device's Storage over Moddable's Preference (NVS on ESP32, a JSON file
 * in the lin simulator, CFPreferences in the mac one).
 *
 * - Every write is checked with checkStorageWrite() first, so the device refuses what the
 *   simulator refuses, with the same message, before NVS is touched; names are checked on
 *   read, remove and keys too, as the Node host does.
 * - Preference.set erases the key before it writes it (an ESP-IDF workaround), so a write is not
 *   atomic across a power cut: values that must survive one go through atomic-record.ts.
 * - read() answers undefined for a missing key or domain; remove() of a missing key is harmless.
 *   A read that fails reads as undefined too, and problems() names the domain until its next write or remove.
 * - keys() uses Preference.keys, which the mac simulator does not implement: there it throws a
 *   StorageError that says so.
 */

import type Preference from "preference";
import type { Storage, StorageProblem, StoredValue } from "../../modules/host/storage";
import { StorageError, checkStorageName, checkStorageWrite } from "../../modules/storage/storage-rules";

/**
 * The SDK's Preference module, handed in by boot.ts (hosts/moddable/host.ts says why), never
 * imported here: this module is preloaded, and the lin simulator's Preference is not (it reads
 * its file when it loads, which cannot happen at build time).
 */
export type PreferenceModule = Pick<typeof Preference, "get" | "set" | "delete" | "keys">;

export class PreferenceStorage implements Storage {
  readonly #preference: PreferenceModule;
  /** Domains that could not be read, made on the first such read: none at all on a healthy device. */
  #problems: Map<string, string> | undefined = undefined;

  constructor(preference: PreferenceModule) {
    this.#preference = preference;
  }

  read(domain: string, key: string): StoredValue | undefined {
    checkStorageName("domain", domain);
    checkStorageName("key", key);
    try {
      return this.#preference.get(domain, key);
    } catch (e) {
      // A flash read error reads as nothing saved: the device boots on defaults and says so.
      (this.#problems ??= new Map()).set(domain, `storage domain "${domain}" could not be read (key ${key}: ${e instanceof Error ? e.message : String(e)}): defaults are in use until it is saved again`);
      return undefined;
    }
  }

  write(domain: string, key: string, value: StoredValue): void {
    checkStorageWrite(domain, key, value);
    this.#preference.set(domain, key, value);
    this.#problems?.delete(domain);
  }

  problems(): readonly StorageProblem[] {
    return this.#problems ? Array.from(this.#problems, ([domain, message]) => ({ domain, message })) : [];
  }

  remove(domain: string, key: string): void {
    checkStorageName("domain", domain);
    checkStorageName("key", key);
    this.#preference.delete(domain, key);
    this.#problems?.delete(domain);
  }

  keys(domain: string): string[] {
    checkStorageName("domain", domain);
    try {
      return this.#preference.keys(domain);
    } catch (e) {
      // The mac simulator's Preference.keys throws "unimplemented"; say which call failed.
      throw new StorageError(`cannot list the keys of storage domain "${domain}": ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
