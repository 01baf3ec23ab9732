/*
 * The Storage contract against the simulator's FileStorage, over real files; plus what only a
 * file store can get wrong (a reopened store sees every write, no temporary file is left).
 */

import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as assert from "node:assert/strict";
import { storageContract } from "../contract/storage-contract";
import { FileStorage } from "../../hosts/node/storage";

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "iot-storage-"));
  dirs.push(dir);
  return dir;
}

storageContract("FileStorage (simulator)", () => {
  const dir = freshDir();
  return { storage: new FileStorage(dir), reopen: () => new FileStorage(dir) };
});

describe("FileStorage files", () => {
  it("writes one JSON file per domain and leaves no temporary file", () => {
    const dir = freshDir();
    const storage = new FileStorage(dir);
    storage.write("iot", "config.0", "x");
    storage.write("sensor", "v", 1);
    assert.deepEqual(readdirSync(join(dir, "storage")).sort(), ["iot.json", "sensor.json"]);
  });

  it("Storage contract: the device's Preference (NVS)", function () {
    this.skip(); // Needs an ESP32: hosts/moddable/storage.ts runs the same checkStorageWrite as every host here.
  });
});
