/*
 * `npm start`'s command line, as a user meets it: --help lists every flag; a wrong flag, a
 * missing value, a stray argument (also `npm start --port 9000` without the `--`, through the
 * real npm) is one line of error and exit code 2, never a stack trace; and stopping npm stops
 * the simulator with it: SIGTERM to npm's own process, and npm killed outright. The processes
 * are real (npm, node, the simulator's server on a free port); "stopped" means every process
 * under npm is gone, read from /proc.
 */

import * as assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as delay } from "node:timers/promises";

const ROOT = resolve(import.meta.dirname, "../..");
const START = join(ROOT, "hosts/node/start.ts");
// Every flag the simulator takes, as the README's table lists them.
const FLAGS = ["--port", "--host", "--state", "--max-connections", "--request-timeout", "--networks", "--dns-port", "--ssdp-port", "--ntp-server", "--mdns-port", "--help"];

function start(args: string[], env: NodeJS.ProcessEnv = {}) {
  // npm's own variables are left out, so this run looks like a plain `node` run unless a test sets them.
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("npm_")));
  return spawnSync(process.execPath, ["--import", "tsx", START, ...args], { cwd: ROOT, encoding: "utf8", env: { ...clean, ...env }, timeout: 60_000 });
}

function assertOneLineError(out: ReturnType<typeof start>, pattern: RegExp): void {
  assert.equal(out.status, 2, `exit code 2; stderr: ${out.stderr}`);
  const lines = out.stderr.split("\n").filter((l) => l !== "");
  assert.equal(lines.length, 1, `one line: ${JSON.stringify(out.stderr)}`);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(out.stderr, /\n\s+at |TypeError|ERR_PARSE_ARGS/, "no stack trace");
  assert.equal(out.stdout, "", "and nothing else");
}

/** The processes under `pid` (its children, theirs, ...), from /proc. */
function descendants(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ")".
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const [child, parent] of parents) if (parent === p) (out.push(child), walk(child));
  };
  walk(pid);
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("simulator: the command line (npm start)", function () {
  this.timeout(120_000);

  it("--help (and -h) prints every flag and exits 0", () => {
    for (const flag of ["--help", "-h"]) {
      const out = start([flag]);
      assert.equal(out.status, 0, out.stderr);
      for (const name of FLAGS) assert.match(out.stdout, new RegExp(`^  ${name}\\b`, "m"), `${name} in:\n${out.stdout}`);
      assert.match(out.stdout, /npm start -- /, "says how to pass flags through npm");
      assert.equal(out.stderr, "");
    }
  });

  it("an unknown flag is one line naming it (and the flag it looks like), exit code 2", () => {
    assertOneLineError(start(["--prot", "9000"]), /unknown flag --prot \(did you mean --port\?\)/);
    assertOneLineError(start(["--verbose"]), /unknown flag --verbose/);
  });

  it("a stray argument, a missing value, a flag given twice, a bad number: one line, exit code 2", () => {
    assertOneLineError(start(["9000"]), /unexpected argument "9000"/);
    assertOneLineError(start(["--port"]), /--port needs a value/);
    assertOneLineError(start(["--port", "1", "--port", "2"]), /--port is given twice/);
    assertOneLineError(start(["--help=yes"]), /--help takes no value/);
    assertOneLineError(start(["--port", "eighty"]), /--port must be a whole number/);
  });

  it("`npm start --port 9000` (the real npm, no --): one line saying to put -- before the flags", () => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("npm_")));
    const out = spawnSync("npm", ["start", "--port", "9000"], { cwd: ROOT, encoding: "utf8", env: clean, timeout: 60_000 });
    assert.notEqual(out.status, 0);
    const ours = out.stderr.split("\n").filter((l) => l.startsWith("npm start:"));
    assert.equal(ours.length, 1, out.stderr);
    assert.match(ours[0], /npm start -- --port 9000/);
    assert.doesNotMatch(out.stderr + out.stdout, /\n\s+at |ERR_PARSE_ARGS/, "no stack trace");
  });

  for (const signal of ["SIGTERM", "SIGKILL"] as const) {
    it(`${signal} to npm start's own process stops the simulator with it`, async () => {
      const stateDir = mkdtempSync(join(tmpdir(), "iot-cli-"));
      const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("npm_")));
      const npm: ChildProcess = spawn("npm", ["start", "--", "--port", "0", "--state", stateDir], { cwd: ROOT, env: clean, stdio: ["ignore", "pipe", "pipe"] });
      let output = "";
      npm.stdout!.on("data", (c: Buffer) => (output += c.toString()));
      npm.stderr!.on("data", (c: Buffer) => (output += c.toString()));
      const exited = new Promise<void>((r) => npm.once("exit", () => r()));
      let under: number[] = [];
      try {
        for (let i = 0; i < 600 && !/listening on (http:\/\/\S+)/.test(output); i++) await delay(50);
        const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
        assert.ok(url, `the simulator served:\n${output}`);
        assert.equal((await fetch(`${url}/data`)).status, 200);
        under = descendants(npm.pid!);
        assert.ok(under.length >= 1, "npm runs the simulator as its child");
        npm.kill(signal);
        await exited;
        // The simulator stops on its own: npm passes SIGTERM on; after SIGKILL it sees its parent go.
        for (let i = 0; i < 300 && under.some(alive); i++) await delay(50);
        assert.deepEqual(under.filter(alive), [], `every process under npm stopped:\n${output}`);
        await assert.rejects(fetch(`${url}/data`), "nothing serves on its port any more");
      } finally {
        for (const pid of under) if (alive(pid)) process.kill(pid, "SIGKILL");
        if (npm.exitCode === null && npm.signalCode === null) npm.kill("SIGKILL");
        rmSync(stateDir, { recursive: true, force: true });
      }
    });
  }
});
