/*
 * Stand-in of the SDK module "net" on ESP32 (modules/network/net/net.js and esp/modNet.c, SDK
 * 8.2.3), answering from the stand-in Wi-Fi (esp-wifi.ts) and stack (lwip.ts).
 *
 * Net.get(what, interface) as modNet.c answers it:
 * - The interface is "station", "ap", "ethernet" (none here) or an IPv4 address (the interface
 *   on its /24). Without one: the access point's in AP mode, the station's in station mode,
 *   and NOTHING (undefined) with both up. An interface the mode lacks answers undefined, and so
 *   does everything before Wi-Fi is started.
 * - "IP": the interface's address, once it has one (the station's after gotIP; the access
 *   point's 192.168.4.1 while it runs). "MAC": upper-case, the station's from eFuse (chip.mac
 *   in mc-ffi.ts' control) and the access point's one more in the last byte.
 * - "SSID", "BSSID", "RSSI": the station's network while associated, else undefined.
 * - "CHANNEL": the joined network's, else the access point's, else 1, once started.
 * - "DNS": the servers as an array ([] without an address).
 * Net.resolve(host, callback) answers later from the wire's hosts (undefined when unknown).
 */

import { AP_ADDRESS, air } from "./esp-wifi";
import { wire } from "./lwip";
import { machine } from "./machine";
import { chip } from "./esp-chip";

type Interface = "station" | "ap" | undefined;

function sameSubnet(a: string, b: string): boolean {
  return a.split(".").slice(0, 3).join(".") === b.split(".").slice(0, 3).join(".");
}

function whichInterface(nif: string | undefined): Interface | "none" {
  if (air.state <= 0) return "none";
  if (nif !== undefined && nif !== "station" && nif !== "ap") {
    if (nif === "ethernet") return "none";
    if (air.ip && sameSubnet(nif, air.ip)) return "station";
    if (air.apUp && sameSubnet(nif, AP_ADDRESS)) return "ap";
    nif = undefined;
  }
  const sta = air.mode === "sta" || air.mode === "apsta";
  const ap = air.mode === "ap" || air.mode === "apsta";
  if (nif === "station") return sta ? "station" : "none";
  if (nif === "ap") return ap ? "ap" : "none";
  if (air.mode === "ap") return "ap";
  if (air.mode === "sta") return "station";
  return "none";
}

function hex(bytes: readonly number[]): string {
  return bytes.map((b) => b.toString(16).toUpperCase().padStart(2, "0")).join(":");
}

export default class Net {
  static get(what: string, nif?: string): string | number | string[] | undefined {
    machine.native("Net.get");
    switch (what) {
      case "IP": {
        const which = whichInterface(nif);
        if (which === "station") return air.ip;
        if (which === "ap") return air.apUp ? AP_ADDRESS : undefined;
        return undefined;
      }
      case "MAC": {
        const which = whichInterface(nif);
        if (which === "none" || which === undefined) return undefined;
        const mac = chip.mac.slice();
        if (which === "ap") mac[5] = (mac[5] + 1) & 0xff;
        return hex(mac);
      }
      case "SSID":
        return air.link === "connected" || air.link === "online" ? air.joined?.ssid || undefined : undefined;
      case "BSSID":
        return air.link === "connected" || air.link === "online" ? hex([0x24, 0x0a, 0xc4, 0, 0, air.joined?.ssid.length ?? 0]) : undefined;
      case "RSSI":
        return air.link === "connected" || air.link === "online" ? air.joined?.rssi : undefined;
      case "CHANNEL":
        if (air.state <= 0) return undefined;
        return air.joined?.channel ?? (air.apUp ? air.apConfig?.channel : undefined) ?? 1;
      case "DNS":
        return air.ip ? [air.joined?.dns ?? "192.168.1.1"] : [];
      default:
        return undefined;
    }
  }

  static resolve(host: string, callback: (name: string, address?: string) => void): void {
    const address = wire.hosts.get(host);
    machine.after(5, () => machine.post(() => machine.call("Net.resolve callback", () => callback(host, address))));
  }
}
