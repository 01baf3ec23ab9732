/*
 * Where GET /data spends its compute on XS, piece by piece: XS's meter for each probe of
 * bench/xs/data-probes.ts (a part of the request path, or an engine primitive it uses), per
 * operation = (meter of 2k - meter of k) / k, so the command's own cost cancels out.
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
    const once = await xs.command({ op: "probe", probe: name, iterations: k });
    const twice = await xs.command({ op: "probe", probe: name, iterations: 2 * k });
    console.log(String((twice.meter.compute - once.meter.compute) / k).padStart(8), name);
  }
} finally {
  await xs.close();
  rmSync(script, { force: true });
}
