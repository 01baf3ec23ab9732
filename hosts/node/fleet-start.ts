/*
 * `npm run fleet -- --devices N --broker mqtt://host[:port] [--user U --password P] [--rate R]
 *  [--topic-prefix fleet/] [--seconds S]`: N simulated devices in one process against one broker
 * (fleet.ts). Prints how many are connected and how many messages they have sent, every 5 s;
 * stops after --seconds, or on Ctrl-C.
 */

import { parseArgs } from "node:util";
import { startFleet } from "./fleet";

const { values } = parseArgs({
  options: {
    devices: { type: "string", default: "10" },
    broker: { type: "string", default: "mqtt://127.0.0.1:1883" },
    user: { type: "string", default: "" },
    password: { type: "string", default: "" },
    rate: { type: "string", default: "1" },
    "topic-prefix": { type: "string", default: "" },
    seconds: { type: "string", default: "0" },
  },
  strict: true,
});

const devices = Number(values.devices);
const rate = Number(values.rate);
if (!Number.isInteger(devices) || devices < 1 || devices > 5000) {
  process.stderr.write(`--devices must be a whole number from 1 to 5000, not "${values.devices}"\n`);
  process.exit(2);
}
if (!Number.isFinite(rate) || rate <= 0 || rate > 1000) {
  process.stderr.write(`--rate must be a number of updates a second from 0 to 1000, not "${values.rate}"\n`);
  process.exit(2);
}
const fleet = await startFleet({
  devices,
  broker: values.broker,
  user: values.user,
  password: values.password,
  ratePerSecond: rate,
  topicPrefix: values["topic-prefix"] || undefined,
});
process.stdout.write(`${devices} devices started against ${values.broker}\n`);
let last = 0;
const report = setInterval(() => {
  const published = fleet.published();
  process.stdout.write(`connected ${fleet.connected()}/${devices}, published ${published} (${Math.round((published - last) / 5)}/s)\n`);
  last = published;
}, 5000);
const stop = (): void => {
  clearInterval(report);
  fleet.stop();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
const seconds = Number(values.seconds);
if (seconds > 0) setTimeout(stop, seconds * 1000);
