/*
 * The simulator's Updater: two app partitions as files in the state folder (ota/ota_0.bin,
 * ota/ota_1.bin) and the boot choice ("otadata") as a power-cut-safe AtomicRecord in the host's
 * storage, driven by the core's SlotUpdater, so the simulator verifies images with exactly the
 * core's rules and rolls back by exactly ESP-IDF's.
 *
 * Creating one is a power-on: it "boots" whatever otadata says (a first boot after an update
 * goes on probation; a restart while on probation rolls back) and reports the booted image's
 * project and version from its descriptor. Until an update lands in slot 0, slot 0 is the
 * factory app (the app the simulator runs), whose version is the app's own.
 */

import { closeSync, mkdirSync, openSync, readSync, statSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { Sha256Factory } from "../../modules/host/digest";
import type { Storage } from "../../modules/host/storage";
import type { AppImageInfo } from "../../modules/host/updater";
import type { Slot } from "../../hosts/simulated/boot-record";
import { SlotUpdater, type PartitionStore } from "../../hosts/simulated/slot-updater";

/** The size of each app partition when mcconfig splits a 4 MB ESP32's factory partition in two. */
export const DEFAULT_PARTITION_BYTES = 0x1f0000;

/** The project name ESP-IDF gives every Moddable app (its build's CMake project is xs_esp32). */
export const MODDABLE_PROJECT_NAME = "xs_esp32";

export class FilePartitions implements PartitionStore {
  readonly size: number;
  readonly #files: [string, string];
  /** The file being appended to, open from its first append until it is flushed, read or erased. */
  #appending: { slot: Slot; fd: number } | undefined;

  constructor(dir: string, size: number) {
    mkdirSync(dir, { recursive: true });
    this.size = size;
    this.#files = [join(dir, "ota_0.bin"), join(dir, "ota_1.bin")];
  }

  length(slot: Slot): number {
    this.flush(slot);
    try {
      return statSync(this.#files[slot]).size;
    } catch {
      return -1;
    }
  }

  read(slot: Slot, offset: number, into: Uint8Array): number {
    this.flush(slot);
    const fd = openSync(this.#files[slot], "r");
    try {
      return readSync(fd, into, 0, into.length, offset);
    } finally {
      closeSync(fd);
    }
  }

  /** One open file for a whole image, not an open, a write and a close per fragment. */
  append(slot: Slot, bytes: Uint8Array): void {
    let appending = this.#appending;
    if (appending?.slot !== slot) {
      this.flush(appending?.slot ?? slot);
      appending = this.#appending = { slot, fd: openSync(this.#files[slot], "a") };
    }
    let done = 0;
    while (done < bytes.length) done += writeSync(appending.fd, bytes, done, bytes.length - done);
  }

  erase(slot: Slot): void {
    this.flush(slot);
    writeFileSync(this.#files[slot], new Uint8Array(0));
  }

  flush(slot: Slot): void {
    const appending = this.#appending;
    if (appending?.slot !== slot) return;
    this.#appending = undefined;
    closeSync(appending.fd);
  }
}

export interface NodeUpdaterOptions {
  stateDir: string;
  /** Where otadata lives: the host's storage (an AtomicRecord in domain "otadata"). */
  storage: Storage;
  partitionBytes?: number;
  /** The factory app; its version "" lets the app's own version stand. */
  factory?: AppImageInfo & { chipId?: number };
  /** The host's SHA-256 (node:crypto), for verifying images fast. */
  sha256?: Sha256Factory;
}

export function createNodeUpdater(options: NodeUpdaterOptions): SlotUpdater {
  return new SlotUpdater({
    store: new FilePartitions(join(options.stateDir, "ota"), options.partitionBytes ?? DEFAULT_PARTITION_BYTES),
    storage: options.storage,
    factory: options.factory ?? { project: MODDABLE_PROJECT_NAME, version: "", chipId: 0 },
    sha256: options.sha256,
  });
}

