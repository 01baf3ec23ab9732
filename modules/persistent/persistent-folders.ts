/*
 * The folders persistent variables have used, remembered so a factory reset can erase every
 * variable, also those the app did not declare in this boot. The list is one AtomicRecord in
 * the framework's own domain (a power cut while adding a folder keeps the old list), written
 * only the first time a folder is used: later writes to known folders cost nothing.
 */

import { CONFIG_DOMAIN } from "../config/config";
import type { Storage } from "../host/storage";
import { AtomicRecord } from "../storage/atomic-record";

const RECORD = "varfolders";

/**
 * Folders already in the list, per storage: the list is read once per boot. Created on first
 * use, not at load: a WeakMap created while the module is preloaded would sit in flash, read-only.
 */
let known: WeakMap<Storage, Set<string>> | undefined;

function knownFolders(): WeakMap<Storage, Set<string>> {
  return (known ??= new WeakMap());
}

function folders(storage: Storage): { record: AtomicRecord; set: Set<string> } {
  const record = new AtomicRecord(storage, CONFIG_DOMAIN, RECORD);
  let set = knownFolders().get(storage);
  if (!set) {
    set = new Set((record.value ?? "").split(",").filter((f) => f !== ""));
    knownFolders().set(storage, set);
  }
  return { record, set };
}

/** Adds folder to the list, before the folder's first write. */
export function rememberFolder(storage: Storage, folder: string): void {
  const cached = knownFolders().get(storage);
  if (cached?.has(folder)) return;
  const { record, set } = folders(storage);
  if (set.has(folder)) return;
  record.save(Array.from(set).concat(folder).join(","));
  set.add(folder);
}

/**
 * Removes every variable of every remembered folder, then the list itself (factory reset).
 * Each variable's two slots are cleared by its record, older slot first, so a power cut in the
 * middle leaves every variable at its current value or erased, never at an older value.
 */
export function eraseAllVariables(storage: Storage): void {
  const { record, set } = folders(storage);
  for (const folder of set) {
    const keys = storage.keys(folder);
    const records = new Set(keys.filter((key) => /\.[01]$/.test(key)).map((key) => key.slice(0, -2)));
    for (const name of records) new AtomicRecord(storage, folder, name).clear();
    for (const key of keys) if (!records.has(key.slice(0, -2))) storage.remove(folder, key);
  }
  record.clear();
  set.clear();
}
