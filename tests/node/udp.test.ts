/* The Udp contract against the simulator's NodeUdp, over real loopback sockets and real time. */

import { setTimeout as delay } from "node:timers/promises";
import { NodeUdp } from "../../hosts/node/udp";
import { udpContract } from "../contract/udp-contract";

udpContract("NodeUdp over loopback", () => {
  const udp = new NodeUdp();
  return {
    udp,
    ports: [0, 0],
    host: "127.0.0.1",
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
      udp.shutdown();
    },
  };
});
