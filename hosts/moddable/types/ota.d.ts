/*
 * The ESP32-only `ota` module (build/devices/esp32/modules/ota: ota.js and ota.c, SDK 8.2.3),
 * which @moddable/typings does not declare. Ambient: the manifest lists this file under
 * typescript.compilerOptions.types, and hosts/moddable/tsconfig.json includes it.
 *
 * new OTA() begins writing the next OTA app partition (esp_ota_begin with sequential writes);
 * it throws when there is none ("no update parition") or it cannot begin. write() appends bytes
 * (an ArrayBuffer or a view). complete() ends the image, which ESP-IDF verifies, then makes
 * that partition the boot partition; it throws "end failed" when the image is not valid and
 * "bad state" after cancel() or a previous complete(). cancel() abandons the image and is
 * harmless when there is none. The module does not exist on mac or lin.
 */

declare module "ota" {
  export default class OTA {
    constructor();
    write(data: ArrayBuffer | ArrayBufferView): void;
    complete(): void;
    cancel(): void;
  }
}
