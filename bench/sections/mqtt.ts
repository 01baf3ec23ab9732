/*
 * MQTT: a fleet of simulated devices (hosts/node/fleet.ts, in its own process) on a local
 * Mosquitto, at 1, 50 and 200 devices, each setting its data ten times a second: messages per
 * second delivered to a subscriber (mosquitto_sub on every device's data/t), the latency from the
 * device's iot.data.set() to the subscriber's read (the payload is the time it was set; the
 * subscriber, the broker and the devices share this machine's clock), and the heap each device
 * holds. Beside it, the floor: mosquitto_pub sending the same number of messages a second, of the
 * same size, through the same broker to the same kind of subscriber.
 * Figures only: nothing here fails on timing.
 */

import { spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { haveMosquitto, PEER_PASSWORD, PEER_USER, startMosquitto, Subscriber, type Mosquitto, type Received } from "../../tests/support/mosquitto.ts";
import { ROOT } from "../../tests/xs/bundle.ts";
import { bytes, notAvailable, num, type SectionResult } from "../report.ts";

const RATE = 10;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const now = (): number => performance.timeOrigin + performance.now();

interface Run {
  delivered: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

function summarise(messages: Received[], from: number, to: number): Run {
  const inWindow = messages.filter((m) => m.at >= from && m.at < to);
  const latencies = inWindow.map((m) => m.at - Number(m.text)).filter((l) => Number.isFinite(l)).sort((a, b) => a - b);
  const pick = (q: number): number => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] : NaN);
  return { delivered: inWindow.length / ((to - from) / 1000), p50: pick(0.5), p95: pick(0.95), p99: pick(0.99), max: latencies.at(-1) ?? NaN };
}

async function fleetRun(broker: Mosquitto, devices: number, windowMs: number): Promise<Run & { heapPerDevice: number; ready: boolean; published: number }> {
  const sub = new Subscriber(broker, ["fleet/+/data/t"]);
  await sub.ready;
  const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", join(ROOT, "bench/mqtt/fleet-run.ts"), "--devices", String(devices), "--broker", broker.url, "--user", PEER_USER, "--password", PEER_PASSWORD, "--rate", String(RATE)], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout! });
  const next = (): Promise<Record<string, unknown>> => new Promise((resolve) => lines.once("line", (line) => resolve(JSON.parse(line) as Record<string, unknown>)));
  const ready = await next();
  await sleep(1000);
  const from = now();
  await sleep(windowMs);
  const to = now();
  const ended = next();
  child.kill("SIGTERM");
  const { published } = await ended;
  await sub.stop();
  return { ...summarise(sub.messages, from, to), heapPerDevice: Number(ready.heapPerDevice), ready: ready.ready === true, published: Number(published) };
}

/** mosquitto_pub -l: one message per line, lines written at the fleet's rate, each its own time. */
async function floorRun(broker: Mosquitto, perSecond: number, windowMs: number): Promise<Run> {
  const sub = new Subscriber(broker, ["floor/t"]);
  await sub.ready;
  const pub = spawn("mosquitto_pub", ["-h", "127.0.0.1", "-p", String(broker.port), "-u", PEER_USER, "-P", PEER_PASSWORD, "-V", "mqttv311", "-t", "floor/t", "-q", "0", "-l"], { stdio: ["pipe", "ignore", "inherit"] });
  const start = now();
  let sent = 0;
  const stopAt = start + 1000 + windowMs + 200;
  const from = start + 1000;
  while (now() < stopAt) {
    const due = Math.floor(((now() - start) / 1000) * perSecond);
    let batch = "";
    for (; sent < due; sent++) batch += `${now()}\n`;
    if (batch) pub.stdin!.write(batch);
    await sleep(5);
  }
  const to = from + windowMs;
  pub.stdin!.end();
  await new Promise<void>((resolve) => pub.once("exit", () => resolve()));
  await sleep(200);
  await sub.stop();
  return summarise(sub.messages, from, to);
}

export async function measureMqtt(options: { quick: boolean }): Promise<SectionResult> {
  const key = "mqtt";
  const title = "MQTT fleet on Mosquitto";
  if (!haveMosquitto()) return notAvailable(key, title, "mosquitto and mosquitto-clients are not installed (apt-get install mosquitto mosquitto-clients)");
  const broker = await startMosquitto();
  const sizes = options.quick ? [1, 10] : [1, 50, 200];
  const windowMs = options.quick ? 1000 : 5000;
  const rows: (string | number)[][] = [];
  const figures: Record<string, unknown> = { ratePerDevice: RATE, windowMs };
  try {
    for (const devices of sizes) {
      const fleet = await fleetRun(broker, devices, windowMs);
      const floor = await floorRun(broker, devices * RATE, windowMs);
      figures[`devices${devices}`] = { fleet, floor };
      rows.push([
        devices,
        num(devices * RATE),
        num(fleet.delivered),
        `${num(fleet.p50, 2)} / ${num(fleet.p95, 2)} / ${num(fleet.p99, 2)}`,
        bytes(fleet.heapPerDevice),
        num(floor.delivered),
        `${num(floor.p50, 2)} / ${num(floor.p95, 2)} / ${num(floor.p99, 2)}`,
      ]);
      if (!fleet.ready) rows[rows.length - 1][0] = `${devices} (not all connected)`;
    }
  } finally {
    await broker.close();
  }
  return {
    key,
    title,
    status: "ok",
    table: { columns: ["devices", "offered msg/s", "delivered msg/s", "latency p50/p95/p99 ms", "heap per device", "floor delivered msg/s", "floor latency p50/p95/p99 ms"], rows },
    notes: [
      `Each device sets data "t" (and two other keys) ${RATE} times a second; "delivered" counts data/t messages a mosquitto_sub received in a ${windowMs / 1000} s window.`,
      "Latency: from iot.data.set() in the device to the subscriber reading mosquitto_sub's line (the floor: from writing the line to mosquitto_pub -l).",
      "Heap per device: the fleet process's V8 heap after gc() with every device connected, over the heap before, per device (Node, not XS).",
    ],
    figures,
  };
}
