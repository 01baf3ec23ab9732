/*
 * `npm start`: runs main.ts as a simulated device.
 *
 *   npm start -- [--port N] [--host ADDR] [--state DIR]
 *
 * --port 0 picks a free port. State (config, variables, later OTA partitions) lives in --state,
 * by default .state/ in the repository (git-ignored). Prints "listening on http://HOST:PORT"
 * once it serves; exits cleanly on SIGINT and SIGTERM.
 */

import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { startSimulator } from "./simulator";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "8080" },
    host: { type: "string", default: "127.0.0.1" },
    state: { type: "string", default: resolve(import.meta.dirname, "../../.state") },
  },
  strict: true,
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`--port must be a whole number from 0 to 65535, not "${values.port}"\n`);
  process.exit(2);
}

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
  booting = startSimulator({ port, bind: values.host, stateDir: resolve(values.state) });
  await booting;
} catch (e) {
  process.stderr.write(`simulator failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
