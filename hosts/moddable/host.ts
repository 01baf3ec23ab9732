/*
 * The device's Host: Moddable's Preference, Timer/Time, Net, trace, http Server and Request,
 * wifi, UDP socket and ota behind the core's interfaces. boot.ts binds the one it builds before
 * the app runs.
 *
 * What the platform module (hosts/moddable/platform/*.ts, chosen by the manifest) decides:
 * - radio and dns only where there is real Wi-Fi (esp32): with them the manager runs the WiFi
 *   feature; in the simulator it reports the network as Net sees it (network.ts).
 * - updater only where there are OTA partitions (esp32); httpClient everywhere. The manager runs
 *   the OTA feature when it has both.
 * sha256 is native on every platform (crypt's Digest, digest.ts), so the core never falls back
 * to its plain-JavaScript SHA-256 here.
 */

import type { Host } from "../../modules/host/host";
import { hasRadio, ota } from "hosts/moddable/platform";
import { TimerClock } from "./clock";
import { moddableSha256 } from "./digest";
import { SocketDnsServer } from "./dns-server";
import { ModdableHttpClient } from "./http-client";
import { ModdableHttpServer } from "./http-server";
import { TraceLog } from "./log";
import { NetNetwork } from "./network";
import { ModdableRadio } from "./radio";
import { PreferenceStorage } from "./storage";
import { ModdableSystem } from "./system";
import { ModdableUpdater } from "./updater";

export function createModdableHost(): Host {
  const clock = new TimerClock();
  const log = new TraceLog();
  const system = new ModdableSystem();
  return Object.freeze({
    storage: new PreferenceStorage(),
    clock,
    system,
    log,
    http: new ModdableHttpServer({ clock, log }),
    httpClient: new ModdableHttpClient(),
    network: new NetNetwork(),
    sha256: moddableSha256,
    ...(hasRadio ? { radio: new ModdableRadio({ clock, mac: system.info().mac }), dns: new SocketDnsServer() } : {}),
    ...(ota ? { updater: new ModdableUpdater(ota.OTA, ota.natives) } : {}),
  });
}
