/*
 * The simulator's speed: GET /data under load (autocannon's programmatic API), next to a bare
 * node:http server answering the same bytes with the same Connection: close, in the same run,
 * alternating rounds so that a machine busy with something else slows both alike.
 *
 * Both servers run in their own process (the simulator exactly as `npm start` runs it), so the
 * load generator here and the server each have a core. Connections = HTTP_LIMITS.maxConnections
 * (4): more would be answered 503 by design; the 503s still counted are connections that the
 * server had not finished closing when the client opened the next one.
 *
 * autocannon assumes keep-alive: after a response it writes the next request on the same
 * socket, even when the server said Connection: close, and that request is lost with the socket
 * while it stays in autocannon's queue; every later response is then matched to an older request
 * (latencies of hundreds of ms, "sent" twice "total"). closeAwareClient makes each client honour
 * Connection: close as a browser does: a new connection for the next request.
 */

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { get } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import autocannon, { type AutocannonClient, type AutocannonResult } from "autocannon";
import { HTTP_LIMITS } from "../../modules/http/limits.ts";
import { startSimulatorProcess } from "../../tests/support/simulator-process.ts";
import { ROOT } from "../../tests/xs/bundle.ts";
import { num, ratio, type SectionResult } from "../report.ts";

/** Opens a new connection for the next request when the last response said Connection: close. */
export function closeAwareClient(client: AutocannonClient): void {
  let closing = false;
  client.on("headers", (info) => {
    closing = info.shouldKeepAlive === false;
  });
  const doRequest = client._doRequest;
  client._doRequest = function (this: AutocannonClient, ...args: unknown[]) {
    if (closing) {
      closing = false;
      // Destroys the socket and connects again; connecting sends the next request.
      this._resetConnection();
      return;
    }
    doRequest.apply(this, args);
  };
}

interface Captured {
  status: number;
  headers: [string, string][];
  body: string;
}

/** GET once, keeping the exact status, headers and body bytes. */
function capture(url: string): Promise<Captured> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const headers: [string, string][] = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          const name = res.rawHeaders[i];
          // Made by node:http for each response in both servers alike.
          if (!/^(date|connection|content-length|transfer-encoding|keep-alive)$/i.test(name)) headers.push([name, res.rawHeaders[i + 1]]);
        }
        resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString("base64") });
      });
      res.on("error", reject);
    }).on("error", reject);
  });
}

async function startBare(responseFile: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "bench", "load", "bare-server.ts"), responseFile], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the bare server did not start within 20 s")), 20_000);
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const m = /listening on (http:\/\/\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once("exit", (code) => reject(new Error(`the bare server exited (${code})`)));
  });
  return { url, child };
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

interface Run {
  requests: number;
  seconds: number;
  perSecond: number;
  status503: number;
  otherNon2xx: number;
  errors: number;
  timeouts: number;
  p50: number;
  p97_5: number;
  p99: number;
}

function load(url: string, seconds: number): Promise<AutocannonResult> {
  return autocannon({
    url: `${url}/data`,
    connections: HTTP_LIMITS.maxConnections,
    duration: seconds,
    pipelining: 1,
    timeout: 10,
    setupClient: closeAwareClient,
  });
}

function summarise(results: AutocannonResult[]): Run {
  const requests = results.reduce((s, r) => s + r.requests.total, 0);
  const seconds = results.reduce((s, r) => s + r.duration, 0);
  const status503 = results.reduce((s, r) => s + (r.statusCodeStats["503"]?.count ?? 0), 0);
  const non2xx = results.reduce((s, r) => s + r.non2xx, 0);
  // Percentiles of the rounds' histograms cannot be merged exactly; the median round's are shown.
  const median = (pick: (r: AutocannonResult) => number): number => {
    const values = results.map(pick).sort((a, b) => a - b);
    return values[Math.floor((values.length - 1) / 2)];
  };
  return {
    requests,
    seconds,
    perSecond: requests / seconds,
    status503,
    otherNon2xx: non2xx - status503,
    errors: results.reduce((s, r) => s + r.errors, 0),
    timeouts: results.reduce((s, r) => s + r.timeouts, 0),
    p50: median((r) => r.latency.p50),
    p97_5: median((r) => r.latency.p97_5),
    p99: median((r) => r.latency.p99),
  };
}

/** CPU time (user + system) a process has used, in ms, from /proc; undefined where there is none. */
function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // The fields after the command's ")" (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
/** USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS = 100;

/** One round against one server, with the CPU time the server used for it. */
async function measuredLoad(url: string, seconds: number, pid: number | undefined): Promise<{ result: AutocannonResult; cpuMs?: number }> {
  const before = cpuMs(pid);
  const result = await load(url, seconds);
  const after = cpuMs(pid);
  return { result, ...(before !== undefined && after !== undefined ? { cpuMs: after - before } : {}) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export async function measureThroughput(options: { quick: boolean }): Promise<SectionResult> {
  // Short rounds in pairs, the order swapped every pair: the ratio is the median of the pairs'
  // ratios, so a moment when the machine is busy with something else weighs one pair, not the figure.
  const rounds = options.quick ? 1 : 4;
  const seconds = options.quick ? 1 : 3;
  const warmup = options.quick ? 0 : 1;
  const work = mkdtempSync(join(tmpdir(), "iot-bench-"));
  let sim: Awaited<ReturnType<typeof startSimulatorProcess>> | undefined;
  let bare: { url: string; child: ChildProcess } | undefined;
  try {
    sim = await startSimulatorProcess({ stateDir: join(work, "state") });
    const captured = await capture(`${sim.url}/data`);
    const responseFile = join(work, "response.json");
    writeFileSync(responseFile, JSON.stringify(captured));
    bare = await startBare(responseFile);
    // The demo app's task changes its counter and time every 3 s: the simulator's body may
    // differ from this capture in a digit or two of the same length, never in shape.

    if (warmup) {
      await load(bare.url, warmup);
      await load(sim.url, warmup);
    }
    const bareRuns: AutocannonResult[] = [];
    const simRuns: AutocannonResult[] = [];
    const pairRatios: number[] = [];
    const cpu = { bare: [] as number[], sim: [] as number[] };
    for (let i = 0; i < rounds; i++) {
      const order = i % 2 ? (["sim", "bare"] as const) : (["bare", "sim"] as const);
      const pair: Record<string, AutocannonResult> = {};
      for (const which of order) {
        const run = await measuredLoad(which === "bare" ? bare.url : sim.url, seconds, which === "bare" ? bare.child.pid : sim.child.pid);
        pair[which] = run.result;
        (which === "bare" ? bareRuns : simRuns).push(run.result);
        if (run.cpuMs !== undefined && run.result.requests.total > 0) cpu[which].push((run.cpuMs * 1000) / run.result.requests.total);
      }
      pairRatios.push(pair.sim.requests.total / pair.sim.duration / (pair.bare.requests.total / pair.bare.duration));
    }
    const b = summarise(bareRuns);
    const s = summarise(simRuns);
    const simRatio = median(pairRatios);
    const cpuCell = (values: number[]): string => (values.length === rounds ? `${num(median(values))} µs` : "");
    const row = (label: string, r: Run, rel: string, cpuPerRequest: string): (string | number)[] => [
      label,
      num(r.perSecond),
      rel,
      cpuPerRequest,
      `${r.p50} ms`,
      `${r.p97_5} ms`,
      `${r.p99} ms`,
      num(r.status503),
      num(r.otherNon2xx + r.errors + r.timeouts),
    ];
    return {
      key: "throughput",
      title: "Simulator throughput (GET /data, Connection: close)",
      status: "ok",
      table: {
        columns: ["server", "requests/s", "vs bare", "server CPU per request", "p50", "p97.5", "p99", "503s", "other failures"],
        rows: [
          row("simulator (npm start)", s, `${ratio(simRatio)} (${ratio(Math.min(...pairRatios))} to ${ratio(Math.max(...pairRatios))})`, cpuCell(cpu.sim)),
          row("bare node:http, same bytes", b, ratio(1), cpuCell(cpu.bare)),
          ["goal (issue #18)", "", `≥ ${ratio(0.95)}`, "", "", "", "", "", ""],
        ],
      },
      notes: [
        `${HTTP_LIMITS.maxConnections} connections (the server's limit), ${rounds} pair(s) of ${seconds} s rounds after ${warmup} s warm-up, the order swapped every pair; a new connection per request`,
        "vs bare: the median of the pairs' ratios (their range in brackets); requests/s: all rounds together",
        "server CPU per request: the server process's user + system time over a round (/proc, 10 ms ticks) over its requests, the median round; the load generator here takes the other core, so a server that is not busy all the time is not what limits requests/s",
        `the body is ${Buffer.from(captured.body, "base64").length} bytes (the demo app's data); latency percentiles are the median round's, in whole ms (autocannon's resolution)`,
        "requests/s depend on the machine and on what else it runs: compare the ratio from one commit to the next, not the absolute figure",
      ],
      figures: {
        connections: HTTP_LIMITS.maxConnections,
        rounds,
        seconds,
        warmup,
        bodyBytes: Buffer.from(captured.body, "base64").length,
        simulator: { ...s, ...(cpu.sim.length === rounds ? { cpuUsPerRequest: median(cpu.sim) } : {}) },
        bare: { ...b, ...(cpu.bare.length === rounds ? { cpuUsPerRequest: median(cpu.bare) } : {}) },
        ratio: simRatio,
        pairRatios,
      },
    };
  } finally {
    if (bare) await stop(bare.child);
    if (sim) await sim.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
