/*
 * The FFI functions of hosts/moddable/native/ota-rollback.c, as "mc/ffi" exposes them on esp32
 * (declared in hosts/moddable/manifest_ota.json). A module-form file: the esp32 platform module
 * casts its FFI instance to this for updater.ts, so these names need not be in the shared
 * mc-ffi.d.ts copy (which lists the app manifest's own ffi functions).
 */

export interface OtaNatives {
  /** esp_ota_mark_app_valid_cancel_rollback(); an esp_err_t, 0 = ok. */
  ota_mark_valid(): number;
  /** esp_ota_img_states_t of the running partition; -1 when not tracked. */
  ota_running_state(): number;
  /** Fills desc (256 bytes) with the running app's esp_app_desc_t; an esp_err_t. */
  ota_running_description(desc: ArrayBuffer): number;
  /** Fills desc (256 bytes) with the rolled-back app's esp_app_desc_t; an esp_err_t. */
  ota_rejected_description(desc: ArrayBuffer): number;
  /** Bytes of the next update partition, 0 when none. */
  ota_next_partition_size(): number;
  /** CONFIG_IDF_FIRMWARE_CHIP_ID. */
  ota_chip_id(): number;
}
