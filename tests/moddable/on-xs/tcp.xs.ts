/*
 * The Tcp contract against the device host's ModdableTcp (hosts/moddable/tcp.ts) over the SDK
 * socket stand-in, on XS: both ends are the device's (its listener, and a client socket that
 * connects to it), on the stand-in machine's virtual clock. After each test nothing may have
 * escaped a socket callback and no SDK rule may have been broken (unread data, writes to a
 * connection the VM was told had ended).
 */

import { ModdableTcp } from "hosts/moddable/tcp";
import { tcpContract } from "../../contract/tcp-contract";
import { assertQuiet, machine, resetDevice } from "../standins/control";

tcpContract("ModdableTcp over the SDK socket stand-in", () => {
  resetDevice();
  return {
    tcp: new ModdableTcp(),
    host: "127.0.0.1",
    port: 8080,
    wait: (ms) => machine.advance(ms),
    until: (condition, ms) => machine.until(condition, ms),
    async stop() {
      await machine.advance(100);
      assertQuiet();
    },
  };
});
