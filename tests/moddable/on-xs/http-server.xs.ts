/*
 * The HttpServer contract against the device's web server as the device builds it: the core's
 * HttpServer over ModdableTcp (hosts/moddable/tcp.ts), TimerClock (clock.ts) and the native text
 * codec (text-codec.ts), over the SDK socket, timer and time stand-ins, on XS. Clients are peers
 * on the stand-in's wire, from distinct addresses (REMOTE_IP), their bytes in exact pbufs of the
 * requested splits; time is the stand-in machine's. After each test nothing may have escaped a
 * socket callback and no SDK rule may have been broken.
 */

import { TimerClock } from "hosts/moddable/clock";
import { ModdableTcp } from "hosts/moddable/tcp";
import { MODDABLE_TEXT_CODEC } from "hosts/moddable/text-codec";
import { HttpServer } from "../../../modules/http/http-server";
import type { HttpService } from "../../../modules/http/http-message";
import { Logger } from "../../../modules/log/logger";
import { httpServerContract, type HttpPeer, type HttpServerRig } from "../../contract/http-server-contract";
import { assertQuiet, machine, resetDevice, wire } from "../standins/control";

const PORT = 80;

function moddableRig(): HttpServerRig {
  resetDevice();
  let service: HttpService | undefined;
  return {
    exactSplits: true,
    async start(handler, limits) {
      const server = new HttpServer({ tcp: new ModdableTcp(), clock: new TimerClock(), text: MODDABLE_TEXT_CODEC, limits, log: new Logger({ write: () => undefined }, false) });
      service = server.serve({ port: PORT }, handler);
      await service.ready;
    },
    async dial(options = {}) {
      const peer = wire.dial(PORT, { remote: `10.0.0.${10 + (options.client ?? 0)}`, split: options.split });
      const adapted: HttpPeer = {
        send: (data) => peer.send(data),
        received: () => peer.bytes(),
        get closed() {
          return peer.closed;
        },
        close: () => peer.close(),
      };
      await machine.settle();
      return adapted;
    },
    wait: (ms) => machine.advance(ms),
    closed: (peer, ms) => machine.until(() => peer.closed, ms),
    async stop() {
      service?.close();
      await machine.advance(5_000);
      assertQuiet();
    },
  };
}

httpServerContract("core HttpServer over ModdableTcp (SDK socket stand-in)", moddableRig);
