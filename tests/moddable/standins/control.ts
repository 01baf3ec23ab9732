/*
 * The test's side of the stand-in device: everything a device test turns or reads that the SDK's
 * API does not offer, kept apart from the SDK-shaped modules (socket.ts, preference.ts, ...).
 *
 * - machine: the run loop and virtual clock (advance, run, settle, until), and what went wrong
 *   unseen: `uncaught` (exceptions that escaped a callback), `faults` (SDK misuse), `traced`.
 * - wire: the network outside the chip (dial a listener, serve the device's connections,
 *   datagrams); stackOptions: lwIP's numbers.
 * - nvs: the flash behind Preference (power cuts, capacity); survives reboot().
 * - air: the Wi-Fi driver and the networks around the chip (esp-wifi.ts).
 * - chip and flash: eFuse, RNG, restarts, the app partitions and otadata (esp-chip.ts);
 *   ffi: the FFI calls made (mc-ffi.ts).
 * resetDevice() is a power cycle of everything but flash (NVS and the app partitions), with
 * the bootloader's choice of app; resetDevice({format: true}) also erases flash.
 */

import { machine } from "./machine";
import { wire } from "./lwip";
import { nvs } from "./preference";
import { clock } from "./time";
import { instruments } from "./instrumentation";
import { configOverrides } from "./mc-config";
import { digests } from "./crypt";
import { air } from "./esp-wifi";
import { chip, flash } from "./esp-chip";
import { ffi } from "./mc-ffi";
import { tls } from "./securesocket";

export { machine } from "./machine";
export { wire, stackOptions, Peer } from "./lwip";
export { nvs, PowerCut } from "./preference";
export { clock } from "./time";
export { instruments } from "./instrumentation";
export { configOverrides } from "./mc-config";
export { air, WIFI_REASON, type AirNetwork } from "./esp-wifi";
export { chip, flash, OTA_STATE } from "./esp-chip";
export { ffi } from "./mc-ffi";
export { digests } from "./crypt";
export { tls } from "./securesocket";

const resets: (() => void)[] = [];

/** Stand-ins with state of their own register how a power cycle clears it. */
export function onReset(clear: () => void): void {
  resets.push(clear);
}

export interface ResetOptions {
  /** Erase flash too (NVS): a factory-fresh chip. */
  format?: boolean;
  /** Time.ticks at power-on (to test the signed 32-bit wrap). */
  ticksAtBoot?: number;
}

export function resetDevice(options: ResetOptions = {}): void {
  machine.reset();
  wire.reset();
  clock.ticksAtBoot = options.ticksAtBoot ?? 0;
  clock.wallSeconds = undefined;
  instruments.release = false;
  instruments.values.clear();
  for (const key of Object.keys(configOverrides)) delete configOverrides[key];
  digests.made = 0;
  digests.writesAfterClose = 0;
  air.reset();
  ffi.calls.clear();
  tls.servers.clear();
  tls.store.length = 0;
  tls.resources.clear();
  tls.handshakes = 0;
  tls.names.length = 0;
  for (const clear of resets) clear();
  if (options.format) {
    nvs.format();
    flash.erase();
    chip.reset();
  }
  flash.boot();
}

/** What a device test checks after each test: nothing escaped, nothing misused. */
export function assertQuiet(): void {
  const problems = [...machine.uncaught.map((u) => `uncaught: ${u}`), ...machine.faults.map((f) => `fault: ${f}`)];
  if (problems.length) throw new Error(`the stand-in device saw:\n  ${problems.join("\n  ")}`);
}
