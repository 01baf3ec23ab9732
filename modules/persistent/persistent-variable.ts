/*
 * PersistentVariable: a typed value that survives reboots and power cuts, in one line:
 *
 *   const threshold = new PersistentFloat("threshold", { folder: "sensor", default: 21.5 });
 *   threshold.value = "22.25";   // coerced to 22.25 and saved
 *   threshold.value;             // 22.25, also after a reboot
 *
 * - name and folder follow the device's rules (persistent-record-name.ts), checked at
 *   construction on every host; the folder is the storage domain ("vars" when none is given).
 * - value reads the saved value, or the default until one is saved. A read is served from
 *   memory: make one instance per variable (two would not see each other's writes).
 * - Writing coerces the value to the type (the table is in docs/persistent-variables.md, "Coercion table"). A value
 *   that cannot be coerced throws PersistentValueError naming the variable, the value and the
 *   type, before anything is written: the stored value stays as it was.
 * - A write is one AtomicRecord save: after a power cut the variable reads its old or its new
 *   value, never neither. A write that does not change what the variable reads (saved or
 *   default) writes nothing, so flash is not worn by repeating a value.
 * - reset() returns the variable to its default with one atomic save of a "no value" marker
 *   (removing the two slots one after the other would not be atomic). A variable never saved
 *   follows its default, also when a new firmware changes it.
 * - Storage comes from options.storage, else from the bound host (boundHost().storage), taken
 *   on first use, so a variable can be declared at the top of any module.
 * - A stored value that no longer fits the type (the app changed a variable's type or limits)
 *   is coerced on the way in (e.g. a string "42" becomes the integer 42); if it cannot be, the
 *   default is read and the next write replaces it.
 */

import { boundHost } from "../host/host";
import type { Storage } from "../host/storage";
import { AtomicRecord } from "../storage/atomic-record";
import { utf8Length } from "../text/utf8";
import type { PersistentCodec, PersistentInput, PersistentType } from "./persistent-codec";
import { rememberFolder } from "../storage/storage-folders";
import { PERSISTENT_LIMITS } from "./persistent-limits";
import { checkPersistentName, isPersistentName, persistentRecordName, persistentRecordOwner } from "./persistent-record-name";
import { PersistentValueError } from "./persistent-value-error";

export const DEFAULT_FOLDER = "vars";

export interface PersistentOptions<I> {
  /** Storage domain (Preference domain on the device), 1..15 characters; default "vars". */
  folder?: string;
  /** Read until a value is saved; coerced like any value (a bad default throws here). */
  default?: I;
  /** Where to keep the value; default: the bound host's storage. */
  storage?: Storage;
  /** Shown on the settings page; default: the name. */
  label?: string;
}

/**
 * Told when a variable's value changes (write or reset that changed it): an object with a method,
 * not a function, so watching costs the variable one field and the watcher nothing per variable.
 */
export interface VariableWatcher {
  variableChanged(variable: object): void;
}

/** Separates a long name's owner tag from the value in the stored text (names have no "="). */
const OWNER_END = "=";

const OPENED = 1;
const SAVED = 2;
const LISTED = 4;

export class PersistentVariable<T, I = T> {
  readonly name: string;
  readonly folder: string;
  readonly label: string;
  readonly default: T;
  readonly #codec: PersistentCodec<T>;
  /** options.storage; from the first use on, the storage in use (the bound host's when none was given). */
  #storage: Storage | undefined;
  #value: T;
  /**
   * OPENED | SAVED | LISTED in one field (one slot, not three, per variable): read from storage, a
   * value is saved, the folder is in the list a factory reset erases (checked once a boot: first
   * write, or a saved value read). The AtomicRecord is not held: made for the read at first use
   * and for each write (rare), so idle a variable holds its value and nothing of its record.
   */
  #state = 0;
  /** The one watcher (watch()), e.g. Alexa keeping a data entry in step without polling. */
  #watcher: VariableWatcher | undefined;

  protected constructor(name: string, options: PersistentOptions<I>, codec: PersistentCodec<T>) {
    checkPersistentName("name", name);
    const folder = options.folder ?? DEFAULT_FOLDER;
    checkPersistentName("folder", folder);
    this.name = name;
    this.folder = folder;
    this.label = options.label ?? name;
    this.#codec = codec;
    this.#storage = options.storage;
    this.default = options.default === undefined ? codec.fallback : this.coerce(options.default);
    this.#value = this.default;
  }

  /**
   * "folder/name": unique per device, used by the settings page and the API. Made when asked
   * (a string built at run time is heap for as long as it is held; it is asked per request).
   */
  get id(): string {
    return `${this.folder}/${this.name}`;
  }

  get type(): PersistentType {
    return this.#codec.type;
  }

  /** The codec: a subclass reads its limits there (a getter, so a limit is held once per variable, not twice). */
  protected get codec(): PersistentCodec<T> {
    return this.#codec;
  }

  /** How the settings page edits it. */
  get input(): PersistentInput {
    return this.#codec.input;
  }

  /** The value in the type's canonical form, without storing it; throws PersistentValueError. */
  coerce(input: unknown): T {
    let value: T;
    try {
      value = this.#codec.coerce(input);
    } catch (e) {
      throw new PersistentValueError(this.id, input, this.type, e instanceof Error ? e.message : String(e));
    }
    return value;
  }

  get value(): T {
    this.open();
    return this.#value;
  }

  set value(input: I) {
    this.write(input);
  }

  /** True when a value is saved (false: the default is read). */
  get saved(): boolean {
    this.open();
    return (this.#state & SAVED) !== 0;
  }

  /**
   * Coerces and saves input (what `value = input` does, for callers holding an untyped value).
   * Returns false when the variable already read that value and nothing was written.
   */
  write(input: unknown): boolean {
    const value = this.coerce(input);
    const encoded = this.#codec.encode(value);
    this.open();
    // Compared as stored text: a write that changes nothing the variable reads writes nothing.
    if (encoded === this.#codec.encode(this.#value)) return false;
    const bytes = utf8Length(encoded);
    if (bytes > PERSISTENT_LIMITS.maxValueBytes)
      throw new PersistentValueError(this.id, input, this.type, `${bytes} bytes stored; at most ${PERSISTENT_LIMITS.maxValueBytes}`);
    this.listFolder(this.#storage as Storage);
    this.record(this.#storage as Storage).save(persistentRecordOwner(this.name) + OWNER_END + encoded);
    // Only once the save has returned: a failed write leaves memory as the storage is.
    this.#value = value;
    this.#state |= SAVED;
    this.changed();
    return true;
  }

  /** Returns to the default. Returns false when no value was saved and nothing was written. */
  reset(): boolean {
    this.open();
    if ((this.#state & SAVED) === 0) return false;
    this.record(this.#storage as Storage).save(persistentRecordOwner(this.name));
    this.#value = this.default;
    this.#state &= ~SAVED;
    this.changed();
    return true;
  }

  /**
   * Has watcher told of every change from now on; false (nothing changed) when another watcher
   * holds the variable: one at a time, the caller then polls as it would an app's own value.
   */
  watch(watcher: VariableWatcher): boolean {
    if (this.#watcher !== undefined && this.#watcher !== watcher) return false;
    this.#watcher = watcher;
    return true;
  }

  /** Stops telling watcher (nothing when it is not the one watching). */
  unwatch(watcher: VariableWatcher): void {
    if (this.#watcher === watcher) this.#watcher = undefined;
  }

  private changed(): void {
    try {
      this.#watcher?.variableChanged(this);
    } catch {
      // The value is saved; a watcher's failure is its own and does not undo or fail the write.
    }
  }

  private record(storage: Storage): AtomicRecord {
    return new AtomicRecord(storage, this.folder, persistentRecordName(this.name));
  }

  /** Reads the saved value at first use (the storage is taken then too). */
  private open(): void {
    if ((this.#state & OPENED) !== 0) return;
    const storage = (this.#storage ??= boundHost().storage);
    const payload = this.record(storage).value;
    if (payload !== undefined) {
      const end = payload.indexOf(OWNER_END);
      const owner = end < 0 ? payload : payload.slice(0, end);
      const own = persistentRecordOwner(this.name);
      if (owner !== own) {
        if (own !== "" && isPersistentName(owner))
          throw new Error(`${this.id}: its storage key in folder "${this.folder}" already holds the variable "${owner}"; rename one of them`);
        // Anything else is not ours to read: the default stands until a write replaces it.
      } else if (end >= 0) {
        this.loadText(payload.slice(end + 1));
      }
    }
    this.#state |= OPENED;
    // A saved value whose folder is not listed (the list was lost with a damaged settings domain)
    // is listed again now, so a factory reset still reaches it.
    if ((this.#state & SAVED) !== 0) this.listFolder(storage);
  }

  private listFolder(storage: Storage): void {
    if ((this.#state & LISTED) !== 0) return;
    rememberFolder(storage, this.folder);
    this.#state |= LISTED;
  }

  private loadText(text: string): void {
    let value: T;
    try {
      value = this.#codec.coerce(this.#codec.decode(text));
    } catch {
      return; // Saved under another type or other limits and not coercible: the default stands.
    }
    this.#value = value;
    this.#state |= SAVED;
  }
}
