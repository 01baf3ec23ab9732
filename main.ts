/*
 * The demo app, and the framework's own usage example. The same file runs on the device
 * (mcconfig -d -m -p esp32) and in the simulator (npm start): it only talks to the manager.
 */

import { IotManager } from "./modules/manager";
import { PersistentBoolean } from "./modules/persistent/persistent-boolean";
import { PersistentRange } from "./modules/persistent/persistent-range";

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

// A lamp for Alexa: "Alexa, turn on the desk lamp", "Alexa, set the desk lamp to 30 percent".
// Press the page's "Pair with Alexa", then say "Alexa, discover devices". Its state shows in
// the data table (and GET /data) and on the Alexa card; both variables survive power cuts.
const lamp = new PersistentBoolean("lamp", { default: false });
const level = new PersistentRange("level", { min: 0, max: 100, step: 1, default: 50 });
iot.alexa.expose("Desk lamp", { on: lamp, brightness: level });

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
