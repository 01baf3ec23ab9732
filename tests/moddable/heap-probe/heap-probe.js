/*
 * Built into test:moddable's debug build only (tests/moddable/sdk-build.ts names it "main"): it
 * starts the app as the device does (hosts/moddable/boot, named "heap-probe/boot" here) and then,
 * every two seconds, collects garbage and prints the XS heap that is live after the collection:
 *   heap-probe: <slot bytes> <chunk bytes> <keys>
 * The instrumentation the debug build prints by itself reads the heap between collections,
 * garbage included; this is what the app really holds, the figure the idle budget is about.
 * Its own cost is one timer, its closure and this module (a few slots; not preloaded, as "main" is not).
 *
 * What it starts is the one word in the file "heap-probe-mode" next to the app's Preference file
 * (config.file.root; run-on-sdk.ts writes it for its baseline runs), else the app:
 * - "empty": nothing: what the SDK and this probe hold by themselves;
 * - "preference": only the SDK's Preference module (not preloaded in the lin build, where it also
 *   keeps every saved value in a JavaScript object: on the ESP32 it is preloaded and NVS is C);
 * - "host": the device host without the manager (heap-probe/host-only.js);
 * - "tls <name>:<port> ...": one HTTPS exchange with each server, measured (heap-probe/tls-probe.js);
 * - "github <api URL> <repository>": one update check against GitHub's stand-in (heap-probe/github-probe.js).
 * The same build serves every mode, so the figures differ only by what each starts; the File
 * module this reads with is held in every mode alike.
 * Plain JavaScript on purpose: it is test tooling, not part of any app, and is never type-checked
 * for the device world.
 */

import Debug from "debug";
import Instrumentation from "instrumentation";
import Timer from "timer";
import config from "mc/config";
import { File } from "file";

function mode() {
	const path = `${config.file.root}heap-probe-mode`;
	if (!File.exists(path)) return ["app"];
	const file = new File(path);
	const words = file.read(String).trim().split(/\s+/);
	file.close();
	return words;
}

const [started, ...args] = mode();
trace(`heap-probe: mode ${started}\n`);
const starting = started === "empty" ? Promise.resolve() :
	started === "preference" ? import("preference") :
	started === "host" ? import("heap-probe/host-only") :
	started === "tls" ? import("heap-probe/tls-probe").then((probe) => probe.default(args)) :
	started === "github" ? import("heap-probe/github-probe").then((probe) => probe.default(args)) :
	import("heap-probe/boot");
starting.then(undefined, (error) => trace(`heap-probe: ${started} failed to start: ${error}\n`));

const slots = Instrumentation.map("XS Slot Heap Used");
const chunks = Instrumentation.map("XS Chunk Heap Used");
const keys = Instrumentation.map("XS Keys Used");

Timer.repeat(() => {
	Debug.gc();
	trace(`heap-probe: ${Instrumentation.get(slots)} ${Instrumentation.get(chunks)} ${Instrumentation.get(keys)}\n`);
}, 2000);
