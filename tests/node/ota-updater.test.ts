/*
 * The simulator's updater (hosts/node/updater.ts): the Updater contract over partition files in
 * a state folder, and the files it keeps there. (Power cuts at every storage step of the boot
 * choice are tested on the same SlotUpdater in tests/core/ota-boot-record.test.ts.)
 */

import * as assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { updaterContract } from "../contract/updater-contract";
import { createNodeUpdater } from "../../hosts/node/updater";
import { FileStorage } from "../../hosts/node/storage";
import { buildImage } from "../support/esp32-image";

const dirs: string[] = [];
function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "ota-updater-"));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

updaterContract("simulator (partition files)", () => {
  const dir = stateDir();
  const factory = { project: "xs_esp32", version: "" };
  return { factory, boot: () => createNodeUpdater({ stateDir: dir, storage: new FileStorage(dir), partitionBytes: 256 * 1024 }) };
});

describe("simulator updater: files", () => {
  it("keeps ota_0.bin and ota_1.bin in <state>/ota and otadata in the host's storage", () => {
    const dir = stateDir();
    const boot = () => createNodeUpdater({ stateDir: dir, storage: new FileStorage(dir) });
    const updater = boot();
    assert.equal(updater.partitionSize, 0x1f0000);
    assert.equal(updater.running().project, "xs_esp32");
    const image = buildImage({ size: 50_000, version: "7.0.0" });
    updater.begin();
    updater.write(image);
    updater.complete();
    assert.deepEqual(readFileSync(join(dir, "ota", "ota_1.bin")), Buffer.from(image));
    assert.equal(existsSync(join(dir, "ota", "ota_0.bin")), false, "slot 0 is still the factory app");
    assert.match(readFileSync(join(dir, "storage", "otadata.json"), "utf8"), /select/);
    assert.equal(boot().running().version, "7.0.0");
  });
});
