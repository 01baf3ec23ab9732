/*
 * The device's Host: Moddable's Preference, Timer/Time, Net, trace, TCP and UDP sockets, wifi
 * and ota behind the core's interfaces. boot.ts binds the one it builds before the app runs.
 *
 * - The web server's port is the manifest's config value http_port (80 unless the build says
 *   otherwise: `mcconfig ... http_port=8080`), so the Linux simulator can serve as a user; the
 *   Alexa feature's SSDP port is ssdp_port (1900), and udp_multicast=0 joins no multicast group
 *   (the Linux simulator on a network it must not announce itself to).
 * - UDP multicast groups are joined by the platform's joinGroup where it has one (esp32), else by
 *   the socket module (udp.ts says why).
 * What the platform module (hosts/moddable/platform/*.ts, chosen by the manifest) decides:
 * - radio only where there is real Wi-Fi (esp32): with it the manager runs the WiFi feature; in
 *   the simulator it reports the network as Net sees it (network.ts).
 * - updater only where there are OTA partitions (esp32): with it the manager runs the OTA
 *   feature.
 * wallClock is Date with Time.set (wall-clock.ts), resolver Net.resolve (resolver.ts).
 * Every module here but boot.ts is preloaded (manifest_preload.json): their classes and functions
 * stay in flash, where loading them at boot took about 21 KiB of the ESP32's heap (measured in
 * mcsim's debug build: the host alone 1,425 slots and 1,504 chunk bytes before, 116 and 336 after). So none of them imports the SDK's Preference, which the lin
 * simulator does not preload (it reads its JSON file when it loads): boot.ts imports it and hands
 * it to createModdableHost().
 * sha256 is native on every platform (crypt's Digest, digest.ts), so the core never falls back
 * to its plain-JavaScript SHA-256 here.
 */

import type { Host } from "../../modules/host/host";
import config from "mc/config";
import { hasRadio, joinGroup, multicastSockets, ota } from "hosts/moddable/platform";
import { TimerClock } from "./clock";
import { moddableSha256 } from "./digest";
import { TraceLog } from "./log";
import { NetNetwork } from "./network";
import { ModdableRadio } from "./radio";
import { PreferenceStorage, type PreferenceModule } from "./storage";
import { ModdableSystem } from "./system";
import { ModdableTcp } from "./tcp";
import { MODDABLE_TEXT_CODEC } from "./text-codec";
import { ModdableUdp } from "./udp";
import { ModdableUpdater } from "./updater";
import { ModdableResolver } from "./resolver";
import { ModdableWallClock } from "./wall-clock";

/** A port from the manifest's config (a command-line key=N arrives as a string), else the standard one. */
function configPort(key: string, standard: number): number {
  const port = Number((config as Record<string, unknown>)[key] ?? standard);
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : standard;
}

/** config.udp_multicast: 0 (or "0", from the command line) joins no multicast group. */
function multicastAllowed(): boolean {
  const value = (config as Record<string, unknown>).udp_multicast;
  return value !== 0 && value !== "0" && value !== false;
}

/** `preference` is the SDK's Preference module: boot.ts imports it and hands it in. */
export function createModdableHost(preference: PreferenceModule): Host {
  const clock = new TimerClock();
  const log = new TraceLog();
  const system = new ModdableSystem(preference);
  return Object.freeze({
    storage: new PreferenceStorage(preference),
    clock,
    system,
    log,
    tcp: new ModdableTcp(),
    udp: new ModdableUdp({ joinGroup, multicast: multicastAllowed(), multicastSockets }),
    text: MODDABLE_TEXT_CODEC,
    ports: Object.freeze({ http: configPort("http_port", 80), ssdp: configPort("ssdp_port", 1900) }),
    wallClock: new ModdableWallClock(),
    resolver: new ModdableResolver(),
    network: new NetNetwork(),
    sha256: moddableSha256,
    ...(hasRadio ? { radio: new ModdableRadio({ clock, mac: system.info().mac }) } : {}),
    ...(ota ? { updater: new ModdableUpdater(ota.OTA, ota.natives) } : {}),
  });
}
