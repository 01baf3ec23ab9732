/*
 * A real NTP server for the tests: Debian's chronyd, started as a foreground process (-d) with
 * its own configuration in a fresh folder, answering on a free loopback UDP port only, never
 * touching this machine's clock (-x: chronyd then keeps its corrections in software and serves
 * the corrected time). Its time is moved by a known offset with `chronyc settime` (the
 * `manual` directive), and the exact offset it then serves is read back from `chronyc
 * tracking`. stop() ends that one process, by its pid. Node only.
 */

import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createSocket } from "node:dgram";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface Chrony {
  readonly port: number;
  /** ms chrony's time is ahead of this machine's (as chronyc tracking says it now). */
  offsetMs(): Promise<number>;
  stop(): Promise<void>;
}

export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket("udp4");
    s.once("error", reject);
    s.bind(0, "127.0.0.1", () => {
      const port = s.address().port;
      s.close(() => resolve(port));
    });
  });
}

export function chronyPath(): string {
  return "/usr/sbin/chronyd";
}

export async function startChrony(options: { offsetSeconds?: number } = {}): Promise<Chrony> {
  const dir = mkdtempSync(join(tmpdir(), "chrony-"));
  const port = await freeUdpPort();
  const socket = join(dir, "chronyd.sock");
  writeFileSync(
    join(dir, "chrony.conf"),
    [
      `port ${port}`,
      "bindaddress 127.0.0.1",
      "allow 127.0.0.1",
      "local stratum 3",
      "manual",
      "cmdport 0",
      `bindcmdaddress ${socket}`,
      `pidfile ${join(dir, "chronyd.pid")}`,
      "",
    ].join("\n"),
  );
  const child: ChildProcess = spawn(chronyPath(), ["-x", "-d", "-u", "root", "-f", join(dir, "chrony.conf")], { stdio: ["ignore", "pipe", "pipe"] });
  const output: string[] = [];
  child.stdout?.on("data", (b: Buffer) => output.push(b.toString()));
  child.stderr?.on("data", (b: Buffer) => output.push(b.toString()));
  const chronyc = async (...args: string[]): Promise<string> => (await run("chronyc", ["-h", socket, ...args])).stdout;
  let ready = false;
  for (let i = 0; i < 100 && !ready; i++) {
    if (child.exitCode !== null) break;
    try {
      await chronyc("tracking");
      ready = true;
    } catch {
      await delay(50);
    }
  }
  if (!ready) {
    child.kill();
    throw new Error(`chronyd did not start:\n${output.join("")}`);
  }
  if (options.offsetSeconds) {
    const target = new Date(Date.now() + options.offsetSeconds * 1000);
    // chronyc's date parser takes "Mon DD, YYYY HH:MM:SS" (whole seconds): the rest shows in tracking.
    const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    const two = (n: number): string => String(n).padStart(2, "0");
    const text = `${months[target.getUTCMonth()]} ${two(target.getUTCDate())}, ${target.getUTCFullYear()} ${two(target.getUTCHours())}:${two(target.getUTCMinutes())}:${two(target.getUTCSeconds())} UTC`;
    await chronyc("settime", text);
  }
  return {
    port,
    async offsetMs(): Promise<number> {
      const tracking = await chronyc("tracking");
      const m = /System time\s*:\s*([\d.]+) seconds (slow|fast) of NTP time/.exec(tracking);
      if (!m) throw new Error(`cannot read chronyc tracking:\n${tracking}`);
      return Number(m[1]) * 1000 * (m[2] === "slow" ? 1 : -1);
    },
    async stop(): Promise<void> {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
