/*
 * The heap probe's peak counter (heap-peak.js): XS's own high-water marks of the slot and chunk
 * heaps (txMachine's peakHeapCount and peakChunksSize, kept by xsMemory.c in every build), reset
 * to what is live and read back later.
 *
 * Between start() and stop() the XS stress switch is on: every slot and chunk allocation
 * collects first (xsMemory.c, fxNewSlot and fxFindChunk, when compiled with mxStress=1), so the
 * marks are what was live at its highest, not live plus whatever garbage the last collection
 * left. That needs xsMemory.c built with -DmxStress=1, which tests/moddable/sdk-build.ts does
 * for the debug build only; it is also why a measured run is slow.
 * Test tooling: never in an app's manifest.
 */

#include "xsAll.h"
#include "xs.h"

extern int gxStress;

/** Collects, resets both marks to what is live, turns the stress switch on; returns [slot bytes, chunk bytes] live. */
void xs_heap_peak_start(xsMachine* the)
{
	fxCollect(the, XS_COMPACT_FLAG);
	the->peakHeapCount = the->currentHeapCount;
	the->peakChunksSize = the->currentChunksSize;
	gxStress = 1;
	xsResult = xsNewArray(2);
	xsSetIndex(xsResult, 0, xsInteger((txInteger)(the->currentHeapCount * sizeof(txSlot))));
	xsSetIndex(xsResult, 1, xsInteger((txInteger)the->currentChunksSize));
}

/** The marks since start(): [slot bytes, chunk bytes]. */
void xs_heap_peak_read(xsMachine* the)
{
	xsResult = xsNewArray(2);
	xsSetIndex(xsResult, 0, xsInteger((txInteger)(the->peakHeapCount * sizeof(txSlot))));
	xsSetIndex(xsResult, 1, xsInteger((txInteger)the->peakChunksSize));
}

/** Turns the stress switch off again. */
void xs_heap_peak_stop(xsMachine* the)
{
	gxStress = 0;
}
