/* The HttpClient contract: the core's TcpHttpClient over the simulator's NodeTcp, on real loopback sockets. */

import { setTimeout as delay } from "node:timers/promises";
import { NodeClock } from "../../hosts/node/clock";
import { NodeTcp } from "../../hosts/node/tcp";
import { NODE_TEXT_CODEC } from "../../hosts/node/text-codec";
import { TcpHttpClient } from "../../modules/http/http-client";
import { httpClientContract } from "../contract/http-client-contract";

httpClientContract("TcpHttpClient over NodeTcp", () => {
  const tcp = new NodeTcp();
  const clock = new NodeClock();
  return {
    tcp,
    clock,
    host: "127.0.0.1",
    port: 0,
    makeClient: () => new TcpHttpClient({ tcp, text: NODE_TEXT_CODEC }),
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
      clock.shutdown();
    },
  };
});
