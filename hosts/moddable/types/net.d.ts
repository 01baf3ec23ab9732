/*
 * The Moddable `net` module's Net.get() as it behaves at run time (SDK 8.2.3,
 * modules/network/net/esp/modNet.c and lin/modNet.c). A module-form file: host code casts the
 * SDK's Net to NetInfo once.
 *
 * Corrections over typings/net.d.ts (the npm @moddable/typings 5.6.0 and the SDK's own):
 * - Every property may be undefined: ESP32 answers undefined while Wi-Fi is off, for SSID/RSSI
 *   while the station is not associated, and for an interface the current mode lacks; the Linux
 *   simulator answers only "IP".
 * - IP and MAC take an interface ("station", "ap", "ethernet"); with station and access point
 *   both up, IP and MAC without one answer undefined (ambiguous).
 * - CHANNEL exists. MAC and BSSID are upper-case hex ("A4:D1:8C:DB:C0:20").
 */

export type NetInterface = "station" | "ap" | "ethernet";

export interface NetInfo {
  get(what: "IP" | "MAC", iface?: NetInterface): string | undefined;
  get(what: "SSID" | "BSSID"): string | undefined;
  get(what: "RSSI" | "CHANNEL"): number | undefined;
  get(what: "DNS"): string[] | undefined;
}
