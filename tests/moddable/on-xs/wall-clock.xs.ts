/*
 * The WallClock and Resolver contracts against the device host's ModdableWallClock (Time.set
 * over the SDK's time stand-in) and ModdableResolver (Net.resolve over the net stand-in), on XS.
 */

import { ModdableResolver } from "hosts/moddable/resolver";
import { ModdableWallClock } from "hosts/moddable/wall-clock";
import { resolverContract } from "../../contract/resolver-contract";
import { wallClockContract } from "../../contract/wall-clock-contract";
import { machine, resetDevice, wire } from "../standins/control";

wallClockContract("ModdableWallClock over the time stand-in", () => {
  resetDevice();
  return {
    wall: new ModdableWallClock(),
    toleranceMs: 5,
    wait: (ms) => {
      const end = Date.now() + ms;
      while (Date.now() < end);
      return Promise.resolve();
    },
  };
});

resolverContract("ModdableResolver over the net stand-in", () => {
  resetDevice();
  wire.hosts.set("time.example", "10.0.0.123");
  return {
    resolver: new ModdableResolver(),
    known: { name: "time.example", address: "10.0.0.123" },
    unknown: "nowhere.example",
    wait: (ms) => machine.advance(ms),
  };
});
