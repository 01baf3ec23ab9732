/*
 * Where GET /data spends its compute on XS, piece by piece: XS's meter for each probe of
 * bench/xs/data-probes.ts (a part of the request path, or an engine primitive it uses), per
 * operation = (meter of 2k - meter of k) / k, so the command's own cost cancels out; beside it µs
 * in XS per operation (the fastest of three rounds of 20 × 10), for the native work the meter leaves out.
 *
 *   npx tsx bench/xs/profile-data.ts [entries] [probe-name-substring...]   # default: 10 entries, all probes
 */

import { rmSync } from "node:fs";
import { bundleXsBench, XsSession } from "./xs-session.ts";

const args = process.argv.slice(2);
const entries = args.length && /^[0-9]+$/.test(args[0]) ? Number(args.shift()) : 10;
const script = await bundleXsBench({ name: "profile-data" });
const xs = await XsSession.start(script);
try {
  await xs.command({ op: "load" });
  await xs.command({ op: "boot" });
  await xs.command({ op: "clear-data" });
  await xs.command({ op: "fill-data", from: 0, n: entries });
  const names = (await xs.command({ op: "probe" })).reply.probes as string[];
  const k = 10;
  for (const name of names) {
    if (args.length && !args.some((a) => name.includes(a))) continue;
    // Once first: a probe's first run may make what later runs reuse (the page's sorted sections).
    await xs.command({ op: "probe", probe: name, iterations: 1 });
    const once = await xs.command({ op: "probe", probe: name, iterations: k });
    const twice = await xs.command({ op: "probe", probe: name, iterations: 2 * k });
    // Time in XS for scale (the meter leaves native loops out): the fastest of three rounds of 20 × k.
    let ms = Infinity;
    for (let r = 0; r < 3; r++) ms = Math.min(ms, Number((await xs.command({ op: "probe", probe: name, iterations: 20 * k })).reply.ms));
    console.log(String((twice.meter.compute - once.meter.compute) / k).padStart(8), ((ms * 1000) / (20 * k)).toFixed(2).padStart(9), "µs", name);
  }
} finally {
  await xs.close();
  rmSync(script, { force: true });
}
