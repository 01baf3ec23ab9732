/* The WallClock and Resolver contracts against the simulator's NodeWallClock and NodeResolver. */

import { setTimeout as delay } from "node:timers/promises";
import { NodeResolver } from "../../hosts/node/resolver";
import { NodeWallClock } from "../../hosts/node/wall-clock";
import { resolverContract } from "../contract/resolver-contract";
import { wallClockContract } from "../contract/wall-clock-contract";

wallClockContract("NodeWallClock, starting unset (--ntp-server HOST)", () => ({
  wall: new NodeWallClock({ trustHost: false, startMs: 0 }),
  toleranceMs: 5,
  wait: (ms) => delay(ms),
}));

wallClockContract("NodeWallClock over the computer's clock (--ntp-server host)", () => ({
  wall: new NodeWallClock({ trustHost: true }),
  toleranceMs: 5,
  wait: (ms) => delay(ms),
}));

// localhost comes from /etc/hosts: no DNS server is asked, here or in CI.
resolverContract("NodeResolver", () => ({
  resolver: new NodeResolver(),
  known: { name: "localhost", address: "127.0.0.1" },
  wait: (ms) => delay(ms),
}));
