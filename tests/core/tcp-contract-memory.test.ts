/* The Tcp contract against MemoryTcp, the in-memory Tcp the core's tests use (also run on XS). */

import { tcpContract } from "../contract/tcp-contract";
import { MemoryTcp, settle } from "../support/memory-tcp";

tcpContract("MemoryTcp", () => {
  const tcp = new MemoryTcp();
  return {
    tcp,
    host: "memory",
    port: 0,
    // MemoryTcp delivers on promise turns only: time never matters to it.
    wait: () => settle(),
    async until(condition) {
      for (let i = 0; i < 20; i++) {
        await settle();
        if (condition()) return true;
      }
      return false;
    },
    stop: () => settle(),
  };
});
