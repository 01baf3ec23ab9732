/*
 * Network: what the device's network looks like right now, for the status page and API.
 * Before the WiFi feature drives the radio, a host reports whatever the device already has.
 */

export type NetworkMode = "ap" | "station" | "ap+station" | "connecting" | "offline";

export interface NetworkStatus {
  mode: NetworkMode;
  ssid: string;
  ip: string;
  rssi?: number;
  lastDisconnectReason?: string;
  /** The access point's own address while it is open. */
  apIp?: string;
  /** A network is saved for the station (then only being on it counts as healthy). */
  configured?: boolean;
  /** Time servers the network offered (DHCP option 42), where the host knows them: tried first. */
  ntpServers?: readonly string[];
}

export interface Network {
  status(): NetworkStatus;
}
