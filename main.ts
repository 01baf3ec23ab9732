/*
 * The demo app, and the framework's own usage example. The same file runs on the device
 * (mcconfig -d -m -p esp32) and in the simulator (npm start): it only talks to the manager.
 */

import { IotManager } from "./modules/manager";

const iot = new IotManager({
  title: "IoT Demo Controller",
  useCss: true,
  otaUrl: "http://10.1.1.10:8080/firmware.bin",
  debug: true,
  version: "1.0.0",
});

// An app config key, shown on the settings page and persisted; a saved value wins.
iot.configAdd({ "60_CUSTOM_CONFIG": "Counter" });

// Data shown on the page and served as JSON by GET /data, in this order.
for (let i = 0; i < 5; i++) iot.data.set(`Key ${i}`, `${i}`);

// A task: every 3 seconds, count under the data key the config names, and record UTC time:
// null until the clock is valid (set by SNTP on the device), never a 1970 date.
async function alive(): Promise<void> {
  const counterKey = String(iot.config.get("60_CUSTOM_CONFIG"));
  for (let i = 0; ; i++) {
    iot.log.debug(`increment ${counterKey}`);
    iot.data.set(counterKey, `${i}`);
    iot.data.set("gmt_time", iot.clock.iso());
    await iot.sleep(3000);
  }
}
iot.addTask(alive, "alive");

iot.run();
