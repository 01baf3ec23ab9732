/*
 * The XS engine for the benchmarks: evaluates a bundle in a real XS (@agoric/xsnap), then relays
 * commands to it one crank each and reports XS's meter for every crank.
 *
 * A separate Node process, plain .mjs, never imported by the benchmark itself: the XS engine is
 * started by tests/xs/xsnap-worker.mjs (shared with the XS test run), which loads "@endo/init",
 * and that locks down the whole realm with SES, which must not happen to the process running
 * autocannon, esbuild and the simulator (nor under tsx's loader hooks).
 *
 * Usage: node bench/xs/xs-meter.mjs <bundle.js>
 * Protocol, one JSON object per line both ways:
 *   in  {"id":1,"command":"<text>"}   -> issueStringCommand(text): the bundle's handleCommand runs
 *   out {"id":1,"reply":"<text>","meter":{"compute":n,"currentHeapCount":n,"allocate":n}}
 *   in  {"id":3,"imageFile":"<path>"}  -> issueCommand("IMG:" + the file's bytes): a binary payload
 *   in  {"id":2,"snapshot":true}      -> a heap snapshot, parsed for its live chunk and slot bytes
 *   out {"id":2,"snapshot":{"bytes":n,"chunkBytes":n,"slotBytes":n,"slotSize":n}}
 *   out {"ready":true,"meter":{...}} once the bundle is evaluated; {"id":..,"error":".."} on failure.
 * It exits when stdin ends.
 */

import fsp from "node:fs/promises";
import readline from "node:readline";
import { startXsWorker } from "../../tests/xs/xsnap-worker.mjs";

const [scriptPath] = process.argv.slice(2);
if (!scriptPath) {
  console.error("usage: node bench/xs/xs-meter.mjs <bundle.js>");
  process.exit(2);
}

function send(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

function meterOf(usage) {
  return { compute: usage.compute ?? 0, currentHeapCount: usage.currentHeapCount ?? 0, allocate: usage.allocate ?? 0 };
}

/*
 * An XS snapshot is a sequence of atoms (4-byte big-endian size including the 8-byte atom head,
 * 4-byte tag) inside an "XS_M" atom. fxWriteSnapshot (xsSnapshot.c) collects garbage first, then
 * writes BLOC: every live chunk (strings, array storage, byte buffers, code), and HEAP: every
 * live slot. VERS's last byte is sizeof(txSlot) on this build (32 on a 64-bit host; the ESP32's
 * is 16).
 */
function parseSnapshot(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = { bytes: bytes.byteLength, chunkBytes: -1, slotBytes: -1, slotSize: -1 };
  let offset = 8; // past the XS_M head
  while (offset + 8 <= bytes.byteLength) {
    const size = view.getUint32(offset);
    const tag = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    if (tag === "VERS") out.slotSize = Math.abs(view.getInt8(offset + 11));
    if (tag === "BLOC") out.chunkBytes = size - 8;
    if (tag === "HEAP") out.slotBytes = size - 8;
    if (size < 8) break;
    offset += size;
  }
  return out;
}

const worker = await startXsWorker({ name: "xs-bench" });

process.on("unhandledRejection", (reason) => {
  send({ error: `unhandled rejection in the xsnap driver: ${reason?.message ?? reason}` });
});

try {
  const code = await fsp.readFile(scriptPath, "utf8");
  const result = await worker.evaluate(code);
  send({ ready: true, meter: meterOf(result.meterUsage) });
} catch (e) {
  send({ ready: false, error: `the bundle failed in XS: ${e?.message ?? e}` });
  await worker.terminate();
  process.exit(0);
}

// One request at a time, in order: a crank's meter belongs to exactly one command.
let queue = Promise.resolve();
const lines = readline.createInterface({ input: process.stdin });
lines.on("line", (line) => {
  queue = queue.then(async () => {
    let message;
    try {
      message = JSON.parse(line);
      if (message.snapshot) {
        const chunks = [];
        for await (const chunk of worker.makeSnapshotStream("bench")) chunks.push(chunk);
        send({ id: message.id, snapshot: parseSnapshot(Buffer.concat(chunks)) });
      } else if (message.imageFile) {
        const bytes = await fsp.readFile(message.imageFile);
        const result = await worker.issueCommand(Buffer.concat([Buffer.from("IMG:"), bytes]));
        send({ id: message.id, reply: new TextDecoder().decode(result.reply), meter: meterOf(result.meterUsage) });
      } else {
        const result = await worker.issueStringCommand(message.command);
        send({ id: message.id, reply: result.reply, meter: meterOf(result.meterUsage) });
      }
    } catch (e) {
      send({ id: message?.id, error: String(e?.message ?? e) });
    }
  });
});
lines.on("close", () => {
  void queue.then(() => worker.close()).finally(() => process.exit(0));
});
