/*
 * SimulatedNetwork: before a radio is simulated, the simulator says it is a station on a
 * network named "simulator" with the address it serves on, offering the time servers given with
 * --ntp-server.
 */

import type { Network, NetworkStatus } from "../../modules/host/network";

export class SimulatedNetwork implements Network {
  readonly #ip: string;
  readonly #ntpServers: readonly string[];

  /** ntpServers: the time servers the simulated network offers (--ntp-server), as DHCP would. */
  constructor(ip: string, ntpServers: readonly string[] = []) {
    this.#ip = ip;
    this.#ntpServers = Object.freeze([...ntpServers]);
  }

  status(): NetworkStatus {
    const out: NetworkStatus = { mode: "station", ssid: "simulator", ip: this.#ip };
    if (this.#ntpServers.length) out.ntpServers = this.#ntpServers;
    return out;
  }
}
