/*
 * The heap probe's peak counter: start() collects and returns what is live ([slot bytes, chunk
 * bytes], 32-byte slots on 64-bit Linux), read() the highest either reached since, stop() ends
 * the measurement. While it runs every allocation collects first, so it is slow and the
 * marks are of live memory (heap-peak.c says how). Test tooling, debug build only.
 */

function start() @ "xs_heap_peak_start";
function read() @ "xs_heap_peak_read";
function stop() @ "xs_heap_peak_stop";

export { start, read, stop };
