/*
 * The device's Updater (ESP32): Moddable's `ota` module writes the next app partition
 * (new OTA() = esp_ota_begin, write, complete = esp_ota_end, which verifies the image, then
 * esp_ota_set_boot_partition; cancel), and the FFI functions of native/ota-rollback.c do what
 * that module does not: mark the running app valid (ending ESP-IDF's rollback probation), tell
 * whether it is on probation, read the running and the rolled-back app's descriptors, the next
 * partition's size and the chip id.
 *
 * Rollback only happens with a bootloader built with CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE
 * (sdkconfig/sdkconfig.defaults; docs/ota.md, "A bootloader with rollback"). Without it every app reports "untracked" and
 * markValid() is harmless.
 *
 * This module imports neither `ota` nor "mc/ffi", which exist only in the esp32 build: the esp32
 * platform module (hosts/moddable/platform/esp32.ts) hands both in, so this file links on every
 * platform and the Moddable simulator simply has no updater:
 *
 *   import OTA from "ota";
 *   import FFI from "mc/ffi";
 *   new ModdableUpdater(OTA, () => new FFI() as unknown as OtaNatives)
 */

import type { AppImageInfo, RunningApp, RunningAppState, Updater } from "../../modules/host/updater";
import { readDescriptor } from "../../modules/ota/app-image-verifier";
import type { OtaNatives } from "./types/ota-rollback";

/** Moddable's `ota` module's default export (types/ota.d.ts declares the module itself). */
export interface OtaClass {
  new (): { write(data: ArrayBuffer | ArrayBufferView): void; complete(): void; cancel(): void };
}

/** esp_ota_img_states_t values. */
const PENDING_VERIFY = 1;
const VALID = 2;
const DESCRIPTOR_BYTES = 256;
const UNKNOWN: AppImageInfo = Object.freeze({ project: "?", version: "?" });

export class ModdableUpdater implements Updater {
  readonly #OTA: OtaClass;
  readonly #makeNatives: () => OtaNatives;
  #natives: OtaNatives | undefined;
  #ota: InstanceType<OtaClass> | undefined;
  /** Bytes written in this session, to refuse an image too large in the core's words. */
  #written = 0;
  /** What changes only when an update completes (then it is read again): read on first use. */
  #image: (AppImageInfo & { chipId: number; rolledBack?: AppImageInfo }) | undefined;

  /** @param makeNatives creates the FFI object on first use (never while preloading). */
  constructor(OTA: OtaClass, makeNatives: () => OtaNatives) {
    this.#OTA = OTA;
    this.#makeNatives = makeNatives;
  }

  #ffi(): OtaNatives {
    this.#natives ??= this.#makeNatives();
    return this.#natives;
  }

  get partitionSize(): number {
    return this.#ffi().ota_next_partition_size();
  }

  running(): RunningApp {
    const natives = this.#ffi();
    if (!this.#image) {
      const buffer = new ArrayBuffer(DESCRIPTOR_BYTES);
      const bytes = new Uint8Array(buffer);
      const image = natives.ota_running_description(buffer) === 0 ? readDescriptor(bytes) : undefined;
      bytes.fill(0);
      const rejected = natives.ota_rejected_description(buffer) === 0 ? readDescriptor(bytes) : undefined;
      this.#image = { ...(image ?? UNKNOWN), chipId: natives.ota_chip_id(), rolledBack: rejected };
    }
    const code = natives.ota_running_state();
    const state: RunningAppState = code === PENDING_VERIFY ? "probation" : code === VALID ? "valid" : "untracked";
    const { project, version, chipId, rolledBack } = this.#image;
    return { project, version, state, chipId, rolledBack };
  }

  begin(): void {
    if (this.#ota) throw new Error("an update is already being written");
    this.#ota = new this.#OTA();
    this.#written = 0;
  }

  write(bytes: Uint8Array): void {
    if (!this.#ota) throw new Error("no update is being written");
    // ESP-IDF would only say "write failed": say what every host says.
    if (this.#written + bytes.length > this.partitionSize) throw new Error("the image is larger than the partition");
    this.#ota.write(bytes);
    this.#written += bytes.length;
  }

  // The OTA job's streamed check is not taken here: esp_ota_end reads the flash back and checks
  // the image there, the one check of what the flash actually holds, and the SDK offers no other.
  complete(): void {
    const ota = this.#ota;
    if (!ota) throw new Error("no update is being written");
    this.#ota = undefined;
    try {
      ota.complete();
      // The new otadata entry replaces the rolled-back app's: it is no longer reported.
      this.#image = undefined;
    } catch (e) {
      // complete() failing in esp_ota_end has already released the session; cancel() is
      // harmless then and frees it if set_boot_partition was what failed.
      ota.cancel();
      throw e;
    }
  }

  cancel(): void {
    const ota = this.#ota;
    this.#ota = undefined;
    ota?.cancel();
  }

  markValid(): void {
    const err = this.#ffi().ota_mark_valid();
    if (err !== 0) throw new Error(`esp_ota_mark_app_valid_cancel_rollback failed (${err})`);
  }
}
