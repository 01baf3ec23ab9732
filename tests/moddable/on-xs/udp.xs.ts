/*
 * The Udp contract against the device host's ModdableUdp (hosts/moddable/udp.ts) over the SDK
 * socket stand-in's UDP, on XS. The device binds fixed ports: lwIP picks a port for port 0
 * but the SDK's socket cannot say which, so ModdableUdp's ready would answer 0 there.
 */

import { ModdableUdp } from "hosts/moddable/udp";
import { udpContract } from "../../contract/udp-contract";
import { assertQuiet, machine, resetDevice } from "../standins/control";

udpContract("ModdableUdp over the SDK socket stand-in", () => {
  resetDevice();
  return {
    udp: new ModdableUdp(),
    ports: [5300, 5301],
    host: "127.0.0.1",
    wait: (ms) => machine.advance(ms),
    until: (condition, ms) => machine.until(condition, ms),
    async stop() {
      await machine.advance(100);
      assertQuiet();
    },
  };
});
