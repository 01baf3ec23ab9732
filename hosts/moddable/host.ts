/*
 * The device's Host: Moddable's Preference, Timer/Time, Net, trace, TCP and UDP sockets, wifi
 * and ota behind the core's interfaces. boot.ts binds the one it builds before the app runs.
 *
 * - The web server's port is the manifest's config value http_port (80 unless the build says
 *   otherwise: `mcconfig ... http_port=8080`), so the Linux simulator can serve as a user.
 * What the platform module (hosts/moddable/platform/*.ts, chosen by the manifest) decides:
 * - radio only where there is real Wi-Fi (esp32): with it the manager runs the WiFi feature; in
 *   the simulator it reports the network as Net sees it (network.ts).
 * - updater only where there are OTA partitions (esp32): with it the manager runs the OTA
 *   feature.
 * wallClock is Date with Time.set (wall-clock.ts), resolver Net.resolve (resolver.ts).
 * sha256 is native on every platform (crypt's Digest, digest.ts), so the core never falls back
 * to its plain-JavaScript SHA-256 here.
 */

import type { Host } from "../../modules/host/host";
import config from "mc/config";
import { hasRadio, ota } from "hosts/moddable/platform";
import { TimerClock } from "./clock";
import { moddableSha256 } from "./digest";
import { TraceLog } from "./log";
import { NetNetwork } from "./network";
import { ModdableRadio } from "./radio";
import { PreferenceStorage } from "./storage";
import { ModdableSystem } from "./system";
import { ModdableTcp } from "./tcp";
import { MODDABLE_TEXT_CODEC } from "./text-codec";
import { ModdableUdp } from "./udp";
import { ModdableUpdater } from "./updater";
import { ModdableResolver } from "./resolver";
import { ModdableWallClock } from "./wall-clock";

/** The manifest's config.http_port (a command-line http_port=N arrives as a string), else 80. */
function httpPort(): number {
  const port = Number((config as Record<string, unknown>).http_port ?? 80);
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : 80;
}

export function createModdableHost(): Host {
  const clock = new TimerClock();
  const log = new TraceLog();
  const system = new ModdableSystem();
  return Object.freeze({
    storage: new PreferenceStorage(),
    clock,
    system,
    log,
    tcp: new ModdableTcp(),
    udp: new ModdableUdp(),
    text: MODDABLE_TEXT_CODEC,
    ports: Object.freeze({ http: httpPort() }),
    wallClock: new ModdableWallClock(),
    resolver: new ModdableResolver(),
    network: new NetNetwork(),
    sha256: moddableSha256,
    ...(hasRadio ? { radio: new ModdableRadio({ clock, mac: system.info().mac }) } : {}),
    ...(ota ? { updater: new ModdableUpdater(ota.OTA, ota.natives) } : {}),
  });
}
