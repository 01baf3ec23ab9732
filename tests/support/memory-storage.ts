/*
 * MemoryStorage: a Storage held in memory that keeps the device's rules (names of at most 15
 * characters, 4000-byte values, no floats), for core tests on any engine.
 */

import type { Storage, StoredValue } from "../../modules/host/storage";
import { checkStorageName, checkStorageWrite } from "../../modules/storage/storage-rules";

function copy(value: StoredValue): StoredValue {
  return value instanceof ArrayBuffer ? value.slice(0) : value;
}

export class MemoryStorage implements Storage {
  readonly domains = new Map<string, Map<string, StoredValue>>();
  writes = 0;

  read(domain: string, key: string): StoredValue | undefined {
    const value = this.domains.get(domain)?.get(key);
    return value === undefined ? undefined : copy(value);
  }

  write(domain: string, key: string, value: StoredValue): void {
    checkStorageWrite(domain, key, value);
    let map = this.domains.get(domain);
    if (!map) this.domains.set(domain, (map = new Map()));
    map.set(key, copy(value));
    this.writes++;
  }

  remove(domain: string, key: string): void {
    checkStorageName("domain", domain);
    checkStorageName("key", key);
    this.domains.get(domain)?.delete(key);
  }

  keys(domain: string): string[] {
    return Array.from(this.domains.get(domain)?.keys() ?? []);
  }
}
