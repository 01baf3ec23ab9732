/*
 * Runs the Moddable simulator (mcsim) headless on an app's mc.so and reads its output. Node only.
 *
 * What mcsim needs, and how each is met (see docs/device.md):
 * - A display: it is a GTK program. It runs under `xvfb-run -a` (a private X server on a free
 *   display number), with NO_AT_BRIDGE=1 so GTK does not look for an accessibility bus.
 * - $HOME/.config: it copies the mc.so there (.config/tech.moddable.mcsim/) before loading it,
 *   and keeps its own settings there. Each run gets a HOME of its own, so it never shares
 *   either with a simulator someone else is running.
 * - Its stdout is where trace() goes (and, in a debug build with no xsbug, the instrumentation
 *   samples). XS writes it with printf and never flushes, so into a pipe it arrives in blocks
 *   of several KB, or not at all when mcsim is killed: mcsim runs under `stdbuf -oL -eL`, so
 *   every line arrives when it is written.
 * - A debug build connects to xsbug on localhost:5002 at start (xs/platforms/lin_xs.c), and
 *   with one there it reports to it instead of printing. XSBUG_HOST/XSBUG_PORT point it at a
 *   port nothing listens on, so it prints, and a developer's own xsbug is left alone.
 * - Stopping: stop() sends SIGTERM to mcsim itself (xvfb-run's child, found through /proc), and
 *   xvfb-run then does its own tidying up: it stops Xvfb, which removes its /tmp/.X<n>-lock, and
 *   deletes its Xauthority folder (made under TMPDIR, which points into HOME). Killing xvfb-run
 *   instead would skip that and leave a lock that makes every later `xvfb-run -a` pick the next
 *   display. If mcsim does not go within 5 s, the whole process group (xvfb-run, Xvfb, mcsim: it
 *   is started detached, as the group's leader) gets SIGTERM, then SIGKILL. stopNow() is the
 *   synchronous last resort for process exit: SIGTERM to the group.
 */

import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";

const LISTENING = /listening on http:\/\/([^\s:/]+):(\d+)/;

export interface McsimOptions {
  mcsim: string;
  mcSo: string;
  /** HOME for mcsim: a .config folder is made in it. */
  home: string;
  /** Every line mcsim prints is also written here. */
  logPath: string;
  /** A port nothing listens on, for a debug build's xsbug connection. */
  xsbugPort: number;
}

export interface Mcsim {
  readonly child: ChildProcess;
  readonly lines: string[];
  /** Waits for a line matching pattern printed after the first `from` lines; returns it. */
  waitForLine(pattern: RegExp, timeoutMs: number, from?: number): Promise<string>;
  /** Waits for the app's "listening on http://HOST:PORT" line; returns the port. */
  waitForListening(timeoutMs: number): Promise<number>;
  /** Listeners for every line as it arrives. */
  onLine(listener: (line: string) => void): void;
  readonly exited: Promise<number | null>;
  stop(): Promise<void>;
  stopNow(): void;
}

/** The pid of xvfb-run's child running `program` (stdbuf execs it, so its argv[0] is program). */
function childRunning(parent: number, program: string): number | undefined {
  try {
    const children = readFileSync(`/proc/${parent}/task/${parent}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
    return children.find((pid) => readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0] === program);
  } catch {
    return undefined; // Gone already, or not started yet.
  }
}

export function startMcsim(options: McsimOptions): Mcsim {
  mkdirSync(join(options.home, ".config"), { recursive: true });
  mkdirSync(join(options.home, "tmp"), { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: options.home,
    TMPDIR: join(options.home, "tmp"),
    NO_AT_BRIDGE: "1",
    XSBUG_HOST: "127.0.0.1",
    XSBUG_PORT: String(options.xsbugPort),
  };
  const child = spawn("xvfb-run", ["-a", "stdbuf", "-oL", "-eL", options.mcsim, options.mcSo], {
    env,
    cwd: options.home,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const log: WriteStream = createWriteStream(options.logPath);
  const lines: string[] = [];
  const listeners: ((line: string) => void)[] = [];
  let partial = "";
  const onData = (chunk: Buffer): void => {
    log.write(chunk);
    partial += chunk.toString("utf8");
    const parts = partial.split("\n");
    partial = parts.pop() ?? "";
    for (const line of parts) {
      lines.push(line);
      for (const l of listeners) l(line);
    }
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<number | null>((r) =>
    child.once("close", (code) => {
      log.end();
      r(code);
    }),
  );
  let exitedYet = false;
  void exited.then(() => (exitedYet = true));

  const signal = (name: NodeJS.Signals, pid = -(child.pid ?? 0)): void => {
    if (exitedYet || pid === 0) return;
    try {
      process.kill(pid, name);
    } catch {
      // Already gone.
    }
  };
  const exitsWithin = (ms: number): Promise<boolean> => Promise.race([exited.then(() => true), delay(ms).then(() => false)]);

  const sim: Mcsim = {
    child,
    lines,
    exited,
    onLine(listener) {
      listeners.push(listener);
    },
    async waitForLine(pattern, timeoutMs, from = 0) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = lines.slice(from).find((l) => pattern.test(l));
        if (found !== undefined) return found;
        if (exitedYet) throw new Error(`mcsim exited before printing ${pattern}; its last lines:\n${lines.slice(-30).join("\n")}`);
        if (Date.now() > deadline) throw new Error(`mcsim printed no ${pattern} within ${timeoutMs} ms; its last lines:\n${lines.slice(-30).join("\n")}`);
        await delay(25);
      }
    },
    async waitForListening(timeoutMs) {
      const line = await sim.waitForLine(LISTENING, timeoutMs);
      return Number(LISTENING.exec(line)![2]);
    },
    async stop() {
      const mcsim = child.pid === undefined ? undefined : childRunning(child.pid, options.mcsim);
      if (mcsim !== undefined) {
        signal("SIGTERM", mcsim);
        if (await exitsWithin(5000)) return;
      }
      signal("SIGTERM");
      if (await exitsWithin(3000)) return;
      signal("SIGKILL");
      await exited;
    },
    stopNow() {
      signal("SIGTERM");
    },
  };
  return sim;
}
