/*
 * ModdableSystem: the device's System.
 *
 * - info().mac is the station MAC, lower-case "aa:bb:cc:dd:ee:ff": from eFuse on ESP32 (known
 *   before Wi-Fi starts), otherwise from Net.get("MAC"); read once and kept, since it never
 *   changes. When nothing knows it (the lin simulator) it is "00:00:00:00:00:00", not kept.
 * - info().freeMemory is the instrumentation's "System Free Memory" (the chip's free heap, not
 *   the XS heap); undefined in builds without instrumentation (release builds) and in the
 *   simulators, which answer 0.
 * - randomBytes() is the platform's (ESP32's hardware RNG; Math.random in the simulator).
 * - restart() is the platform's (esp_restart on ESP32; the Moddable simulator only traces).
 */

import Instrumentation from "instrumentation";
import Net from "net";
import { platformName, randomBytes, restart, stationMac } from "hosts/moddable/platform";
import type { System, SystemInfo } from "../../modules/host/system";
import type { NetInfo } from "./types/net";

const UNKNOWN_MAC = "00:00:00:00:00:00";
const MAC_PATTERN = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/;

export class ModdableSystem implements System {
  #mac: string | undefined;
  readonly #freeMemoryIndex: number | undefined;

  constructor() {
    this.#freeMemoryIndex = Instrumentation.map("System Free Memory");
  }

  info(): SystemInfo {
    return { mac: this.#stationMac(), freeMemory: this.#freeMemory(), platform: platformName };
  }

  randomBytes(length: number): Uint8Array {
    return randomBytes(length);
  }

  restart(): void {
    restart();
  }

  #stationMac(): string {
    if (this.#mac) return this.#mac;
    const net = Net as unknown as NetInfo;
    const found = (stationMac() ?? net.get("MAC", "station") ?? net.get("MAC") ?? "").toLowerCase();
    if (!MAC_PATTERN.test(found)) return UNKNOWN_MAC;
    this.#mac = found;
    return found;
  }

  #freeMemory(): number | undefined {
    if (this.#freeMemoryIndex === undefined) return undefined;
    const free = Instrumentation.get(this.#freeMemoryIndex);
    // The simulators answer 0: they do not measure it.
    return free !== undefined && free > 0 ? free : undefined;
  }
}
