/*
 * The app the OTA simulator tests run: the demo's manager with OTA timings short enough for a
 * test (probation 1.5 s, a download failing after 1.5 s of silence, a quick reboot).
 */

import { IotManager } from "../../modules/manager";

const iot = new IotManager({
  title: "OTA test device",
  version: "1.0.0",
  ota: { probationMs: 1500, stallTimeoutMs: 1500, rebootDelayMs: 100 },
});
iot.run();
