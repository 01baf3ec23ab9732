/* The Udp contract against MemoryUdp, the in-memory Udp the core's tests use (also run on XS). */

import { udpContract } from "../contract/udp-contract";
import { settle } from "../support/memory-tcp";
import { LOOPBACK, MemoryUdp } from "../support/memory-udp";

udpContract("MemoryUdp", () => ({
  udp: new MemoryUdp(),
  ports: [0, 0],
  host: LOOPBACK,
  wait: () => settle(),
  async until(condition) {
    for (let i = 0; i < 20; i++) {
      await settle();
      if (condition()) return true;
    }
    return false;
  },
  stop: () => settle(),
}));
