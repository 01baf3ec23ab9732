/*
 * FakeRadio: a Radio for core unit tests that behaves the way the ESP32 does through Moddable's
 * wifi module, on a Clock (a VirtualClock in tests), with knobs the tests turn. It runs on Node
 * and inside XS, so it imports no node: module and nothing from hosts/node.
 *
 * The radio itself (outcomes later on the clock, retries, beacon loss, scan refusals, the access
 * point, networks that hang or are seen twice) is hosts/simulated/simulated-air.ts, shared with
 * the simulator. What is this file's own:
 * - The device's timings: association ~1.5 s, an address ~0.7 s after; a wrong password is
 *   reported after ~4 s; an absent network only after ~8 s (the ESP32 scans every channel and
 *   retries five times before it reports a disconnect); a lost network after ~6 s.
 * - The test's controls: put() and remove() a network, a call log (`calls`), the orders the
 *   device would have refused (`misuse`: the policy must avoid them), AP clients joining and
 *   leaving.
 */

import type { Clock } from "../../modules/host/clock";
import { SimulatedAir, type AirNetwork, type AirTiming } from "../../hosts/simulated/simulated-air";

export type { AirNetwork };

export const FAKE_RADIO_TIMING: Readonly<AirTiming> = Object.freeze({
  associateMs: 1_500,
  dhcpMs: 700,
  wrongPasswordMs: 4_000,
  notFoundMs: 8_000,
  beaconLossMs: 6_000,
  scanMs: 2_500,
});

export class FakeRadio extends SimulatedAir {
  /** Every order the radio was given, in order: "connect Home", "disconnect", "ap-open X", ... */
  readonly calls: string[] = [];
  /** Orders the device would have refused. */
  readonly misuse: string[] = [];

  constructor(clock: Clock, options: { mac?: string; accessPointPassword?: string; timing?: Partial<AirTiming> } = {}) {
    super({
      clock,
      mac: options.mac ?? "24:0a:c4:12:3f:2a",
      accessPointPassword: options.accessPointPassword,
      timing: { ...FAKE_RADIO_TIMING, ...options.timing },
    });
  }

  /** Puts a network on the air, or replaces the one with its SSID (in place). */
  put(network: AirNetwork): void {
    const air = [...this.networks];
    const i = air.findIndex((n) => n.ssid === network.ssid);
    if (i < 0) air.push(network);
    else air[i] = network;
    this.setNetworks(air);
  }

  /** Takes a network off the air; a station joined to it loses it after the beacon timeout. */
  remove(ssid: string): void {
    this.setNetworks(this.networks.filter((n) => n.ssid !== ssid));
  }

  apClient(joined: boolean): void {
    this.report({ type: "ap-client", joined });
  }

  /** The SSID the station is on (has an address), if any. */
  get joined(): string | undefined {
    return this.station()?.ssid;
  }

  protected override ordered(order: string): void {
    this.calls.push(order);
  }

  protected override refused(what: string): void {
    this.misuse.push(what);
  }
}
