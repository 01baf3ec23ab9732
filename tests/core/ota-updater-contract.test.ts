/*
 * The Updater contract against the core's SlotUpdater over memory partitions (also run on XS),
 * and what the simulator's updater does with the OTA job's streamed check.
 */

import { updaterContract } from "../contract/updater-contract";
import { MemoryPartitions } from "../support/ota-fakes";
import { MemoryStorage } from "../support/memory-storage";
import { SlotUpdater } from "../../hosts/simulated/slot-updater";
import { AppImageVerifier, type AppImageSummary } from "../../modules/ota/app-image-verifier";
import * as assert from "../support/assert";
import { breakImage, buildImage } from "../support/esp32-image";

updaterContract("SlotUpdater over memory", () => {
  const store = new MemoryPartitions(32 * 1024);
  const storage = new MemoryStorage();
  const factory = { project: "xs_esp32", version: "1.0.0" };
  return { factory, boot: () => new SlotUpdater({ store, storage, factory }) };
});

describe("SlotUpdater: complete() with the OTA job's streamed check", () => {
  /** Counts what complete() reads back. */
  class CountingPartitions extends MemoryPartitions {
    reads = 0;
    override read(slot: 0 | 1, offset: number, into: Uint8Array): number {
      this.reads++;
      return super.read(slot, offset, into);
    }
  }
  const factory = { project: "xs_esp32", version: "1.0.0" };

  function write(updater: SlotUpdater, image: Uint8Array): void {
    updater.begin();
    for (let i = 0; i < image.length; i += 1460) updater.write(image.subarray(i, Math.min(image.length, i + 1460)));
  }

  it("takes a check that covers every byte written instead of reading the slot back", () => {
    const store = new CountingPartitions(32 * 1024);
    const storage = new MemoryStorage();
    const image = buildImage({ size: 8000, project: "xs_esp32", version: "2.0.0", seed: 4 });
    const checked = verify(image);
    const updater = new SlotUpdater({ store, storage, factory });
    write(updater, image);
    store.reads = 0;
    updater.complete(checked);
    assert.equal(store.reads, 0, "no read-back");
    // The next power-on boots it, after the bootloader's own check of the slot.
    const booted = new SlotUpdater({ store, storage, factory }).running();
    assert.equal(booted.version, "2.0.0");
    assert.equal(booted.state, "probation");
  });

  it("reads the slot back, and refuses what it holds, when the check covers another length than was written", () => {
    const store = new CountingPartitions(32 * 1024);
    const storage = new MemoryStorage();
    const good = buildImage({ size: 8000, project: "xs_esp32", version: "2.0.0", seed: 4 });
    const corrupt = breakImage(good, "checksum");
    const updater = new SlotUpdater({ store, storage, factory });
    write(updater, corrupt.subarray(0, corrupt.length - 16));
    store.reads = 0;
    assert.throws(() => updater.complete(verify(good)));
    assert.ok(store.reads > 0, "read back");
    assert.equal(new SlotUpdater({ store, storage, factory }).running().version, "1.0.0");
  });
});

function verify(image: Uint8Array): AppImageSummary {
  const verifier = new AppImageVerifier({ maxBytes: 1 << 20 });
  verifier.update(image);
  return verifier.finish();
}
