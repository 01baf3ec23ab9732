/*
 * `npm start`: runs main.ts as a simulated device.
 *
 *   npm start -- [--port N] [--host ADDR] [--state DIR] [--max-connections N] [--request-timeout MS]
 *                [--networks FILE] [--dns-port N] [--ssdp-port N] [--ntp-server host|HOST[:PORT]]... [--mdns-port N]
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
 */

import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { HTTP_LIMITS } from "../../modules/http/limits";
import { parseServer } from "../../modules/time/sntp-client";
import { startSimulator } from "./simulator";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "8080" },
    host: { type: "string", default: "127.0.0.1" },
    state: { type: "string", default: resolve(import.meta.dirname, "../../.state") },
    "max-connections": { type: "string" },
    "request-timeout": { type: "string" },
    networks: { type: "string" },
    "dns-port": { type: "string" },
    "ssdp-port": { type: "string" },
    "ntp-server": { type: "string", multiple: true },
    "mdns-port": { type: "string" },
  },
  strict: true,
});

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

try {
  booting = startSimulator({ port, bind: values.host, stateDir: resolve(values.state), limits: changed, networksFile, dnsPort, ssdpPort, ntpServers, mdnsPort });
  await booting;
} catch (e) {
  process.stderr.write(`simulator failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
