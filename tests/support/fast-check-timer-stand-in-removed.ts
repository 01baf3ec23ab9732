/*
 * Removes the timer stand-ins fast-check-timer-stand-in.ts installed, once fast-check has read
 * them. See fast-check.ts.
 */

import { installedTimerStandIn } from "./fast-check-timer-stand-in";

export const removedTimerStandIn = installedTimerStandIn;

if (installedTimerStandIn) {
  const g = globalThis as Record<string, unknown>;
  delete g.setTimeout;
  delete g.clearTimeout;
}
