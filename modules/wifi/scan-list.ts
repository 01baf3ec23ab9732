/*
 * What GET /api/networks shows of a scan: one entry per SSID (its strongest sighting: a
 * network with several access points shows once), strongest first, hidden networks and empty
 * names left out, at most `limit` entries (the device's heap is small). Never a password: a
 * scan has none, and this shape has no field for one.
 */

import type { RadioNetwork } from "../host/radio";

export interface VisibleNetwork {
  ssid: string;
  rssi: number;
  secured: boolean;
}

export const SCAN_LIST_LIMIT = 30;

export function visibleNetworks(seen: readonly RadioNetwork[], limit = SCAN_LIST_LIMIT): VisibleNetwork[] {
  const best = new Map<string, VisibleNetwork>();
  for (const network of seen) {
    if (network.hidden || typeof network.ssid !== "string" || network.ssid === "") continue;
    const rssi = Number.isFinite(network.rssi) ? network.rssi : -100;
    const known = best.get(network.ssid);
    if (!known || rssi > known.rssi) best.set(network.ssid, { ssid: network.ssid, rssi, secured: network.secured !== false });
  }
  // Ties are ordered by name so the list does not shuffle between two identical scans.
  const list = Array.from(best.values()).sort((a, b) => b.rssi - a.rssi || (a.ssid < b.ssid ? -1 : a.ssid > b.ssid ? 1 : 0));
  return list.slice(0, Math.max(0, limit));
}
