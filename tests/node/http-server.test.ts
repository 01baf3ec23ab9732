/*
 * The HttpServer contract over the simulator's node:net sockets: real loopback connections,
 * clients from distinct 127.0.0.x addresses, real time. Bytes may be coalesced on the way, so
 * a requested split is only a hint here (the in-memory run checks exact splits).
 */

import { connect, type Socket } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { NodeClock } from "../../hosts/node/clock";
import { NodeTcp } from "../../hosts/node/tcp";
import { NODE_TEXT_CODEC } from "../../hosts/node/text-codec";
import { HttpServer } from "../../modules/http/http-server";
import type { HttpService } from "../../modules/http/http-message";
import { Logger } from "../../modules/log/logger";
import { httpServerContract, type HttpPeer, type HttpServerRig } from "../contract/http-server-contract";

function nodeRig(): HttpServerRig {
  const clock = new NodeClock();
  const tcp = new NodeTcp();
  let service: HttpService | undefined;
  let port = 0;
  const sockets: Socket[] = [];
  return {
    exactSplits: false,
    async start(handler, limits) {
      const server = new HttpServer({ tcp, clock, text: NODE_TEXT_CODEC, limits, log: new Logger({ write: () => undefined }, false) });
      service = server.serve({ port: 0, host: "127.0.0.1" }, handler);
      port = (await service.ready).port;
    },
    dial(options = {}) {
      return new Promise<HttpPeer>((resolve, reject) => {
        const socket = connect({ port, host: "127.0.0.1", localAddress: `127.0.0.${10 + (options.client ?? 0)}` });
        sockets.push(socket);
        const chunks: Buffer[] = [];
        let closed = false;
        socket.on("data", (c: Buffer) => chunks.push(c));
        socket.on("error", () => undefined);
        socket.on("close", () => (closed = true));
        socket.once("connect", () =>
          resolve({
            send: (data) => {
              if (!socket.destroyed) socket.write(data);
            },
            received: () => new Uint8Array(Buffer.concat(chunks)),
            get closed() {
              return closed;
            },
            close: () => socket.destroy(),
            stall: () => socket.pause(),
            resume: () => socket.resume(),
          }),
        );
        socket.once("error", reject);
      });
    },
    wait: (ms) => delay(ms),
    async closed(peer, ms) {
      const deadline = Date.now() + ms;
      while (!peer.closed && Date.now() < deadline) await delay(5);
      return peer.closed;
    },
    async stop() {
      service?.close();
      for (const socket of sockets) socket.destroy();
      tcp.shutdown();
      clock.shutdown();
    },
  };
}

httpServerContract("NodeTcp over loopback", nodeRig);
