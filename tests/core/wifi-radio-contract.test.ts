/*
 * The Radio contract run against the unit tests' FakeRadio, so the stand-in the policy tests
 * rely on keeps the same promises as the simulator's radio (tests/node/wifi-radio.test.ts runs
 * the same suite there). Runs on Node and on XS.
 */

import { FakeRadio } from "../support/fake-radio";
import { radioContract } from "../contract/radio-contract";
import { VirtualClock } from "../support/virtual-clock";

radioContract("FakeRadio (device-like, for unit tests)", () => {
  const clock = new VirtualClock();
  const radio = new FakeRadio(clock);
  return {
    radio,
    clock,
    put: (n) => radio.put(n),
    remove: (ssid) => radio.remove(ssid),
    settleMs: 10_000,
  };
});
