/*
 * AtomicRecord: one text value in Storage that a power cut can never lose.
 *
 * Storage.write() erases before it writes (Preference.set does, on the device), so a record is
 * kept in two slots, "<name>.0" and "<name>.1", each holding "<seq>:<crc32>:<payload>". A save
 * writes the slot that does NOT hold the newest valid copy, with the next sequence number; a
 * load takes the valid slot with the highest sequence number. A cut at any moment leaves the
 * old copy untouched in the other slot, so a load after it returns the old value or the new
 * one, never neither, never a mix. A save of the same payload writes nothing (flash wears out).
 * A payload too large for one slot is refused with RecordTooLargeError before anything is
 * written. `condition` says what the load found: nothing saved, both copies sound, one copy
 * damaged and the other in use (a save cut short, or worn flash), or nothing readable left.
 *
 * The payload is not held in memory for the device's whole run (the settings record is the
 * config's whole JSON text): the one read at load is handed to the first `value` reader and
 * dropped; later reads read the slot again. The record keeps the payload's CRC-32 and length to
 * tell a save of the same payload, confirmed against the stored slot before nothing is written.
 */

export type RecordCondition = "empty" | "ok" | "one-copy-damaged" | "damaged";

import type { Storage } from "../host/storage";
import { crc32 } from "../text/crc32";
import { utf8Encode } from "../text/utf8";
import { STORAGE_LIMITS, checkStorageName } from "./storage-rules";

export class RecordTooLargeError extends Error {
  constructor(name: string, bytes: number, limit: number) {
    super(`${name} is ${bytes} bytes; it must fit in ${limit} bytes`);
  }
}
// On the prototype, as built-in errors have it: `this.name = ...` throws where preloading froze Error.prototype.
Object.defineProperty(RecordTooLargeError.prototype, "name", { value: "RecordTooLargeError", writable: true, configurable: true });

interface Slot {
  seq: number;
  payload: string;
}

const SEQ_LIMIT = 0x7fffffff;

function slotKey(name: string, index: number): string {
  return `${name}.${index}`;
}

function checksum(seq: number, payload: string): string {
  return crc32(utf8Encode(`${seq}:${payload}`)).toString(16).padStart(8, "0");
}

function parseSlot(value: unknown): Slot | undefined {
  if (typeof value !== "string") return undefined;
  const a = value.indexOf(":");
  const b = value.indexOf(":", a + 1);
  if (a <= 0 || b !== a + 9) return undefined;
  const seqText = value.slice(0, a);
  if (!/^[0-9]{1,10}$/.test(seqText)) return undefined;
  const seq = Number(seqText);
  const payload = value.slice(b + 1);
  if (checksum(seq, payload) !== value.slice(a + 1, b)) return undefined;
  return { seq, payload };
}

export class AtomicRecord {
  readonly #storage: Storage;
  readonly #domain: string;
  readonly #name: string;
  /** Slot index holding the newest valid copy, or -1 when neither slot is valid. */
  #newest = -1;
  #seq = 0;
  /** The payload read at load, until `value` hands it out. */
  #loaded: string | undefined;
  /** CRC-32 and UTF-8 length of the newest payload (valid while #newest >= 0). */
  #crc = 0;
  #bytes = 0;
  #condition: RecordCondition = "empty";

  /** Largest payload in UTF-8 bytes a slot can hold. */
  static readonly maxPayloadBytes = STORAGE_LIMITS.maxStringBytes - 20;

  constructor(storage: Storage, domain: string, name: string) {
    checkStorageName("domain", domain);
    checkStorageName("key", slotKey(name, 0));
    this.#storage = storage;
    this.#domain = domain;
    this.#name = name;
    this.#read();
  }

  #read(): void {
    const raw = [0, 1].map((i) => this.#storage.read(this.#domain, slotKey(this.#name, i)));
    const slots = raw.map(parseSlot);
    const present = raw.filter((v) => v !== undefined).length;
    const sound = slots.filter((v) => v !== undefined).length;
    this.#condition = present === 0 ? "empty" : sound === present ? "ok" : sound > 0 ? "one-copy-damaged" : "damaged";
    this.#newest = -1;
    this.#seq = 0;
    this.#loaded = undefined;
    slots.forEach((slot, i) => {
      if (slot && (this.#newest < 0 || slot.seq > this.#seq)) {
        this.#newest = i;
        this.#seq = slot.seq;
        this.#loaded = slot.payload;
      }
    });
    if (this.#loaded !== undefined) this.remember(utf8Encode(this.#loaded));
  }

  private remember(bytes: Uint8Array): void {
    this.#crc = crc32(bytes);
    this.#bytes = bytes.length;
  }

  /** The newest payload as the store holds it now. */
  private stored(): string | undefined {
    if (this.#newest < 0) return undefined;
    return parseSlot(this.#storage.read(this.#domain, slotKey(this.#name, this.#newest)))?.payload;
  }

  get condition(): RecordCondition {
    return this.#condition;
  }

  /** The newest whole payload, or undefined when none was ever saved (or both slots are torn). */
  get value(): string | undefined {
    const loaded = this.#loaded;
    if (loaded === undefined) return this.stored();
    this.#loaded = undefined;
    return loaded;
  }

  /** Saves payload; returns false when it equals what is stored and nothing was written. */
  save(payload: string): boolean {
    const encoded = utf8Encode(payload);
    const bytes = encoded.length;
    const crc = crc32(encoded);
    if (this.#newest >= 0 && bytes === this.#bytes && crc === this.#crc && (this.#loaded ?? this.stored()) === payload) return false;
    if (bytes > AtomicRecord.maxPayloadBytes)
      throw new RecordTooLargeError(this.#name, bytes, AtomicRecord.maxPayloadBytes);
    const seq = this.#seq >= SEQ_LIMIT ? 1 : this.#seq + 1;
    const target = this.#newest === 0 ? 1 : 0;
    if (this.#newest < 0) {
      // No sound copy was read: a slot this boot could not read may hold a higher sequence
      // number, which would win over this save at the next boot (and bring back an older value).
      // Removed first: a cut before the write leaves the other slot as it was. Best effort: a
      // store that cannot erase now is no worse off than before, and the save itself goes on.
      try {
        this.#storage.remove(this.#domain, slotKey(this.#name, 1 - target));
      } catch {
        // The write below says whether the store works at all.
      }
    }
    this.#storage.write(this.#domain, slotKey(this.#name, target), `${seq}:${checksum(seq, payload)}:${payload}`);
    if (seq === 1 && this.#seq >= SEQ_LIMIT) {
      // Sequence wrapped: retire the old slot so the fresh 1 is the newest on the next load.
      this.#storage.remove(this.#domain, slotKey(this.#name, 1 - target));
    }
    this.#newest = target;
    this.#seq = seq;
    this.#loaded = undefined;
    this.#crc = crc;
    this.#bytes = bytes;
    if (this.#condition !== "one-copy-damaged") this.#condition = "ok";
    return true;
  }

  /**
   * Removes both slots (factory reset). The older slot goes first: a cut between the two
   * removals leaves the newest copy, the value as it was, never an older one.
   */
  clear(): void {
    const older = this.#newest === 0 ? 1 : 0;
    this.#storage.remove(this.#domain, slotKey(this.#name, older));
    this.#storage.remove(this.#domain, slotKey(this.#name, 1 - older));
    this.#newest = -1;
    this.#seq = 0;
    this.#loaded = undefined;
    this.#condition = "empty";
  }
}
