/*
 * Where GET / spends its compute on XS, fragment by fragment: XS's meter for producing the
 * page's first k fragments, for k = 0 .. all (the handler alone at k = 0), differences of
 * consecutive k grouped by the fragment's first characters. The meter is deterministic, so the
 * figures are the same on every run; it leaves native work (string joins, JSON.stringify) out.
 *
 *   npx tsx bench/xs/profile-page.ts [device] [entries...]   # default: 10 entries, plain host
 *
 * Prints the costliest groups first: meter, how many fragments, the fragment's start.
 */

import { rmSync } from "node:fs";
import { bundleXsBench, XsSession } from "./xs-session.ts";
const script = await bundleXsBench({ name: "profile" });
const xs = await XsSession.start(script);
await xs.command({ op: "load", device: process.argv.includes("device") });
await xs.command({ op: "boot" });
await xs.command({ op: "clear-data" });
const meter = async (n: number) => {
  const a = await xs.command({ op: "meter-page-prefix", n, iterations: 1 });
  const b = await xs.command({ op: "meter-page-prefix", n, iterations: 2 });
  return b.meter.compute - a.meter.compute;
};
const counts = process.argv.slice(2).filter((a) => a !== "device").map(Number);
let filled = 0;
for (const n of counts.length ? counts : [10]) {
  await xs.command({ op: "fill-data", from: filled, n });
  filled = n;
  const { reply } = await xs.command({ op: "prepare-floors" });
  const count = Number(reply.pageFragments);
  const labels: string[] = (await xs.command({ op: "profile-page", iterations: 1 })).reply.labels as string[];
  const groups = new Map<string, { m: number; c: number }>();
  let prev = await meter(0);
  groups.set("(handler)", { m: prev, c: 1 });
  for (let k = 1; k <= count + 1; k++) {
    const m = await meter(k);
    const label = k <= count ? labels[k - 1] : "(end)";
    const g = groups.get(label) ?? { m: 0, c: 0 };
    g.m += m - prev; g.c++;
    groups.set(label, g);
    prev = m;
  }
  console.log(`--- ${n} entries: ${count} fragments, total meter ${prev}`);
  for (const [l, g] of [...groups].sort((a, b) => b[1].m - a[1].m).slice(0, 30)) console.log(String(g.m).padStart(7), String(g.c).padStart(4), JSON.stringify(l));
}
await xs.close();
rmSync(script);
