/*
 * `npm start`: runs main.ts as a simulated device.
 *
 *   npm start -- [--port N] [--host ADDR] [--state DIR] [--max-connections N] [--request-timeout MS]
 *                [--networks FILE] [--dns-port N] [--ssdp-port N] [--ntp-server host|HOST[:PORT]]... [--mdns-port N]
 *                [--help]
 *
 * --port 0 picks a free port. State (config, variables, later OTA partitions) lives in --state,
 * by default .state/ in the repository (git-ignored). Prints "listening on http://HOST:PORT"
 * once it serves; exits cleanly on SIGINT and SIGTERM. The HTTP limits are the device's unless
 * changed here (to try what a different connection budget does, or to test timeouts quickly).
 * --networks FILE simulates the WiFi radio with the networks in FILE (re-read when it changes;
 * see README.md, "WiFi"); the captive portal's DNS then answers on 127.0.0.1:--dns-port (8053).
 * --ssdp-port N: where the Alexa feature answers Hue bridge searches (SSDP, 1900 on the device;
 * a free port by default), on --host and joined to 239.255.255.250 there (docs/alexa.md).
 * --ntp-server host (the default) keeps the simulated clock on this computer's, which is right
 * at once; --ntp-server HOST[:PORT] (repeatable) starts the clock unset, as a device's, and lets
 * the SNTP client set it from those servers (offered first, as DHCP would, then the ntp_servers
 * setting's). The mDNS responder answers on --mdns-port (5353) on the --host address and on
 * 224.0.0.251 through that interface only (docs/time-and-names.md).
 *
 * The command line promises: --help prints every flag (exit 0); an unknown flag, a missing value
 * or a stray argument is one line on stderr and exit code 2, never a stack trace (`npm start
 * --port 9000`, without the `--`, is named as such: npm keeps the flag and passes on "9000").
 * Stopping npm stops the simulator: package.json execs node in npm's shell, so npm's SIGTERM
 * reaches this process, and when npm is gone all the same (killed outright) this process
 * notices its parent changed and stops too.
 */

import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { HTTP_LIMITS } from "../../modules/http/limits";
import { parseServer } from "../../modules/time/sntp-client";
import { startSimulator } from "./simulator";

interface Flag {
  readonly name: string;
  /** What the value is, for --help; absent for a switch. */
  readonly value?: string;
  readonly help: string;
  /** May be given more than once (the values are collected in order). */
  readonly multiple?: boolean;
}

// The one list of flags: parsing and --help both read it.
const FLAGS: readonly Flag[] = [
  { name: "port", value: "N", help: "port of the web server (default 8080); 0 picks a free one" },
  { name: "host", value: "ADDR", help: "address to bind (default 127.0.0.1)" },
  { name: "state", value: "DIR", help: "folder for everything that persists (default .state/ in the repository)" },
  { name: "max-connections", value: "N", help: `connections served at once, 1-64 (default ${HTTP_LIMITS.maxConnections}, the device's)` },
  { name: "request-timeout", value: "MS", help: `time a client has to send its request, 100-600000 (default ${HTTP_LIMITS.requestTimeoutMs})` },
  { name: "networks", value: "FILE", help: "simulate the WiFi radio with the networks in FILE (re-read when it changes)" },
  { name: "dns-port", value: "N", help: "the captive portal's DNS server on 127.0.0.1 (default 8053; with --networks)" },
  { name: "ssdp-port", value: "N", help: "where the Alexa feature answers Hue bridge searches (SSDP; default a free port)" },
  { name: "ntp-server", value: "host|HOST[:PORT]", multiple: true, help: "host (the default): the computer's clock; HOST[:PORT], repeatable: start unset and let SNTP set it" },
  { name: "mdns-port", value: "N", help: "the mDNS responder's port (default 5353)" },
  { name: "help", help: "print this and exit (also -h)" },
];

function usage(): string {
  const left = (f: Flag): string => `  --${f.name}${f.value ? ` ${f.value}` : ""}`;
  const width = Math.max(...FLAGS.map((f) => left(f).length)) + 2;
  return [
    "Runs main.ts as a simulated device.",
    "",
    "usage: npm start -- [flags]     (the -- passes the flags on to the simulator)",
    "",
    ...FLAGS.map((f) => left(f).padEnd(width) + f.help),
    "",
    'It prints "listening on http://HOST:PORT" once it serves; Ctrl-C or SIGTERM stops it.',
    "",
  ].join("\n");
}

/** A usage error: one line, exit code 2. */
function fail(message: string): never {
  process.stderr.write(`npm start: ${message} (npm start -- --help lists the flags)\n`);
  process.exit(2);
}

/** The flag most like `name` (a typo of one), if one is close. */
function closest(name: string): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const flag of FLAGS) {
    const d = distance(name, flag.name);
    if (d < bestDistance) [best, bestDistance] = [flag.name, d];
  }
  return best;
}

function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}

/** The flags npm kept for itself when `--` was left out (it sets npm_config_<flag>). */
function flagsNpmKept(): string[] {
  return FLAGS.filter((f) => f.value && process.env[`npm_config_${f.name.replaceAll("-", "_")}`] !== undefined).map((f) => f.name);
}

const options = Object.fromEntries(FLAGS.map((f) => [f.name, { type: f.value ? ("string" as const) : ("boolean" as const), ...(f.name === "help" ? { short: "h" } : {}) }]));
const { tokens } = parseArgs({ options, strict: false, allowPositionals: true, tokens: true });
const given: Record<string, string | boolean | string[]> = {};
for (const token of tokens) {
  if (token.kind === "positional") {
    const kept = flagsNpmKept();
    if (kept.length > 0 && process.env.npm_lifecycle_event !== undefined)
      fail(`unexpected argument "${token.value}": npm kept --${kept[0]} for itself; put -- before the flags: npm start -- --${kept[0]} ${token.value}`);
    fail(`unexpected argument "${token.value}"; flags start with --`);
  }
  if (token.kind === "option-terminator") continue;
  if (token.kind !== "option") continue;
  const flag = FLAGS.find((f) => f.name === token.name);
  if (!flag) {
    const near = closest(token.name);
    fail(`unknown flag ${token.rawName}${near ? ` (did you mean --${near}?)` : ""}`);
  }
  if (flag.value && (token.value === undefined || token.value === "")) fail(`--${flag.name} needs a value: --${flag.name} ${flag.value}`);
  if (!flag.value && token.inlineValue) fail(`--${flag.name} takes no value`);
  if (flag.multiple) {
    given[flag.name] = [...((given[flag.name] as string[] | undefined) ?? []), token.value as string];
    continue;
  }
  if (given[flag.name] !== undefined) fail(`--${flag.name} is given twice`);
  given[flag.name] = token.value ?? true;
}
if (given.help) {
  process.stdout.write(usage());
  process.exit(0);
}
const values = {
  port: (given.port as string | undefined) ?? "8080",
  host: (given.host as string | undefined) ?? "127.0.0.1",
  state: (given.state as string | undefined) ?? resolve(import.meta.dirname, "../../.state"),
  "max-connections": given["max-connections"] as string | undefined,
  "request-timeout": given["request-timeout"] as string | undefined,
  networks: given.networks as string | undefined,
  "dns-port": given["dns-port"] as string | undefined,
  "ssdp-port": given["ssdp-port"] as string | undefined,
  "ntp-server": given["ntp-server"] as string[] | undefined,
  "mdns-port": given["mdns-port"] as string | undefined,
};

function wholeNumber(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) {
    process.stderr.write(`--${name} must be a whole number from ${min} to ${max}, not "${text}"\n`);
    process.exit(2);
  }
  return n;
}
const port = wholeNumber("port", values.port, 0, 65535) as number;
const requestTimeoutMs = wholeNumber("request-timeout", values["request-timeout"], 100, 600_000);
const limits = {
  maxConnections: wholeNumber("max-connections", values["max-connections"], 1, 64),
  requestTimeoutMs,
  // A shorter request timeout shortens the time for the head with it.
  headersTimeoutMs: requestTimeoutMs === undefined ? undefined : Math.min(HTTP_LIMITS.headersTimeoutMs, requestTimeoutMs),
};
const dnsPort = wholeNumber("dns-port", values["dns-port"], 0, 65535);
const ssdpPort = wholeNumber("ssdp-port", values["ssdp-port"], 0, 65535);
const mdnsPort = wholeNumber("mdns-port", values["mdns-port"], 1, 65535);
const ntpServers = values["ntp-server"] ?? ["host"];
for (const server of ntpServers) {
  if (server !== "host" && !parseServer(server)) {
    process.stderr.write(`--ntp-server must be "host" or HOST[:PORT], not "${server}"\n`);
    process.exit(2);
  }
}
const networksFile = values.networks === undefined ? undefined : resolve(values.networks);
const changed = Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined));

// Signals are handled from the start: a stop asked for while booting waits for the boot.
let booting: ReturnType<typeof startSimulator> | undefined;
const quit = (): void => {
  void (booting ?? Promise.resolve(undefined))
    .then((sim) => sim?.stop(), () => undefined)
    .then(() => process.exit(0));
};
process.once("SIGINT", quit);
process.once("SIGTERM", quit);
// Run by npm: when npm goes away without passing on a signal (killed outright), this process is
// handed to another parent; stop with it rather than serve on, orphaned.
if (process.env.npm_lifecycle_event !== undefined) {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) quit();
  }, 500).unref();
}

try {
  booting = startSimulator({ port, bind: values.host, stateDir: resolve(values.state), limits: changed, networksFile, dnsPort, ssdpPort, ntpServers, mdnsPort });
  await booting;
} catch (e) {
  process.stderr.write(`simulator failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
