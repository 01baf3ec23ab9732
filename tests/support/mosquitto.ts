/*
 * A real Mosquitto (Debian's mosquitto) for the MQTT tests: started per suite on a free loopback
 * port with a password file (mosquitto_passwd) and an ACL, stopped by its pid, restartable on
 * the same port. Peers are Mosquitto's own clients (mosquitto_sub, mosquitto_pub), which share
 * no code with the device's client. Node only.
 *
 * Users: "device" (password DEVICE_PASSWORD) may write and read a device's own topics under any base and
 * homeassistant/#; "peer" (PEER_PASSWORD) may do anything, like Home Assistant or Node-RED.
 */

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";

export const DEVICE_USER = "device";
export const DEVICE_PASSWORD = "device-secret";
export const PEER_USER = "peer";
export const PEER_PASSWORD = "peer-secret";

export function haveMosquitto(): boolean {
  return ["mosquitto", "mosquitto_sub", "mosquitto_pub", "mosquitto_passwd"].every(
    (tool) => spawnSync("sh", ["-c", `command -v ${tool} || test -x /usr/sbin/${tool}`]).status === 0,
  );
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export interface Mosquitto {
  readonly port: number;
  readonly url: string;
  readonly log: string[];
  /** SIGKILL, then the same broker on the same port again (retained messages are lost: no persistence). */
  restart(downMs?: number): Promise<void>;
  /** Stops it (SIGTERM, by pid). */
  stop(): Promise<void>;
  /** Starts it again after stop(). */
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface MosquittoOptions {
  /** Extra lines of mosquitto.conf (max_packet_size, ...). */
  extra?: string[];
}

export async function startMosquitto(options: MosquittoOptions = {}): Promise<Mosquitto> {
  const dir = mkdtempSync(join(tmpdir(), "iot-mosquitto-"));
  const port = await freePort();
  const passwd = join(dir, "passwd");
  writeFileSync(passwd, "");
  for (const [user, password] of [
    [DEVICE_USER, DEVICE_PASSWORD],
    [PEER_USER, PEER_PASSWORD],
  ]) {
    const made = spawnSync("mosquitto_passwd", ["-b", passwd, user, password], { encoding: "utf8" });
    if (made.status !== 0) throw new Error(`mosquitto_passwd failed: ${made.stderr}`);
  }
  const acl = join(dir, "acl");
    // What a device needs and no more: its own topics under any base, and discovery.
  const own = ["status", "status/info", "data", "data/#", "state/#", "set/+", "error", "command/restart"].map((t) => `topic readwrite +/${t}`);
  writeFileSync(acl, [`user ${DEVICE_USER}`, ...own, "topic readwrite homeassistant/#", "", `user ${PEER_USER}`, "topic readwrite #", ""].join("\n"));
  const conf = join(dir, "mosquitto.conf");
  const lines = [
    `listener ${port} 127.0.0.1`,
    "allow_anonymous false",
    `password_file ${passwd}`,
    `acl_file ${acl}`,
    "persistence false",
    "log_dest stdout",
    "log_type error",
    "log_type warning",
    "log_type notice",
    "log_type information",
    "connection_messages true",
    // As root, mosquitto would switch to the user "mosquitto", who cannot read this folder.
    ...(process.getuid?.() === 0 ? ["user root"] : []),
    ...(options.extra ?? []),
  ];
  writeFileSync(conf, `${lines.join("\n")}\n`);
  const log: string[] = [];
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    const proc = spawn("mosquitto", ["-c", conf], { stdio: ["ignore", "pipe", "pipe"] });
    child = proc;
    const onData = (chunk: Buffer): void => void log.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    proc.stdout!.on("data", onData);
    proc.stderr!.on("data", onData);
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`mosquitto exited (${proc.exitCode}):\n${log.join("\n")}`);
      // Its log is block-buffered into the pipe: ask the port instead.
      if (await accepts(port)) return;
      if (Date.now() > deadline) throw new Error(`mosquitto did not start:\n${log.join("\n")}`);
      await delay(20);
    }
  }

  async function kill(signal: NodeJS.Signals): Promise<void> {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    process.kill(proc.pid as number, signal);
    await exited;
  }

  await start();
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    log,
    async restart(downMs = 300): Promise<void> {
      await kill("SIGKILL");
      await delay(downMs);
      await start();
    },
    stop: () => kill("SIGTERM"),
    start,
    async close(): Promise<void> {
      await kill("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Received {
  readonly topic: string;
  readonly retained: boolean;
  /** The payload's bytes. */
  readonly payload: Buffer;
  readonly text: string;
  /** When it arrived (ms since 1970, sub-millisecond): the read of mosquitto_sub's output. */
  readonly at: number;
}

let markers = 0;

/** A mosquitto_sub peer: collects what arrives on filters until stopped. */
export class Subscriber {
  readonly messages: Received[] = [];
  readonly #child: ChildProcess;
  #partial = "";
  readonly ready: Promise<void>;

  constructor(broker: Mosquitto, filters: string[], user = PEER_USER, password = PEER_PASSWORD) {
    // mosquitto_sub's debug lines (the SUBACK) sit in its stdout buffer; a retained marker of
    // our own arrives after the SUBACK and is flushed like every message: then it listens.
    const marker = `test-ready/${++markers}-${process.pid}`;
    publish(broker, marker, "ready", { retain: true });
    const args = ["-h", "127.0.0.1", "-p", String(broker.port), "-u", user, "-P", password, "-V", "mqttv311", "-q", "1", "-F", "%r %t %x"];
    for (const f of [...filters, marker]) args.push("-t", f);
    this.#child = spawn("mosquitto_sub", args, { stdio: ["ignore", "pipe", "pipe"] });
    let subscribed: () => void = () => undefined;
    this.ready = new Promise<void>((resolve) => (subscribed = resolve));
    this.#child.stdout!.on("data", (chunk: Buffer) => {
      const at = performance.timeOrigin + performance.now();
      this.#partial += chunk.toString("latin1");
      const lines = this.#partial.split("\n");
      this.#partial = lines.pop() ?? "";
      for (const line of lines) {
        // "%r %t %x": retain flag, topic, payload in hex (a topic may hold spaces: hex has none).
        const m = /^([01]) (.*) ([0-9a-f]*)$/.exec(line);
        if (!m) continue;
        const topic = Buffer.from(m[2], "latin1").toString("utf8");
        if (topic.startsWith("test-ready/")) {
          if (topic === marker) subscribed();
          continue;
        }
        const payload = Buffer.from(m[3], "hex");
        this.messages.push({ topic, retained: m[1] === "1", payload, text: payload.toString("utf8"), at });
      }
    });
  }

  /** Waits for a message matching test; returns it. */
  async waitFor(test: (m: Received) => boolean, what: string, timeoutMs = 10_000): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(test);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no message ${what} within ${timeoutMs} ms; got:\n${this.messages.map((m) => `${m.topic} ${m.text.slice(0, 100)}`).join("\n")}`);
      await delay(20);
    }
  }

  /** The last message on topic, or undefined. */
  last(topic: string): Received | undefined {
    for (let i = this.messages.length - 1; i >= 0; i--) if (this.messages[i].topic === topic) return this.messages[i];
    return undefined;
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    process.kill(child.pid as number, "SIGTERM");
    await exited;
  }
}

/** Subscribes, waits for the SUBACK, collects for settleMs: what the broker holds retained (and whatever came). */
export async function retained(broker: Mosquitto, filter: string, settleMs = 400): Promise<Received[]> {
  const sub = new Subscriber(broker, [filter]);
  await sub.ready;
  await delay(settleMs);
  await sub.stop();
  return sub.messages.filter((m) => m.retained);
}

/** mosquitto_pub as a peer: payload text, bytes (through a file), or null for an empty message. */
export function publish(broker: Mosquitto, topic: string, payload: string | Buffer | null, options: { retain?: boolean; qos?: 0 | 1 } = {}): void {
  const args = ["-h", "127.0.0.1", "-p", String(broker.port), "-u", PEER_USER, "-P", PEER_PASSWORD, "-V", "mqttv311", "-q", String(options.qos ?? 1), "-t", topic];
  if (options.retain) args.push("-r");
  let dir: string | undefined;
  if (payload === null) args.push("-n");
  else if (typeof payload === "string") args.push("-m", payload);
  else {
    dir = mkdtempSync(join(tmpdir(), "iot-pub-"));
    writeFileSync(join(dir, "payload"), payload);
    args.push("-f", join(dir, "payload"));
  }
  const run = spawnSync("mosquitto_pub", args, { encoding: "utf8" });
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (run.status !== 0) throw new Error(`mosquitto_pub ${topic} failed: ${run.stderr}`);
}
