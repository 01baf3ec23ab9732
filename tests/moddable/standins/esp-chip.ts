/*
 * The stand-in ESP32 chip: what the device host reaches through "mc/ffi" (mc-ffi.ts) and
 * "ota" (ota.ts) — eFuse, the hardware RNG, the reset, and the app partitions with ESP-IDF's
 * OTA data and its bootloader's rollback — plus the test's side of them (`chip`, `flash`).
 * Follows ESP-IDF's esp_ota_ops.h / esp_system.h / esp_random.h as documented, Moddable's
 * build/devices/esp32/modules/ota/ota.c (SDK 8.2.3), and this project's
 * hosts/moddable/native/ota-rollback.c for what its FFI functions answer.
 *
 * Chip: esp_read_mac(buffer, type) fills the station MAC from eFuse (type 0; the access
 * point's, type 1, is one more in the last byte) and answers 0, or an esp_err_t when
 * `chip.macReadError` is set; esp_fill_random fills from a seeded generator (deterministic
 * runs; the real one is true random once the radio runs); esp_restart counts the request
 * (`chip.restarts`) and returns: the test decides what the reboot is (resetDevice()).
 *
 * Flash (two OTA app partitions, ota_0 and ota_1, of `flash.partitionSize` bytes, and otadata
 * with two entries {seq, state}; a bootloader built with CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE,
 * as hosts/moddable/sdkconfig asks):
 * - A fresh device runs ota_0, flashed over serial (flash.factory), with no otadata entry: its
 *   state is untracked (-1 from ota_running_state) and ota_1 is the next update partition.
 * - begin: refused while the running app is still pending verification (ESP-IDF's
 *   ESP_ERR_OTA_ROLLBACK_INVALID_STATE) and for the running partition; it erases the target.
 *   write: the first byte must be 0xE9 (ESP_ERR_OTA_VALIDATE_FAILED otherwise); past the end
 *   of the partition fails. end: verifies the image (header, segments, checksum, appended
 *   SHA-256; done here by the core's AppImageVerifier, which the core tests check against
 *   independent fixtures) and frees the handle whatever the outcome. set_boot_partition: a new
 *   otadata entry, state NEW, in the slot the active entry is not in, with the next sequence
 *   number that selects that partition ((seq - 1) mod 2).
 * - The bootloader, at each boot (resetDevice()): the valid entry (not INVALID or ABORTED)
 *   with the highest sequence number is the app; NEW becomes PENDING_VERIFY and boots; an app
 *   still PENDING_VERIFY at boot did not confirm itself: ABORTED, and the next valid entry (or
 *   ota_0 when none is) boots instead. mark_valid turns PENDING_VERIFY into VALID.
 * - The last invalid partition is the one with an INVALID or ABORTED entry.
 * Not modelled: a factory partition, secure boot, flash encryption, anti-rollback.
 */

import { AppImageVerifier } from "../../../modules/ota/app-image-verifier";
import { buildImage } from "../../support/esp32-image";

export const ESP_OK = 0;
export const ESP_ERR_NOT_FOUND = 0x105;
export const ESP_ERR_INVALID_SIZE = 0x104;
export const ESP_ERR_OTA_VALIDATE_FAILED = 0x1503;
export const ESP_ERR_OTA_ROLLBACK_INVALID_STATE = 0x1504;
export const ESP_ERR_OTA_PARTITION_CONFLICT = 0x1501;

/** esp_ota_img_states_t. */
export const OTA_STATE = Object.freeze({ NEW: 0, PENDING_VERIFY: 1, VALID: 2, INVALID: 3, ABORTED: 4 });

const DESCRIPTOR_AT = 24 + 8;
const DESCRIPTOR_BYTES = 256;

class Chip {
  mac = [0x24, 0x0a, 0xc4, 0x12, 0x3f, 0x2a];
  macReadError = 0;
  restarts = 0;
  #seed = 1;
  chipId = 0;
  /** What heap_caps_get_largest_free_block(MALLOC_CAP_8BIT) answers: an ESP32 running the app, Wi-Fi up. */
  largestFreeBlock = 40_000;

  reset(): void {
    this.mac = [0x24, 0x0a, 0xc4, 0x12, 0x3f, 0x2a];
    this.macReadError = 0;
    this.largestFreeBlock = 40_000;
    this.restarts = 0;
    this.#seed = 1;
  }

  random(into: Uint8Array): void {
    for (let i = 0; i < into.length; i++) {
      // xorshift32: deterministic, never stuck at zero.
      let x = this.#seed;
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      this.#seed = x >>> 0;
      into[i] = this.#seed & 0xff;
    }
  }
}

export const chip = new Chip();

interface Entry {
  seq: number;
  state: number;
}

interface Session {
  readonly partition: 0 | 1;
  written: number;
  open: boolean;
}

class Flash {
  partitionSize = 256 * 1024;
  readonly images: [Uint8Array, Uint8Array] = [new Uint8Array(0), new Uint8Array(0)];
  otadata: [Entry | undefined, Entry | undefined] = [undefined, undefined];
  running: 0 | 1 = 0;
  factory = { project: "xs_esp32", version: "1.0.0" };
  #session: Session | undefined;

  /** A factory-fresh chip: ota_0 flashed over serial with the factory app, no otadata. */
  erase(): void {
    this.images[0] = buildImage({ size: 4000, project: this.factory.project, version: this.factory.version, seed: 1 });
    this.images[1] = new Uint8Array(0);
    this.otadata = [undefined, undefined];
    this.running = 0;
    this.#session = undefined;
  }

  #valid(e: Entry | undefined): e is Entry {
    return e !== undefined && e.state !== OTA_STATE.INVALID && e.state !== OTA_STATE.ABORTED;
  }

  #active(): number {
    const [a, b] = this.otadata;
    if (this.#valid(a) && this.#valid(b)) return a.seq >= b.seq ? 0 : 1;
    if (this.#valid(a)) return 0;
    if (this.#valid(b)) return 1;
    return -1;
  }

  #partitionOf(e: Entry): 0 | 1 {
    return ((e.seq - 1) % 2) as 0 | 1;
  }

  /** The otadata entry that describes the running app, if any. */
  #runningEntry(): Entry | undefined {
    let best: Entry | undefined;
    for (const e of this.otadata) if (e && this.#partitionOf(e) === this.running && (!best || e.seq > best.seq)) best = e;
    return best;
  }

  /** The bootloader's choice at power-on. */
  boot(): void {
    this.#session = undefined;
    for (;;) {
      const i = this.#active();
      if (i < 0) {
        this.running = 0;
        return;
      }
      const entry = this.otadata[i]!;
      if (entry.state === OTA_STATE.PENDING_VERIFY) {
        entry.state = OTA_STATE.ABORTED;
        continue;
      }
      if (entry.state === OTA_STATE.NEW) entry.state = OTA_STATE.PENDING_VERIFY;
      this.running = this.#partitionOf(entry);
      return;
    }
  }

  // ---- ESP-IDF, as the natives call it ------------------------------------------------------

  nextPartition(): 0 | 1 {
    return this.running === 0 ? 1 : 0;
  }

  runningState(): number {
    const e = this.#runningEntry();
    return e ? e.state : -1;
  }

  markValid(): number {
    const e = this.#runningEntry();
    if (e && e.state === OTA_STATE.PENDING_VERIFY) e.state = OTA_STATE.VALID;
    return ESP_OK;
  }

  description(partition: 0 | 1, into: Uint8Array): number {
    const image = this.images[partition];
    if (image.length < DESCRIPTOR_AT + DESCRIPTOR_BYTES) return ESP_ERR_NOT_FOUND;
    into.set(image.subarray(DESCRIPTOR_AT, DESCRIPTOR_AT + DESCRIPTOR_BYTES));
    return ESP_OK;
  }

  lastInvalid(): 0 | 1 | undefined {
    for (const e of this.otadata) if (e && (e.state === OTA_STATE.INVALID || e.state === OTA_STATE.ABORTED)) return this.#partitionOf(e);
    return undefined;
  }

  begin(): { session?: Session; err: number } {
    const partition = this.nextPartition();
    if (partition === this.running) return { err: ESP_ERR_OTA_PARTITION_CONFLICT };
    if (this.runningState() === OTA_STATE.PENDING_VERIFY) return { err: ESP_ERR_OTA_ROLLBACK_INVALID_STATE };
    this.images[partition] = new Uint8Array(0);
    const session: Session = { partition, written: 0, open: true };
    this.#session = session;
    return { session, err: ESP_OK };
  }

  write(session: Session, bytes: Uint8Array): number {
    if (!session.open || this.#session !== session) return ESP_ERR_NOT_FOUND;
    if (session.written === 0 && bytes.length > 0 && bytes[0] !== 0xe9) return ESP_ERR_OTA_VALIDATE_FAILED;
    if (session.written + bytes.length > this.partitionSize) return ESP_ERR_INVALID_SIZE;
    const image = new Uint8Array(session.written + bytes.length);
    image.set(this.images[session.partition]);
    image.set(bytes, session.written);
    this.images[session.partition] = image;
    session.written += bytes.length;
    return ESP_OK;
  }

  /** esp_ota_end: verifies; the handle is freed whatever the outcome. */
  end(session: Session): number {
    if (!session.open) return ESP_ERR_NOT_FOUND;
    session.open = false;
    if (this.#session === session) this.#session = undefined;
    try {
      const verifier = new AppImageVerifier({ maxBytes: this.partitionSize });
      verifier.update(this.images[session.partition]);
      verifier.finish();
    } catch {
      return ESP_ERR_OTA_VALIDATE_FAILED;
    }
    return ESP_OK;
  }

  setBoot(partition: 0 | 1): number {
    const active = this.#active();
    const target = partition + 1;
    if (active < 0) {
      this.otadata[0] = { seq: target, state: OTA_STATE.NEW };
      return ESP_OK;
    }
    // The next sequence number past the active one that selects this partition.
    let next = this.otadata[active]!.seq + 1;
    if ((next - 1) % 2 !== partition) next += 1;
    this.otadata[active === 0 ? 1 : 0] = { seq: next, state: OTA_STATE.NEW };
    return ESP_OK;
  }
}

export const flash = new Flash();
flash.erase();
