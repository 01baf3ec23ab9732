/*
 * Stand-in of the ESP32-only SDK module "ota" (build/devices/esp32/modules/ota/ota.js and
 * ota.c, SDK 8.2.3), over the stand-in flash of esp-chip.ts (which keeps ESP-IDF's rules).
 *
 * Kept from ota.c: new OTA() begins writing the next update partition ("no update parition"
 * [sic] when there is none, "begin failed" when ESP-IDF refuses, e.g. while the running app is
 * still on probation); write(buffer) appends an ArrayBuffer or a view ("write failed": a first
 * byte that is not 0xE9, past the partition's end, after complete or cancel); complete() ends
 * the image, which is verified, then selects it for the next boot ("bad state" after cancel or
 * a previous complete, "end failed" when the image is not valid, and the handle then stays set,
 * as in ota.c, so a later cancel() calls esp_ota_end on a freed handle, harmlessly); cancel()
 * abandons the image and is harmless when there is none.
 */

import { ESP_OK, flash } from "./esp-chip";
import { machine } from "./machine";

type Session = NonNullable<ReturnType<typeof flash.begin>["session"]>;

export default class OTA {
  #session: Session | undefined;
  #handle = false;

  constructor() {
    machine.native("new OTA");
    const { session, err } = flash.begin();
    if (!session || err !== ESP_OK) throw new Error("begin failed");
    this.#session = session;
    this.#handle = true;
  }

  write(data: ArrayBuffer | ArrayBufferView): void {
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (!this.#session || flash.write(this.#session, bytes) !== ESP_OK) throw new Error("write failed");
  }

  cancel(): void {
    if (!this.#handle || !this.#session) return;
    flash.end(this.#session);
    this.#handle = false;
  }

  complete(): void {
    if (!this.#handle || !this.#session) throw new Error("bad state");
    if (flash.end(this.#session) !== ESP_OK) throw new Error("end failed");
    this.#handle = false;
    if (flash.setBoot(this.#session.partition) !== ESP_OK) throw new Error("can't change boot partition");
  }
}
