/*
 * Where the idle heap goes, step by step, on real XS (the bench's engine, the bundle as written):
 *
 *   npx tsx bench/xs/idle-steps.ts new-manager,app-setup,run,advance logring,config,server
 *
 * Each argument is a sequence of steps (idle-steps-app.ts's STEPS, or load / loadplain: the
 * bench's device or plain host, bb: its boot-budget with every feature off), run in an engine of
 * its own; it prints live slots / chunk bytes after each step minus before it, and the ESP32
 * estimate of the whole sequence (slots x 16 + chunk bytes). An order-sensitive tool: what one
 * step makes first (a name, a table's growth) the next does not pay again.
 */
import { join } from "node:path";
import { bundleForXs, ROOT } from "../../tests/xs/bundle.ts";
import { XsSession } from "./xs-session.ts";

const script = join(ROOT, ".build", "bench", "idle-steps.js");
await bundleForXs({ entry: join(ROOT, "bench", "xs", "idle-steps-app.ts"), outfile: script, what: "the idle steps" });
const sequences = process.argv.slice(2).map((s) => s.split(","));
for (const seq of sequences) {
  const xs = await XsSession.start(script);
  try {
    await xs.command({ op: "step", step: "noop" } as never);
    let slots = await xs.liveSlots();
    let chunks = (await xs.snapshot()).chunkBytes;
    let line = "";
    let ts = 0;
    let tc = 0;
    for (const step of seq) {
      if (step === "load") await xs.command({ op: "load", device: true });
      else if (step === "loadplain") await xs.command({ op: "load", device: false });
      else if (step === "bb") {
        await xs.command({ op: "boot-budget", budget: [] });
        await xs.command({ op: "result" });
      } else await xs.command({ op: "step", step } as never);
      const s = await xs.liveSlots();
      const c = (await xs.snapshot()).chunkBytes;
      line += `  ${step}: ${s - slots}/${c - chunks}`;
      ts += s - slots;
      tc += c - chunks;
      slots = s;
      chunks = c;
    }
    console.log(`${seq.join(",")}\n  total ${ts} slots ${tc} B  esp32 ${ts * 16 + tc}\n${line}`);
  } finally {
    await xs.close();
  }
}
