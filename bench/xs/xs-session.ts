/*
 * The benchmark's handle on a real XS engine: bundles bench/xs/xs-bench-app.ts (with the demo
 * app and the core) into one strict script with tests/xs/bundle.ts's bundleForXs, as the core
 * tests are bundled, starts bench/xs/xs-meter.mjs (the only process that may load @endo/init and @agoric/xsnap) and
 * sends it commands, one xsnap crank each, returning XS's meter for each crank.
 */

import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { bundleForXs, ROOT } from "../../tests/xs/bundle.ts";
import type { XsCommand } from "./xs-bench-app.ts";

export interface XsMeter {
  /** Deterministic computation units of the crank (XS's meter; not time). */
  compute: number;
  /** Slots in use at the end of the crank: live slots when the crank ended with gc(). */
  currentHeapCount: number;
  /** Bytes XS has reserved from the system so far (only ever grows). */
  allocate: number;
}

export interface XsSnapshotFigures {
  bytes: number;
  /** Live chunk bytes: strings, array and Map storage, buffers, bytecode. */
  chunkBytes: number;
  /** Live slot bytes: slots × slotSize. */
  slotBytes: number;
  /** sizeof(txSlot) on this build of XS. */
  slotSize: number;
}

/** Longest a single command may take: the slowest (an OTA step of 1 MiB on a busy machine) takes seconds. */
const COMMAND_TIMEOUT_MS = 120_000;

interface Pending {
  resolve(message: Record<string, unknown>): void;
  reject(error: Error): void;
}

/** Bundles the XS side of the benchmark; returns the script's path. */
export async function bundleXsBench(options: { name?: string } = {}): Promise<string> {
  const script = join(ROOT, ".build", "bench", `${options.name ?? `xs-bench-${process.pid}`}.js`);
  await bundleForXs({ entry: join(ROOT, "bench", "xs", "xs-bench-app.ts"), outfile: script, what: "the XS bench" });
  return script;
}

export class XsSession {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #failure: Error | undefined;
  readonly ready: Promise<XsMeter>;

  private constructor(script: string) {
    this.#child = spawn(process.execPath, [join(ROOT, "bench", "xs", "xs-meter.mjs"), script], {
      cwd: ROOT,
      stdio: ["pipe", "pipe", "inherit"],
    });
    let onReady!: (message: Record<string, unknown>) => void;
    let onFail!: (error: Error) => void;
    this.ready = new Promise<Record<string, unknown>>((resolve, reject) => {
      onReady = resolve;
      onFail = reject;
    }).then((m) => {
      if (m.ready !== true) throw new Error(String(m.error ?? "the XS engine did not start"));
      return m.meter as XsMeter;
    });
    const fail = (error: Error): void => {
      this.#failure ??= error;
      onFail(error);
      for (const p of this.#pending.values()) p.reject(error);
      this.#pending.clear();
    };
    createInterface({ input: this.#child.stdout! }).on("line", (line) => {
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return; // XS print() output, not protocol.
      }
      if ("ready" in message) return onReady(message);
      const pending = this.#pending.get(Number(message.id));
      if (!pending) return;
      this.#pending.delete(Number(message.id));
      if (message.error !== undefined) pending.reject(new Error(String(message.error)));
      else pending.resolve(message);
    });
    this.#child.on("error", fail);
    // A write to an engine that just died: the "exit" below reports it.
    this.#child.stdin!.on("error", () => undefined);
    this.#child.on("exit", (code, signal) => fail(new Error(`the XS engine process exited (${signal ?? code})`)));
  }

  static async start(script: string): Promise<XsSession> {
    const session = new XsSession(script);
    await session.ready;
    return session;
  }

  #send(message: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      // XS runs without a metering limit, so a busy loop would never end on its own.
      const timer = setTimeout(() => {
        reject(new Error(`XS did not answer within ${COMMAND_TIMEOUT_MS / 1000} s: ${JSON.stringify(message).slice(0, 80)}`));
        this.#child.kill("SIGKILL");
      }, COMMAND_TIMEOUT_MS);
      this.#pending.set(id, {
        resolve: (m) => (clearTimeout(timer), resolve(m)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.#child.stdin!.write(`${JSON.stringify({ id, ...message })}\n`);
    });
  }

  /** Runs one command in its own crank; the reply (parsed, {} for none) and the crank's meter. */
  async command(command: XsCommand): Promise<{ reply: Record<string, unknown>; meter: XsMeter }> {
    const message = await this.#send({ command: JSON.stringify(command) });
    const text = String(message.reply ?? "");
    const reply = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (reply.ok === false) throw new Error(`XS: ${command.op} failed: ${String(reply.error)}`);
    return { reply, meter: message.meter as XsMeter };
  }

  /** Hands XS a file's bytes (an OTA image); they stay allocated there until "ota-drop". */
  async sendImage(file: string): Promise<Record<string, unknown>> {
    const message = await this.#send({ imageFile: file });
    return JSON.parse(String(message.reply)) as Record<string, unknown>;
  }

  /** Live slots after a full collection (see README.md, "Benchmarks", for why this reading is exact). */
  async liveSlots(): Promise<number> {
    return (await this.command({ op: "gc" })).meter.currentHeapCount;
  }

  /** The live heap as a snapshot sees it (taken after XS's own collection). */
  async snapshot(): Promise<XsSnapshotFigures> {
    return (await this.#send({ snapshot: true })).snapshot as XsSnapshotFigures;
  }

  async close(): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (this.#child.exitCode !== null || this.#child.signalCode !== null) resolve();
      else this.#child.once("exit", () => resolve());
    });
    this.#child.stdin!.end();
    const timer = setTimeout(() => this.#child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
