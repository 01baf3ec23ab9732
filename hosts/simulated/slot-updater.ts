/*
 * SlotUpdater: an Updater for hosts without ESP-IDF (the simulator, tests), built from a
 * PartitionStore (two app slots holding bytes) and a BootRecord (the bootloader's rollback
 * rules). It behaves as the device does:
 *
 * - Construction is a power-on: the BootRecord chooses the slot to run, the image in it is
 *   verified (as the bootloader does), and running() reports that image's project and version
 *   from its descriptor. Slot 0 without an image is the serial-flashed factory app, described
 *   by the `factory` option.
 * - begin() marks the other slot empty and erases it; write() appends; complete() verifies the
 *   whole slot with the core's AppImageVerifier (exactly the rules the download applied) and
 *   selects it; cancel() erases what was written. The running slot is never touched.
 * - complete(checked) takes the OTA job's check of the bytes as they streamed, when it covers
 *   every byte written, instead of reading the slot back: a file holds what it was written or
 *   the write threw, so a second pass would read, hash and check the same bytes again (ESP-IDF
 *   reads its flash back because flash is what it verifies; here that was the download). At
 *   the next power-on the boot check reads the slot, as the bootloader does.
 * - markValid() ends probation. A new SlotUpdater over the same store and storage is a reboot.
 *
 * It lives in hosts/simulated/, not modules/, because the firmware never contains it: on the
 * device ESP-IDF's bootloader and the `ota` module do this (hosts/moddable/updater.ts), and
 * every file of modules/ is compiled and preloaded into the firmware.
 */

import type { Sha256Factory } from "../../modules/host/digest";
import type { Storage } from "../../modules/host/storage";
import type { AppImageInfo, CheckedImage, RunningApp, RunningAppState, Updater } from "../../modules/host/updater";
import { AppImageVerifier, type AppImageSummary } from "../../modules/ota/app-image-verifier";
import { BootRecord, type Slot, type SlotState } from "./boot-record";

/** Two app partitions of `size` bytes each. */
export interface PartitionStore {
  readonly size: number;
  /** Bytes written to slot, or -1 when slot has never been written (slot 0: the factory app). */
  length(slot: Slot): number;
  /** Reads from slot at offset into `into`; returns the count read (0 at the end). */
  read(slot: Slot, offset: number, into: Uint8Array): number;
  append(slot: Slot, bytes: Uint8Array): void;
  /** Empties slot (its length becomes 0). */
  erase(slot: Slot): void;
  /** Makes what was appended to slot durable and releases what appending held (an open file). */
  flush?(slot: Slot): void;
}

export interface SlotUpdaterOptions {
  store: PartitionStore;
  /** Where the BootRecord lives (its own domain, "otadata"). */
  storage: Storage;
  /** The factory app in slot 0 before anything was written there. */
  factory: AppImageInfo & { chipId?: number };
  /** The host's SHA-256 for verifying images; the pure-JS one by default. */
  sha256?: Sha256Factory;
}

const READ_CHUNK = 4096;

function appState(state: SlotState): RunningAppState {
  return state === "pending" ? "probation" : state === "valid" ? "valid" : "untracked";
}

export class SlotUpdater implements Updater {
  readonly #store: PartitionStore;
  readonly #boot: BootRecord;
  readonly #factory: AppImageInfo & { chipId?: number };
  readonly #sha256: Sha256Factory | undefined;
  /** What each slot's image is, once verified (or checked as it was written). */
  readonly #images: [CheckedImage | undefined, CheckedImage | undefined] = [undefined, undefined];
  #session: { slot: Slot; written: number } | undefined;
  #rolledBack: AppImageInfo | undefined;

  constructor(options: SlotUpdaterOptions) {
    this.#store = options.store;
    this.#factory = options.factory;
    this.#sha256 = options.sha256;
    this.#boot = new BootRecord(options.storage);
    const choice = this.#boot.boot((slot) => this.#isFactory(slot) || this.#verify(slot) !== undefined);
    if (choice.rolledBack !== undefined) {
      const image = this.#verify(choice.rolledBack);
      this.#rolledBack = image ? { project: image.project, version: image.version } : { project: "?", version: "?" };
    }
  }

  get partitionSize(): number {
    return this.#store.size;
  }

  running(): RunningApp {
    const slot = this.#boot.running;
    const state = appState(this.#boot.state(slot));
    const image = this.#isFactory(slot) ? this.#factory : (this.#images[slot] as CheckedImage);
    return Object.freeze({
      project: image.project,
      version: image.version,
      state,
      chipId: image.chipId,
      rolledBack: this.#rolledBack,
    });
  }

  begin(): void {
    if (this.#session) throw new Error("an update is already being written");
    const slot = this.#boot.next;
    this.#boot.erase(slot);
    this.#images[slot] = undefined;
    this.#store.erase(slot);
    this.#session = { slot, written: 0 };
    // The rolled-back image is being overwritten: nothing is left to report.
    this.#rolledBack = undefined;
  }

  write(bytes: Uint8Array): void {
    const session = this.#session;
    if (!session) throw new Error("no update is being written");
    if (session.written + bytes.length > this.#store.size) throw new Error("the image is larger than the partition");
    this.#store.append(session.slot, bytes);
    session.written += bytes.length;
  }

  complete(checked?: CheckedImage): void {
    const session = this.#session;
    if (!session) throw new Error("no update is being written");
    this.#session = undefined;
    this.#store.flush?.(session.slot);
    if (checked && checked.length === session.written && checked.length > 0) {
      this.#images[session.slot] = { project: checked.project, version: checked.version, length: checked.length, chipId: checked.chipId };
      this.#boot.select(session.slot);
      return;
    }
    const image = this.#verify(session.slot, true);
    if (!image) throw new Error("image verification failed");
    this.#boot.select(session.slot);
  }

  cancel(): void {
    const session = this.#session;
    if (!session) return;
    this.#session = undefined;
    this.#store.erase(session.slot);
  }

  markValid(): void {
    this.#boot.markValid();
  }

  #isFactory(slot: Slot): boolean {
    return slot === 0 && this.#store.length(0) < 0;
  }

  /** Verifies the image in slot (cached); with rethrow, a bad image throws its ImageError. */
  #verify(slot: Slot, rethrow = false): CheckedImage | undefined {
    if (this.#images[slot]) return this.#images[slot];
    const verifier = new AppImageVerifier({ maxBytes: this.#store.size, sha256: this.#sha256 });
    const chunk = new Uint8Array(READ_CHUNK);
    const length = this.#store.length(slot);
    try {
      for (let offset = 0; offset < length; ) {
        const n = this.#store.read(slot, offset, chunk);
        if (n <= 0) break;
        verifier.update(chunk, 0, n);
        offset += n;
      }
      return (this.#images[slot] = verifier.finish());
    } catch (e) {
      if (rethrow) throw e;
      return undefined;
    }
  }
}
