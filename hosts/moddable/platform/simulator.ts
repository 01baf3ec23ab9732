/*
 * The mac and lin binding of the module "hosts/moddable/platform": the Moddable simulator
 * (mcsim), which has no chip to reset, no MAC of its own, no radio and no OTA partitions.
 *
 * - restart() traces that it was asked and returns: mcsim has no way for an app to relaunch
 *   itself (quit and relaunch the simulator by hand). The Node simulator (hosts/node) is the
 *   one that restarts in-process.
 * - stationMac() is undefined: the caller falls back to Net.get("MAC"), which the mac simulator
 *   answers from the computer's Wi-Fi interface and the lin one does not answer at all.
 * - randomBytes() comes from Math.random: the simulator has no hardware RNG (a salt, not a key).
 * - hasRadio is false: the SDK's simulated `wifi` only pretends (a fixed scan list, every join
 *   succeeds), so the app runs without the WiFi feature here.
 * - ota is undefined: there is no `ota` module, so the app runs without the OTA feature.
 * - joinGroup is undefined: the simulator's socket module joins a group itself (on every
 *   interface, INADDR_ANY), when asked with the socket's `multicast` option.
 *
 * No relative value imports (see esp32.ts).
 */

import type { OtaNatives } from "../types/ota-rollback";
import type { OtaClass } from "../updater";

export const platformName: string = "moddable-simulator";

/**
 * The socket layer frees a closed socket while messages for it may still be queued, and
 * destroys a disconnected one itself (the Linux simulator's modules/network/socket/lin): the
 * device host then closes sockets only where that is safe (hosts/moddable/tcp.ts). lwIP keeps a
 * socket until its messages are delivered.
 */
export const fragileSocketClose: boolean = true;

/**
 * The Linux simulator's socket layer refuses every multicast UDP socket (SDK 8.2.3
 * lin/modSocket.c throws "invalid multicast IP address" when inet_pton succeeds), and a refused
 * construction left the next HTTP connection unanswered (seen): the host refuses such an open
 * itself, before the SDK is called, so mDNS is off in mcsim and says why.
 */
export const multicastSockets: boolean = false;

export const canRestart: boolean = false;

export const hasRadio: boolean = false;

export const ota: { OTA: OtaClass; natives: () => OtaNatives } | undefined = undefined;

export const joinGroup: ((group: string, join: boolean) => number) | undefined = undefined;

export function restart(): void {
  trace("restart requested: the Moddable simulator cannot restart an app; relaunch it\n");
}

export function randomBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return bytes;
}

export function stationMac(): string | undefined {
  return undefined;
}
