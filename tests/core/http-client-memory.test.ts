/* The HttpClient contract: the core's TcpHttpClient over MemoryTcp on a virtual clock (also on XS). */

import { TcpHttpClient } from "../../modules/http/http-client";
import { httpClientContract } from "../contract/http-client-contract";
import { MemoryTcp } from "../support/memory-tcp";
import { VirtualClock } from "../support/virtual-clock";

httpClientContract("TcpHttpClient over MemoryTcp", () => {
  const tcp = new MemoryTcp();
  const clock = new VirtualClock();
  return {
    tcp,
    clock,
    host: "memory",
    port: 0,
    makeClient: () => new TcpHttpClient({ tcp }),
    wait: (ms) => clock.advance(ms),
    async until(condition, ms) {
      for (let waited = 0; ; waited += 10) {
        await clock.advance(0);
        if (condition()) return true;
        if (waited >= ms) return false;
        await clock.advance(10);
      }
    },
    stop: () => clock.advance(0),
  };
});
