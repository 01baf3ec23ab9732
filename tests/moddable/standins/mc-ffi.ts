/*
 * Stand-in of "mc/ffi" as mcconfig generates it for this project's esp32 build: the functions
 * the manifests declare (manifest.json's esp_restart, esp_read_mac, esp_fill_random,
 * hosts/moddable/manifest_ota.json's OTA rollback functions of native/ota-rollback.c and
 * manifest_multicast.json's group joins of native/multicast.c), each
 * answering as that C function does over the stand-in chip (esp-chip.ts). A buffer argument
 * ("uint8_t[256]", ArrayBuffer in JavaScript) is filled in place. `ffi.calls` counts calls by
 * name: natives must not be called while the modules are preloaded, so a test can check
 * when they first are.
 */

import { chip, ESP_OK, flash } from "./esp-chip";
import { stackOptions, validIpv4, wire } from "./lwip";
import { machine } from "./machine";

/** multicast.c's each_interface(): -1 for no multicast address, else the interfaces done (0 or 1). */
function joinOrLeave(group: string, join: boolean): number {
  if (!validIpv4(group)) return -1;
  const first = Number(group.split(".")[0]);
  if (first < 224 || first > 239) return -1;
  if (!stackOptions.up) return 0;
  wire.joinGroup(group, join);
  return 1;
}

export const ffi = { calls: new Map<string, number>() };

function count(name: string): void {
  machine.native(`FFI ${name}`);
  ffi.calls.set(name, (ffi.calls.get(name) ?? 0) + 1);
}

export default class FFI {
  constructor() {
    machine.native("new FFI");
  }

  esp_restart(): void {
    count("esp_restart");
    chip.restarts++;
  }

  esp_read_mac(mac: ArrayBuffer, type: number): number {
    count("esp_read_mac");
    if (chip.macReadError) return chip.macReadError;
    const bytes = new Uint8Array(mac, 0, 6);
    bytes.set(chip.mac);
    if (type === 1) bytes[5] = (bytes[5] + 1) & 0xff;
    return ESP_OK;
  }

  /** native/multicast.c: joins on the station interface when it has an address (the stack is up). */
  multicast_join(group: string): number {
    count("multicast_join");
    return joinOrLeave(group, true);
  }

  multicast_leave(group: string): number {
    count("multicast_leave");
    return joinOrLeave(group, false);
  }

  esp_fill_random(buffer: ArrayBuffer, length: number): void {
    count("esp_fill_random");
    chip.random(new Uint8Array(buffer, 0, Math.min(length, buffer.byteLength)));
  }

  ota_mark_valid(): number {
    count("ota_mark_valid");
    return flash.markValid();
  }

  ota_running_state(): number {
    count("ota_running_state");
    return flash.runningState();
  }

  ota_running_description(desc: ArrayBuffer): number {
    count("ota_running_description");
    return flash.description(flash.running, new Uint8Array(desc));
  }

  ota_rejected_description(desc: ArrayBuffer): number {
    count("ota_rejected_description");
    const rejected = flash.lastInvalid();
    return rejected === undefined ? 0x105 : flash.description(rejected, new Uint8Array(desc));
  }

  ota_next_partition_size(): number {
    count("ota_next_partition_size");
    return flash.partitionSize;
  }

  ota_chip_id(): number {
    count("ota_chip_id");
    return chip.chipId;
  }
}
