/*
 * The HttpClient contract against the device's download path: the core's TcpHttpClient over
 * ModdableTcp (and the native text codec) over the SDK socket stand-in, on XS. The scripted
 * server is a listener of the same ModdableTcp, so both ends are the device's sockets, on the
 * stand-in machine's clock.
 */

import { TimerClock } from "hosts/moddable/clock";
import { ModdableTcp } from "hosts/moddable/tcp";
import { MODDABLE_TEXT_CODEC } from "hosts/moddable/text-codec";
import { TcpHttpClient } from "../../../modules/http/http-client";
import { httpClientContract } from "../../contract/http-client-contract";
import { assertQuiet, machine, resetDevice } from "../standins/control";

httpClientContract("TcpHttpClient over ModdableTcp (SDK socket stand-in)", () => {
  resetDevice();
  const tcp = new ModdableTcp();
  return {
    tcp,
    clock: new TimerClock(),
    host: "127.0.0.1",
    port: 8080,
    makeClient: () => new TcpHttpClient({ tcp, text: MODDABLE_TEXT_CODEC }),
    wait: (ms) => machine.advance(ms),
    until: (condition, ms) => machine.until(condition, ms),
    async stop() {
      await machine.advance(1_000);
      assertQuiet();
    },
  };
});
