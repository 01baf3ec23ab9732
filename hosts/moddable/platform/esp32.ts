/*
 * The esp32 binding of the module "hosts/moddable/platform": what only the chip has, through
 * ESP-IDF functions declared in the manifests' platforms.esp32.ffi (mcconfig generates their glue
 * as the module "mc/ffi") and the esp32-only `ota` module.
 *
 * - restart(): esp_restart(), a software reset; it does not return.
 * - stationMac(): the station MAC from eFuse (esp_read_mac, ESP_MAC_WIFI_STA), readable before
 *   Wi-Fi starts. Net.get("MAC") is not: it answers undefined until the radio is on, and the
 *   manager needs the MAC for its default hostname when it is constructed.
 * - randomBytes(): esp_fill_random, the hardware RNG (true random once the radio runs), for the
 *   admin password's salt.
 * - hasRadio: the Wi-Fi radio and the captive portal's DNS run here (not in the simulator).
 * - ota: what updater.ts needs and cannot import itself, since neither `ota` nor the rollback
 *   functions of native/ota-rollback.c (manifest_ota.json) exist in the simulator build.
 * - joinGroup(): native/multicast.c (manifest_multicast.json) joins or leaves a multicast group
 *   on every interface with an address: the socket module's own join does not on ESP32
 *   (hosts/moddable/udp.ts says why).
 *
 * The module name is not this file's path, so its value imports are SDK modules by name only: a
 * relative specifier would resolve from "hosts/moddable/" on the device but from
 * "hosts/moddable/platform/" for TypeScript. (Type-only imports are erased, so they may be
 * relative.)
 */

import FFI from "mc/ffi";
import OTA from "ota";
import type { MulticastNatives } from "../types/multicast-natives";
import type { OtaNatives } from "../types/ota-rollback";
import type { OtaClass } from "../updater";

/** esp_mac_type_t ESP_MAC_WIFI_STA. */
const MAC_WIFI_STA = 0;

/**
 * A new FFI object per call, not one kept: this module is preloaded (hosts/moddable/
 * manifest_preload.json), where calling a native at load would fail the build and a module-level
 * `let` would be aliased in RAM (xsl: "no const"); a kept one would also hold the instance and
 * its functions at idle for calls made a few times a day (restart, a salt, a TLS connect, a
 * group join, the MAC at boot).
 */
function ffi(): FFI {
  return new FFI();
}

export const platformName: string = "esp32";

/**
 * The socket layer frees a closed socket while messages for it may still be queued, and
 * destroys a disconnected one itself (the Linux simulator's modules/network/socket/lin): the
 * device host then closes sockets only where that is safe (hosts/moddable/tcp.ts). lwIP keeps a
 * socket until its messages are delivered.
 */
export const fragileSocketClose: boolean = false;

/** lwIP opens multicast UDP sockets (mDNS): modules/network/socket/lwip/modSocket.c. */
export const multicastSockets: boolean = true;

export const canRestart: boolean = true;

export const hasRadio: boolean = true;

export const ota: { OTA: OtaClass; natives: () => OtaNatives } | undefined = Object.freeze({
  OTA,
  // The rollback functions are on the same FFI object; mc-ffi.d.ts declares only this manifest's.
  natives: () => ffi() as unknown as OtaNatives,
});

export function restart(): void {
  ffi().esp_restart();
}

export function randomBytes(length: number): Uint8Array {
  const buffer = new ArrayBuffer(length);
  ffi().esp_fill_random(buffer, length);
  return new Uint8Array(buffer);
}

/** MALLOC_CAP_8BIT: memory any allocation can use (where the TLS stack's buffers come from). */
const MALLOC_CAP_8BIT = 4;

/** The largest block the heap could give now (heap_caps_get_largest_free_block), in bytes. */
export function largestFreeBlock(): number | undefined {
  return ffi().heap_caps_get_largest_free_block(MALLOC_CAP_8BIT);
}

/** Joins (or leaves) group on every interface with an address: how many; -1 for a bad address. */
export const joinGroup: ((group: string, join: boolean) => number) | undefined = (group, join) => {
  const natives = ffi() as unknown as MulticastNatives;
  return join ? natives.multicast_join(group) : natives.multicast_leave(group);
};

/** "aa:bb:cc:dd:ee:ff", or undefined if eFuse could not be read. */
export function stationMac(): string | undefined {
  const buffer = new ArrayBuffer(6);
  if (ffi().esp_read_mac(buffer, MAC_WIFI_STA) !== 0) return undefined;
  return Array.from(new Uint8Array(buffer), (b) => (b < 16 ? "0" : "") + b.toString(16)).join(":");
}
