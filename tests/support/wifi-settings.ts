/*
 * The WiFi feature's settings on a host with no radio: a stand-in feature that declares them
 * (and nothing else), so the manager's config, form and API tests can use the keys a device
 * with WiFi has, without the radio's captive portal in the way. Engine-neutral.
 */

import type { Feature } from "../../modules/feature";
import { WIFI_SETTINGS } from "../../modules/wifi/wifi-feature";

export function wifiSettings(): Feature {
  return { name: "wifi", title: "WiFi", settings: WIFI_SETTINGS, attach: () => undefined };
}
