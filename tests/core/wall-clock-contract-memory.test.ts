/* The WallClock contract against the core's own OffsetWallClock (Date plus an offset), on Node and XS. */

import { OffsetWallClock } from "../../modules/clock/device-clock";
import { wallClockContract } from "../contract/wall-clock-contract";

wallClockContract("OffsetWallClock (the core's, over Date)", () => ({
  wall: new OffsetWallClock(),
  toleranceMs: 5,
  wait: (ms) => {
    // Date moves on its own; a busy wait keeps this engine-neutral (no timers on XS here).
    const end = Date.now() + ms;
    while (Date.now() < end);
    return Promise.resolve();
  },
}));
