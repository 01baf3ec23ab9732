/*
 * ota-rollback.c: the ESP-IDF calls behind the device's Updater (hosts/moddable/updater.ts)
 * that Moddable's `ota` module does not make, as plain C functions for XS FFI (the manifest's
 * ffi section declares them; mcconfig generates the glue, module "mc/ffi"). FFI cannot pass
 * ESP-IDF's partition pointers to JavaScript, so each function looks its partition up itself.
 *
 * Written for this project against ESP-IDF's esp_ota_ops.h; no SDK code.
 */

#include <stdint.h>
#include "sdkconfig.h"
#include "app_update/include/esp_ota_ops.h"

/* esp_ota_mark_app_valid_cancel_rollback(): the running app stays after a restart.
   Returns an esp_err_t (0 = ESP_OK). */
int32_t ota_mark_valid(void)
{
	return (int32_t)esp_ota_mark_app_valid_cancel_rollback();
}

/* The running partition's esp_ota_img_states_t: 0 new, 1 pending verify (on probation),
   2 valid, 3 invalid, 4 aborted; -1 when otadata does not track it (flashed over serial). */
int32_t ota_running_state(void)
{
	esp_ota_img_states_t state;
	const esp_partition_t *running = esp_ota_get_running_partition();
	if (!running || (ESP_OK != esp_ota_get_state_partition(running, &state)))
		return -1;
	if (ESP_OTA_IMG_UNDEFINED == state)
		return -1;
	return (int32_t)state;
}

/* Copies the running app's esp_app_desc_t (256 bytes) into desc. Returns an esp_err_t. */
int32_t ota_running_description(uint8_t *desc)
{
	const esp_partition_t *running = esp_ota_get_running_partition();
	if (!running)
		return (int32_t)ESP_ERR_NOT_FOUND;
	return (int32_t)esp_ota_get_partition_description(running, (esp_app_desc_t *)desc);
}

/* Copies the esp_app_desc_t of the app that was rolled back (the last invalid or aborted
   partition) into desc. Returns an esp_err_t: ESP_ERR_NOT_FOUND when there is none. */
int32_t ota_rejected_description(uint8_t *desc)
{
	const esp_partition_t *rejected = esp_ota_get_last_invalid_partition();
	if (!rejected)
		return (int32_t)ESP_ERR_NOT_FOUND;
	return (int32_t)esp_ota_get_partition_description(rejected, (esp_app_desc_t *)desc);
}

/* Bytes of the partition the next update is written to; 0 when there is none. */
uint32_t ota_next_partition_size(void)
{
	const esp_partition_t *next = esp_ota_get_next_update_partition(NULL);
	return next ? (uint32_t)next->size : 0;
}

/* The chip id this firmware is built for (esp_image_header_t.chip_id of its images). */
int32_t ota_chip_id(void)
{
	return (int32_t)CONFIG_IDF_FIRMWARE_CHIP_ID;
}
