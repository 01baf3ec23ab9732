/*
 * fast-check for core tests on every engine: import fc from here, not from "fast-check".
 *
 * fast-check is plain JavaScript and runs on XS, but it reads the global setTimeout once, when
 * it loads (it uses it only for its timeout options, which core tests do not use). XS has no
 * setTimeout, so reading it throws and the whole test file fails to load. This module gives
 * fast-check a stand-in that throws if it is ever called, and removes the stand-in again once
 * fast-check has loaded, so no other test sees a timer global that the device does not have.
 * The three imports run in this order because ES modules evaluate their imports in order.
 * scaledRuns() sizes run counts for the engine.
 */

import "./fast-check-timer-stand-in";
import fc from "fast-check";
import "./fast-check-timer-stand-in-removed";
import { scaled } from "./engine";

export default fc;

/**
 * How many runs a property gets: `runs` on Node; a tenth (at least 3) on other engines. XS is
 * an interpreter, about a hundred times slower here, and every core test shares one XS time
 * limit: there the properties still run, to show they hold on the device's engine, while Node
 * does the broad search.
 */
export function scaledRuns(runs: number): number {
  return scaled(runs);
}
