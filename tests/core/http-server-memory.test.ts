/*
 * The HttpServer contract over the in-memory Tcp and a virtual clock: bytes arrive in exact
 * splits and time moves only when the test says. Runs on Node and on XS.
 */

import { HttpServer } from "../../modules/http/http-server";
import type { HttpService } from "../../modules/http/http-message";
import { Logger } from "../../modules/log/logger";
import { httpServerContract, type HttpPeer, type HttpServerRig } from "../contract/http-server-contract";
import { MemoryTcp, settle } from "../support/memory-tcp";
import { VirtualClock } from "../support/virtual-clock";

function memoryRig(): HttpServerRig {
  const clock = new VirtualClock();
  const tcp = new MemoryTcp();
  let service: HttpService | undefined;
  let port = 0;
  return {
    exactSplits: true,
    sendBuffer: 5744,
    async start(handler, limits) {
      const server = new HttpServer({ tcp, clock, limits, log: new Logger({ write: () => undefined }, false) });
      service = server.serve({ port: 80 }, handler);
      port = (await service.ready).port;
    },
    async dial(options = {}) {
      const peer = tcp.dial(port, { remote: `10.0.0.${10 + (options.client ?? 0)}`, split: options.split });
      const adapted: HttpPeer = {
        send: (data) => peer.send(data),
        received: () => peer.bytes(),
        get closed() {
          return peer.closed;
        },
        close: () => peer.close(),
        stall: () => peer.stall(),
        resume: () => peer.resume(),
      };
      await settle();
      return adapted;
    },
    wait: (ms) => clock.advance(ms),
    async closed(peer, ms) {
      for (let waited = 0; ; waited += 10) {
        await settle();
        if (peer.closed) return true;
        if (waited >= ms) return false;
        await clock.advance(10);
      }
    },
    async stop() {
      service?.close();
      await settle();
    },
  };
}

httpServerContract("MemoryTcp", memoryRig);
