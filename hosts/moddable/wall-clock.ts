/*
 * ModdableWallClock: the device's calendar clock, keeping modules/host/wall-clock.ts.
 *
 * - now() is Date.now() plus what Time.set cannot hold: Time.set takes whole seconds (esp
 *   modTime.c passes a uint32 to settimeofday), so set(ms) sets the nearest second and keeps
 *   the remainder (under half a second) here. Date, and so `new Date()` in an app, is right to
 *   that half second; iot.clock to the millisecond.
 * - source: on ESP32 the clock is "rtc" at boot when it already reads a time after this
 *   firmware was built (ESP-IDF keeps the system time across a software restart, so a device
 *   restarted after an update knows the time before SNTP answers); otherwise none. In the
 *   Moddable simulator Date is the computer's clock and Time.set does nothing (lin and mac
 *   modTime.c): "host".
 */

import Time from "time";
import { platformName } from "hosts/moddable/platform";
import type { WallClock } from "../../modules/host/wall-clock";
import { NOT_BEFORE_MS } from "../../modules/clock/build-date";

export class ModdableWallClock implements WallClock {
  readonly source: string | undefined;
  #remainder = 0;

  constructor() {
    if (platformName !== "esp32") this.source = "host";
    else this.source = Date.now() >= NOT_BEFORE_MS ? "rtc" : undefined;
  }

  now(): number {
    return Date.now() + this.#remainder;
  }

  set(ms: number): void {
    if (platformName !== "esp32") {
      // Time.set is a no-op here: keep the whole correction.
      this.#remainder = ms - Date.now();
      return;
    }
    const seconds = Math.round(ms / 1000);
    Time.set(seconds);
    this.#remainder = ms - Date.now();
  }
}
