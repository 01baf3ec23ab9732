/*
 * The app the GitHub update tests run (simulator and browser): the OTA test app's short
 * probation and quick reboot, but the default 20 s before a silent server fails a download, so
 * a TLS handshake on a busy machine is never mistaken for a stall (those tests need no stall;
 * tests/simulator/ota-update.test.ts tests stalls over plain HTTP with ota-test-app.ts).
 */

import { IotManager } from "../../modules/manager";

const iot = new IotManager({
  title: "OTA test device",
  version: "1.0.0",
  ota: { probationMs: 1500, rebootDelayMs: 100 },
});
iot.run();
