/*
 * Built into test:moddable's debug build only (tests/moddable/sdk-build.ts names it "main"): it
 * starts the app as the device does (hosts/moddable/boot, named "heap-probe/boot" here) and then,
 * every two seconds, collects garbage and prints the XS heap that is live after the collection:
 *   heap-probe: <slot bytes> <chunk bytes> <keys>
 * The instrumentation the debug build prints by itself reads the heap between collections,
 * garbage included; this is what the app really holds, the figure the idle budget is about.
 * Its own cost is one timer, its closure and this module (a few slots; not preloaded, as "main" is not).
 * Plain JavaScript on purpose: it is test tooling, not part of any app, and is never type-checked
 * for the device world.
 */

import Debug from "debug";
import Instrumentation from "instrumentation";
import Timer from "timer";
import "heap-probe/boot";

const slots = Instrumentation.map("XS Slot Heap Used");
const chunks = Instrumentation.map("XS Chunk Heap Used");
const keys = Instrumentation.map("XS Keys Used");

Timer.repeat(() => {
	Debug.gc();
	trace(`heap-probe: ${Instrumentation.get(slots)} ${Instrumentation.get(chunks)} ${Instrumentation.get(keys)}\n`);
}, 2000);
