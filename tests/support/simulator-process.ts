/*
 * Runs the simulator the way a user does (`npm start`'s entry, as its own process) on a free
 * port and a fresh state folder, and waits for its "listening on" line. Node only.
 */

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as delay } from "node:timers/promises";

const ROOT = resolve(import.meta.dirname, "../..");
const LISTENING = /listening on (http:\/\/\S+)/;

export interface SimulatorProcess {
  readonly child: ChildProcess;
  readonly stateDir: string;
  /** The URL of the latest "listening on" line. */
  url: string;
  readonly output: string[];
  /** Waits until `count` lines matching pattern have been printed; returns the last of them. */
  waitForLine(pattern: RegExp, count?: number, timeoutMs?: number): Promise<string>;
  /** Waits for the count-th boot (a reboot prints the line again) and updates url. */
  waitForBoot(count: number): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startSimulatorProcess(options: { stateDir?: string; args?: string[] } = {}): Promise<SimulatorProcess> {
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), "iot-sim-"));
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(ROOT, "hosts/node/start.ts"), "--port", "0", "--state", stateDir, ...(options.args ?? [])],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  const output: string[] = [];
  let partial = "";
  const onData = (chunk: Buffer): void => {
    partial += chunk.toString("utf8");
    const lines = partial.split("\n");
    partial = lines.pop() ?? "";
    output.push(...lines);
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  const sim: SimulatorProcess = {
    child,
    stateDir,
    url: "",
    output,
    async waitForLine(pattern, count = 1, timeoutMs = 20_000): Promise<string> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const matches = output.filter((l) => pattern.test(l));
        if (matches.length >= count) return matches[count - 1];
        if (child.exitCode !== null) throw new Error(`simulator exited (${child.exitCode}) before ${pattern}:\n${output.join("\n")}`);
        if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${output.join("\n")}`);
        await delay(20);
      }
    },
    async waitForBoot(count: number): Promise<void> {
      const line = await sim.waitForLine(LISTENING, count);
      sim.url = LISTENING.exec(line)![1];
    },
    async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const code = await exited;
      if (!options.stateDir) rmSync(stateDir, { recursive: true, force: true });
      return code;
    },
  };
  await sim.waitForBoot(1);
  return sim;
}
