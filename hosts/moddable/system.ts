/*
 * ModdableSystem: the device's System.
 *
 * - info().mac is the station MAC, lower-case "aa:bb:cc:dd:ee:ff": from eFuse on ESP32 (known
 *   before Wi-Fi starts), otherwise from Net.get("MAC"); read once and kept, since it never
 *   changes. Where nothing knows it (the lin simulator) it is made up once, at random, as a
 *   locally administered address, and kept in Preference: each machine's simulator then has a
 *   hostname of its own that survives a restart, instead of every one being iot-000000.
 * - info().freeMemory is the instrumentation's "System Free Memory" (the chip's free heap, not
 *   the XS heap); undefined in builds without instrumentation (release builds) and in the
 *   simulators, which answer 0.
 * - randomBytes() is the platform's (ESP32's hardware RNG; Math.random in the simulator).
 * - restart() is the platform's (esp_restart on ESP32; the Moddable simulator only traces, and
 *   says so through canRestart = false).
 */

import Instrumentation from "instrumentation";
import Net from "net";
import { canRestart, platformName, randomBytes, restart, stationMac } from "hosts/moddable/platform";
import type { System, SystemInfo } from "../../modules/host/system";
import type { NetInfo } from "./types/net";
import type { PreferenceModule } from "./storage";

/** "aa:bb:cc:dd:ee:ff", lower case. A regex compiled per call (twice at most, at boot): one kept
 * at module level would hold about 800 bytes of heap for good. */
function isMac(text: string): boolean {
  return /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(text);
}
/** Where a made-up MAC is kept (a simulator with no MAC of its own). */
const MADE_UP = Object.freeze({ domain: "iot-system", key: "mac" });

export class ModdableSystem implements System {
  readonly canRestart = canRestart;
  #mac: string | undefined;
  readonly #freeMemoryIndex: number | undefined;
  /** Handed in, not imported: see PreferenceModule (storage.ts). */
  readonly #preference: PreferenceModule;

  constructor(preference: PreferenceModule) {
    this.#preference = preference;
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
    let found = (stationMac() ?? net.get("MAC", "station") ?? net.get("MAC") ?? "").toLowerCase();
    if (!isMac(found)) found = this.#madeUpMac();
    this.#mac = found;
    return found;
  }

  #madeUpMac(): string {
    const saved = this.#preference.get(MADE_UP.domain, MADE_UP.key);
    if (typeof saved === "string" && isMac(saved)) return saved;
    const bytes = randomBytes(6);
    // Locally administered, unicast: it can never be a real device's address.
    bytes[0] = (bytes[0] & 0xfc) | 0x02;
    const mac = Array.from(bytes, (b) => (b < 16 ? "0" : "") + b.toString(16)).join(":");
    this.#preference.set(MADE_UP.domain, MADE_UP.key, mac);
    return mac;
  }

  #freeMemory(): number | undefined {
    if (this.#freeMemoryIndex === undefined) return undefined;
    const free = Instrumentation.get(this.#freeMemoryIndex);
    // The simulators answer 0: they do not measure it.
    return free !== undefined && free > 0 ? free : undefined;
  }
}
