/* The Updater contract against the core's SlotUpdater over memory partitions (also run on XS). */

import { updaterContract } from "../contract/updater-contract";
import { MemoryPartitions } from "../support/ota-fakes";
import { MemoryStorage } from "../support/memory-storage";
import { SlotUpdater } from "../../hosts/simulated/slot-updater";

updaterContract("SlotUpdater over memory", () => {
  const store = new MemoryPartitions(32 * 1024);
  const storage = new MemoryStorage();
  const factory = { project: "xs_esp32", version: "1.0.0" };
  return { factory, boot: () => new SlotUpdater({ store, storage, factory }) };
});
