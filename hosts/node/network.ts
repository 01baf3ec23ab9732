/*
 * SimulatedNetwork: before a radio is simulated, the simulator says it is a station on a
 * network named "simulator" with the address it serves on.
 */

import type { Network, NetworkStatus } from "../../modules/host/network";

export class SimulatedNetwork implements Network {
  readonly #ip: string;

  constructor(ip: string) {
    this.#ip = ip;
  }

  status(): NetworkStatus {
    return { mode: "station", ssid: "simulator", ip: this.#ip };
  }
}
