/*
 * LightIds: the Hue light ID and uniqueid of each exposed device, stable for good.
 *
 * An Echo remembers a light by its uniqueid (and addresses it by its ID); when either changes,
 * the old device stays in the Alexa app as a phantom that no longer answers (fauxmoESP #259,
 * #287, #288; Tasmota #22227, where IDs followed list positions or changed scheme). So:
 * - Both come from SHA-256 of the board's MAC and the device's key (its name unless the app
 *   gives one), never from a position: reordering or adding devices moves nothing, and two
 *   boards never share an ID (Espalexa #156).
 * - The ID is numeric text (1..16777216), which newer Echos require; the uniqueid has a Hue
 *   light's form, eight hex bytes and an endpoint: "aa:bb:cc:dd:ee:ff:00:11-0b".
 * - What a key got is saved the first time (one AtomicRecord, power-cut safe) and read back
 *   from then on: a later change to how IDs are made can never move an existing device, and a
 *   collision on one board (two keys hashing alike) is settled once, by the order they first
 *   met, and stays settled however the app orders them afterwards.
 * - Keys no longer exposed keep their IDs (the app may bring a device back) up to `keep`
 *   entries; past that the oldest unexposed one is forgotten first.
 */

import type { Sha256Factory } from "../host/digest";
import type { Storage } from "../host/storage";
import { AtomicRecord } from "../storage/atomic-record";
import { utf8Encode } from "../text/utf8";

export interface LightIdentity {
  /** Numeric text, the key of /lights. */
  readonly id: string;
  readonly uniqueid: string;
}

export const ALEXA_DOMAIN = "alexa";
const RECORD = "ids";

function hex2(n: number): string {
  return n.toString(16).padStart(2, "0");
}

/** The identity a key gets on this board at the given attempt (0, then 1, ... on a collision). */
export function deriveIdentity(sha256: Sha256Factory, mac: string, key: string, attempt: number): LightIdentity {
  const d = sha256().update(utf8Encode(`hue-light\n${mac}\n${key}\n${attempt}`)).digest();
  const id = String(1 + ((d[0] << 16) | (d[1] << 8) | d[2]));
  const parts: string[] = [];
  for (let i = 3; i < 11; i++) parts.push(hex2(d[i]));
  return { id, uniqueid: `${parts.join(":")}-0b` };
}

type Entry = [key: string, id: string, uniqueid: string];

function parseEntries(text: string | undefined): Entry[] {
  if (text === undefined) return [];
  try {
    const value: unknown = JSON.parse(text);
    if (!Array.isArray(value)) return [];
    return value.filter((e): e is Entry => Array.isArray(e) && e.length === 3 && e.every((p) => typeof p === "string"));
  } catch {
    return [];
  }
}

export class LightIds {
  readonly #record: AtomicRecord;
  readonly #sha256: Sha256Factory;
  readonly #mac: string;
  readonly #keep: number;
  #entries: Entry[];

  constructor(options: { storage: Storage; sha256: Sha256Factory; mac: string; keep?: number }) {
    this.#record = new AtomicRecord(options.storage, ALEXA_DOMAIN, RECORD);
    this.#sha256 = options.sha256;
    this.#mac = options.mac;
    // 20 keys of at most 32 characters (128 UTF-8 bytes) with their IDs fit one record slot.
    this.#keep = options.keep ?? 20;
    this.#entries = parseEntries(this.#record.value);
  }

  /**
   * The identity of key: the saved one, or a new one unlike any in `inUse` (the IDs of the other
   * devices exposed now) and any saved, then saved. `exposed` says which keys are exposed now
   * (kept when the list must shrink).
   */
  assign(key: string, inUse: ReadonlySet<string>, exposed: ReadonlySet<string>): LightIdentity {
    const saved = this.#entries.find((e) => e[0] === key);
    if (saved && !inUse.has(saved[1])) return { id: saved[1], uniqueid: saved[2] };
    const taken = new Set<string>(inUse);
    for (const e of this.#entries) if (e[0] !== key) taken.add(e[1]);
    let identity = deriveIdentity(this.#sha256, this.#mac, key, 0);
    for (let attempt = 1; taken.has(identity.id); attempt++) identity = deriveIdentity(this.#sha256, this.#mac, key, attempt);
    const entries = this.#entries.filter((e) => e[0] !== key);
    entries.push([key, identity.id, identity.uniqueid]);
    while (entries.length > this.#keep) {
      const i = entries.findIndex((e) => !exposed.has(e[0]) && e[0] !== key);
      if (i < 0) break;
      entries.splice(i, 1);
    }
    this.#record.save(JSON.stringify(entries));
    this.#entries = entries;
    return identity;
  }

  /** Forgets every saved identity (factory reset). */
  clear(): void {
    this.#record.clear();
    this.#entries = [];
  }
}
