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
}

export interface Network {
  status(): NetworkStatus;
}
