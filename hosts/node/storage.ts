/*
 * FileStorage: the simulator's Storage, one JSON file per domain under <state>/storage/.
 * It keeps the device's limits (checkStorageWrite), and writes each domain file atomically
 * (temporary file, fsync, rename), so killing the simulator never leaves a half-written file;
 * the power cut the device can suffer inside a write is modelled by the tests' PowerCutStorage.
 * A domain file that cannot be parsed (edited by hand, a disk gone bad) reads as empty: it is
 * moved aside to <domain>.json.damaged (kept for whoever wants to look, replaced by the next
 * such file), and problems() names the domain for the rest of this boot or until a write stores
 * it afresh. What the device's NVS does with a damaged page is alike: erased, reported once.
 */

import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { Storage, StorageProblem, StoredValue } from "../../modules/host/storage";
import { checkStorageName, checkStorageWrite } from "../../modules/storage/storage-rules";

type FileValue = boolean | number | string | { base64: string };

function toFile(value: StoredValue): FileValue {
  return value instanceof ArrayBuffer ? { base64: Buffer.from(value).toString("base64") } : value;
}

function fromFile(value: FileValue): StoredValue {
  if (typeof value === "object") {
    const bytes = Buffer.from(value.base64, "base64");
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  }
  return value;
}

export class FileStorage implements Storage {
  readonly #dir: string;
  readonly #domains = new Map<string, Map<string, FileValue>>();
  readonly #problems = new Map<string, string>();

  constructor(stateDir: string) {
    this.#dir = join(stateDir, "storage");
    mkdirSync(this.#dir, { recursive: true });
  }

  #domain(domain: string): Map<string, FileValue> {
    let map = this.#domains.get(domain);
    if (!map) {
      map = new Map();
      const file = join(this.#dir, `${domain}.json`);
      try {
        const parsed = JSON.parse(readFileSync(file, "utf8")) as unknown;
        if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new SyntaxError("not a JSON object");
        for (const key of Object.keys(parsed)) map.set(key, (parsed as Record<string, FileValue>)[key]);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") {
          map.clear();
          try {
            renameSync(file, `${file}.damaged`);
          } catch {
            // Moved aside if it can be; the problem is reported either way.
          }
          // The file's name, not its path: the message reaches the page and /api/status.
          this.#problems.set(domain, `storage domain "${domain}" could not be read (${domain}.json: ${e instanceof Error ? e.message : String(e)}): its values are lost and defaults are in use; the file is kept as ${domain}.json.damaged`);
        }
      }
      this.#domains.set(domain, map);
    }
    return map;
  }

  #save(domain: string, map: Map<string, FileValue>): void {
    const file = join(this.#dir, `${domain}.json`);
    const tmp = `${file}.tmp`;
    const fd = openSync(tmp, "w");
    try {
      writeSync(fd, JSON.stringify(Object.fromEntries(map), null, 1));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
    this.#problems.delete(domain);
  }

  problems(): readonly StorageProblem[] {
    return Array.from(this.#problems, ([domain, message]) => ({ domain, message }));
  }

  read(domain: string, key: string): StoredValue | undefined {
    checkStorageName("domain", domain);
    checkStorageName("key", key);
    const value = this.#domain(domain).get(key);
    return value === undefined ? undefined : fromFile(value);
  }

  write(domain: string, key: string, value: StoredValue): void {
    checkStorageWrite(domain, key, value);
    const map = this.#domain(domain);
    map.set(key, toFile(value));
    this.#save(domain, map);
  }

  remove(domain: string, key: string): void {
    checkStorageName("domain", domain);
    checkStorageName("key", key);
    const map = this.#domain(domain);
    if (map.delete(key)) this.#save(domain, map);
  }

  keys(domain: string): string[] {
    checkStorageName("domain", domain);
    return Array.from(this.#domain(domain).keys());
  }
}
