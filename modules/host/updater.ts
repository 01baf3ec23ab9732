/*
 * Updater: the device's app partitions, as the OTA feature sees them (Moddable's `ota` module
 * plus ESP-IDF's rollback calls on the device, partition files in the simulator).
 *
 * One image is written at a time, into the partition the running app is NOT in:
 * begin() opens it, write() appends bytes in order, complete() ends the image, verifies it and
 * makes it the one the next boot starts, cancel() abandons it. Until complete() succeeds, the
 * running app and the boot choice are untouched, whatever happens (a throw, a power cut).
 *
 * Rollback (ESP-IDF's app rollback): after an update the new app boots "on probation". Until
 * markValid() is called, a restart boots the previous app again and the rejected update is
 * reported in running().rolledBack. A host without rollback reports "untracked".
 */

/** What an app image's descriptor (esp_app_desc_t) says about it. */
export interface AppImageInfo {
  readonly project: string;
  readonly version: string;
}

export type RunningAppState =
  /** First boot after an update, not marked valid yet: a restart rolls back. */
  | "probation"
  /** Marked valid (or booted after a rollback into a valid app). */
  | "valid"
  /** Rollback is not tracked for this app (flashed over serial, or no rollback in the bootloader). */
  | "untracked";

export interface RunningApp extends AppImageInfo {
  readonly state: RunningAppState;
  /** ESP chip id of the images this device runs (image header bytes 12-13), when known. */
  readonly chipId?: number;
  /** The update that was rolled back (it restarted while on probation), while the device still has it. */
  readonly rolledBack?: AppImageInfo;
}

/** An image the caller checked as it wrote it (ota/app-image-verifier.ts's summary). */
export interface CheckedImage extends AppImageInfo {
  /** Bytes checked: every byte written. */
  readonly length: number;
  readonly chipId: number;
}

export interface Updater {
  /** Bytes the partition that begin() writes can hold. */
  readonly partitionSize: number;
  /** The app that is running now. */
  running(): RunningApp;
  /** Opens the next app partition for writing; throws when it cannot (one session at a time). */
  begin(): void;
  /** Appends bytes to the image; throws when the write fails. The bytes may be reused afterwards. */
  write(bytes: Uint8Array): void;
  /**
   * Ends the image, verifies it and selects it for the next boot; throws when it is not valid.
   * `checked`: the caller's own check of exactly the bytes it wrote, made as they streamed (the
   * OTA job's). A host whose partition holds what it was written may take it instead of reading
   * the image back (the simulator's files do); the device's ESP-IDF reads its flash back anyway.
   */
  complete(checked?: CheckedImage): void;
  /** Abandons the image being written. Harmless when none is. */
  cancel(): void;
  /** Ends the running app's probation: it stays after a restart. */
  markValid(): void;
}

