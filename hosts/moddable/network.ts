/*
 * NetNetwork: the device's network as Net reports it right now, for the status page before the
 * WiFi feature drives the radio (the manager prefers the feature's report when there is one).
 *
 * On ESP32, from the interfaces Net can see:
 * - station address and access point address: "ap+station" (station's ssid, address, rssi);
 * - station address only: "station";
 * - access point address only: "ap" (Net cannot tell the access point's own name: ssid "");
 * - associated with a network but no address yet: "connecting";
 * - otherwise (Wi-Fi off or idle): "offline".
 * In the Moddable simulator Wi-Fi is make-believe and Net answers only the computer's address:
 * it reports a station on "simulator" at that address, as the Node simulator does.
 */

import Net from "net";
import { platformName } from "hosts/moddable/platform";
import type { Network, NetworkStatus } from "../../modules/host/network";
import type { NetInfo } from "./types/net";

export class NetNetwork implements Network {
  status(): NetworkStatus {
    const net = Net as unknown as NetInfo;
    if (platformName !== "esp32") return { mode: "station", ssid: "simulator", ip: net.get("IP") ?? "127.0.0.1" };

    const stationIp = net.get("IP", "station");
    const apIp = net.get("IP", "ap");
    // SSID and RSSI describe the station's association; undefined while it has none.
    const ssid = net.get("SSID");
    if (stationIp) {
      return { mode: apIp ? "ap+station" : "station", ssid: ssid ?? "", ip: stationIp, rssi: net.get("RSSI") };
    }
    if (apIp) return { mode: "ap", ssid: "", ip: apIp };
    if (ssid) return { mode: "connecting", ssid, ip: "" };
    return { mode: "offline", ssid: "", ip: "" };
  }
}
