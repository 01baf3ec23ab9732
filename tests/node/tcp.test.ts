/* The Tcp contract against the simulator's NodeTcp, over real loopback sockets and real time. */

import { setTimeout as delay } from "node:timers/promises";
import { NodeTcp } from "../../hosts/node/tcp";
import { tcpContract } from "../contract/tcp-contract";

tcpContract("NodeTcp over loopback", () => {
  const tcp = new NodeTcp();
  return {
    tcp,
    host: "127.0.0.1",
    port: 0,
    wait: (ms) => delay(ms),
    async until(condition, ms) {
      const deadline = Date.now() + ms;
      while (!condition()) {
        if (Date.now() > deadline) return false;
        await delay(5);
      }
      return true;
    },
    async stop() {
      tcp.shutdown();
    },
  };
});
