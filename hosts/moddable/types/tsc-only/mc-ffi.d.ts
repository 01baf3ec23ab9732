/*
 * "mc/ffi" as mcconfig declares it for this project's esp32 build: mcconfig generates
 * mc.ffi.d.ts from the manifest's platforms.esp32.ffi.functions, and that generated file is
 * what the device build type-checks against. This copy exists only for
 * hosts/moddable/tsconfig.json (the npm @moddable/typings has no "mc/ffi"); it must NOT be
 * listed in the manifest, where it would collide with the generated one. Keep both in step:
 * a function added to the manifest's ffi section is added here with the same signature.
 */

declare module "mc/ffi" {
  export default class FFI {
    constructor();
    /** ESP-IDF esp_restart(): resets the chip; never returns. */
    esp_restart(): void;
    /** ESP-IDF esp_read_mac(mac, type): fills mac (6 bytes); returns an esp_err_t (0 = ok). */
    esp_read_mac(arg0: ArrayBuffer, arg1: number): number;
    /** ESP-IDF esp_fill_random(buf, len): fills buf from the hardware RNG. */
    esp_fill_random(arg0: ArrayBuffer, arg1: number): void;
    /** ESP-IDF heap_caps_get_largest_free_block(caps): the largest block malloc could give now. */
    heap_caps_get_largest_free_block(arg0: number): number;
  }
}
