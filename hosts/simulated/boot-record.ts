/*
 * BootRecord: the bootloader's half of app rollback, as a state machine over two app slots
 * (ota_0, ota_1), for hosts that have no ESP-IDF bootloader to do it (the simulator; the test
 * updater). It follows ESP-IDF's otadata rules:
 *
 *   slot states: undefined (flashed over serial: rollback not tracked), empty, new (just
 *   written), pending (booted once, on probation), valid, aborted (rolled back)
 *
 *   boot():    new ──▶ pending (run it, on probation)
 *              pending ──▶ aborted, and the other slot runs (it restarted while on probation)
 *              valid / undefined ──▶ run it
 *              a slot whose image is missing or invalid ──▶ the other slot runs
 *   select(s): after an image is written and verified: s becomes new and the boot slot
 *   erase(s):  before writing s: s becomes empty (its old image is being overwritten)
 *   markValid(): the running slot becomes valid
 *
 * Each transition is ONE AtomicRecord save, so a power cut at any moment leaves the record as
 * it was before the transition or after it, and the next boot() decides from a whole record.
 * A fresh device: slot 0 holds the serial-flashed app ("undefined"), slot 1 is empty.
 *
 * Simulator-only (hosts/simulated/): the device's real bootloader keeps its own otadata, so the
 * firmware never contains this.
 */

import type { Storage } from "../../modules/host/storage";
import { AtomicRecord } from "../../modules/storage/atomic-record";

export type SlotState = "undefined" | "empty" | "new" | "pending" | "valid" | "aborted";
export type Slot = 0 | 1;

export interface BootChoice {
  /** The slot that runs. */
  slot: Slot;
  state: SlotState;
  /** The other slot, when it holds an update that was rolled back. */
  rolledBack?: Slot;
}

interface OtaData {
  boot: Slot;
  slots: [SlotState, SlotState];
}

const STATES: readonly string[] = Object.freeze(["undefined", "empty", "new", "pending", "valid", "aborted"]);

function parse(text: string | undefined): OtaData | undefined {
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as OtaData;
    if ((v.boot === 0 || v.boot === 1) && Array.isArray(v.slots) && v.slots.length === 2 && v.slots.every((s) => STATES.includes(s)))
      return v;
  } catch {
    // A record with a good checksum that does not parse is a bug; treat it as a fresh device.
  }
  return undefined;
}

export class BootRecord {
  readonly #record: AtomicRecord;
  #data: OtaData;
  #running: Slot = 0;

  constructor(storage: Storage, domain = "otadata") {
    this.#record = new AtomicRecord(storage, domain, "select");
    this.#data = parse(this.#record.value) ?? { boot: 0, slots: ["undefined", "empty"] };
  }

  /** The slot the running app came from (after boot()). */
  get running(): Slot {
    return this.#running;
  }

  /** The slot an update is written to: the one not running. */
  get next(): Slot {
    return this.#running === 0 ? 1 : 0;
  }

  state(slot: Slot): SlotState {
    return this.#data.slots[slot];
  }

  /** Chooses the slot to run, as the bootloader does at power-on. bootable() checks a slot's image. */
  boot(bootable: (slot: Slot) => boolean): BootChoice {
    const d = this.#data;
    const first = d.boot;
    const other: Slot = first === 0 ? 1 : 0;
    const ok = (slot: Slot): boolean => (d.slots[slot] === "valid" || d.slots[slot] === "undefined") && bootable(slot);
    let slot: Slot;
    if (d.slots[first] === "new" && bootable(first)) {
      this.#save({ boot: first, slots: replace(d.slots, first, "pending") });
      slot = first;
    } else if (d.slots[first] === "new" || d.slots[first] === "pending") {
      // Restarted while on probation (or the new image is unreadable): roll back.
      if (ok(other)) {
        this.#save({ boot: other, slots: replace(d.slots, first, "aborted") });
        slot = other;
      } else if (d.slots[first] === "pending" && bootable(first)) {
        slot = first; // nothing to go back to: it stays on probation
      } else throw new Error("no bootable app in either slot");
    } else if (ok(first)) {
      slot = first;
    } else if (ok(other)) {
      slot = other;
    } else throw new Error("no bootable app in either slot");
    this.#running = slot;
    const rest: Slot = slot === 0 ? 1 : 0;
    return { slot, state: this.#data.slots[slot], rolledBack: this.#data.slots[rest] === "aborted" ? rest : undefined };
  }

  /** Marks a slot empty before its image is overwritten. */
  erase(slot: Slot): void {
    if (slot === this.#running) throw new Error("cannot erase the running app's slot");
    if (this.#data.slots[slot] !== "empty") this.#save({ boot: this.#data.boot, slots: replace(this.#data.slots, slot, "empty") });
  }

  /** Makes a freshly written slot the one the next boot runs. */
  select(slot: Slot): void {
    if (slot === this.#running) throw new Error("cannot select the running app's slot");
    this.#save({ boot: slot, slots: replace(this.#data.slots, slot, "new") });
  }

  /** Ends the running app's probation. */
  markValid(): void {
    const slot = this.#running;
    if (this.#data.slots[slot] === "pending") this.#save({ boot: this.#data.boot, slots: replace(this.#data.slots, slot, "valid") });
  }

  #save(data: OtaData): void {
    this.#record.save(JSON.stringify(data));
    this.#data = data;
  }
}

function replace(slots: [SlotState, SlotState], slot: Slot, state: SlotState): [SlotState, SlotState] {
  return slot === 0 ? [state, slots[1]] : [slots[0], state];
}
