/*
 * The storage folders (domains) persistent variables have used, remembered so a factory reset
 * can erase every variable, also those the app did not declare in this boot. Storage
 * machinery, not a feature's: the manager's factory reset needs it whatever features run. The list is one AtomicRecord in
 * the framework's own domain (a power cut while adding a folder keeps the old list), written
 * only the first time a folder is used.
 *
 * No cache here: a module-level one would be state a preloaded module keeps in RAM (and a
 * WeakMap made at preload time is read-only). Each variable asks once per boot instead, on its
 * first write (PersistentVariable), which costs one read of this short record.
 */

import type { Storage } from "../host/storage";
import { AtomicRecord } from "./atomic-record";
import { CONFIG_DOMAIN } from "./storage-rules";

const RECORD = "varfolders";

function folders(storage: Storage): { record: AtomicRecord; list: string[] } {
  const record = new AtomicRecord(storage, CONFIG_DOMAIN, RECORD);
  return { record, list: (record.value ?? "").split(",").filter((f) => f !== "") };
}

/** Adds folder to the list, before the folder's first write; writes nothing if it is listed. */
export function rememberFolder(storage: Storage, folder: string): void {
  const { record, list } = folders(storage);
  if (!list.includes(folder)) record.save(list.concat(folder).join(","));
}

/**
 * Opens every remembered folder (lists its keys), so a host that cannot read one finds out now
 * and names it in problems(), rather than on the first read of one of its variables. A folder
 * whose keys cannot be listed (the mac simulator's Preference) is left to its first read.
 */
export function openAllFolders(storage: Storage): void {
  for (const folder of folders(storage).list) {
    try {
      storage.keys(folder);
    } catch {
      // Only a probe: the folder's first read reports what is wrong with it.
    }
  }
}

/**
 * Removes every variable of every remembered folder, then the list itself (factory reset).
 * Each variable's two slots are cleared by its record, older slot first, so a power cut in the
 * middle leaves every variable at its current value or erased, never at an older value.
 */
export function eraseAllVariables(storage: Storage): void {
  const { record, list } = folders(storage);
  for (const folder of list) {
    const keys = storage.keys(folder);
    const records = new Set(keys.filter((key) => /\.[01]$/.test(key)).map((key) => key.slice(0, -2)));
    for (const name of records) new AtomicRecord(storage, folder, name).clear();
    for (const key of keys) if (!records.has(key.slice(0, -2))) storage.remove(folder, key);
  }
  record.clear();
}
