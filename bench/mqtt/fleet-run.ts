/*
 * One process of the MQTT benchmark's fleet (hosts/node/fleet.ts): starts N devices, waits until
 * every one is connected, measures the heap they hold (after gc(), over the heap before they were
 * made), prints one JSON line {ready, devices, heapPerDevice, rssPerDevice}, and runs until
 * SIGTERM, when it prints {published} and exits. Run with --expose-gc.
 */

import { parseArgs } from "node:util";
import { startFleet } from "../../hosts/node/fleet.ts";

const { values } = parseArgs({
  options: {
    devices: { type: "string" },
    broker: { type: "string" },
    user: { type: "string", default: "" },
    password: { type: "string", default: "" },
    rate: { type: "string", default: "10" },
  },
  strict: true,
});
const devices = Number(values.devices);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

gc();
const heap0 = process.memoryUsage().heapUsed;
const rss0 = process.memoryUsage().rss;
const fleet = await startFleet({
  devices,
  broker: String(values.broker),
  user: values.user,
  password: values.password,
  ratePerSecond: Number(values.rate),
  topicPrefix: "fleet/",
  log: () => undefined,
});
const deadline = Date.now() + 30_000;
while (fleet.connected() < devices && Date.now() < deadline) await sleep(50);
await sleep(500);
gc();
const memory = process.memoryUsage();
process.stdout.write(
  `${JSON.stringify({ ready: fleet.connected() === devices, devices, connected: fleet.connected(), heapPerDevice: (memory.heapUsed - heap0) / devices, rssPerDevice: (memory.rss - rss0) / devices })}\n`,
);
process.on("SIGTERM", () => {
  process.stdout.write(`${JSON.stringify({ published: fleet.published() })}\n`);
  fleet.stop();
  process.exit(0);
});
