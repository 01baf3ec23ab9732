/*
 * Where a persistent variable lives in Storage, and which names and folders are allowed.
 *
 * - The folder is the storage domain (the Preference domain, an NVS namespace on ESP32); it
 *   needs no creating: it exists once a key is written in it.
 * - Names and folders are 1..15 characters of A-Z a-z 0-9 _ . - : the NVS limit is 15 BYTES,
 *   so names are ASCII (one byte per character) and the limit is the device's own. "~" and "="
 *   are left out on purpose: the key scheme below relies on names never containing them.
 * - The value is an AtomicRecord (two slots, "<record>.0" and "<record>.1": a key of at most
 *   15 characters leaves 13 for the record name). Key scheme:
 *     name of 1..13 characters  ->  record = the name ("threshold" -> "threshold.0", ".1"),
 *       readable in a dump of the device's storage;
 *     name of 14..15 characters ->  record = first 5 characters + "~" + the CRC-32 of the name
 *       in 7 base-36 digits ("calibrationOffs" -> "calib~16q78jo"), 13 characters.
 *   Why not a 13-character limit: the device allows 15, and an app that moves from Preference
 *   to these variables keeps its names. Why not a pure encoding: two slot keys per variable in
 *   one 15-character key space cannot be injective over all names, so long names are hashed.
 *   A short name never collides with a long one ("~" is not a name character). Two long names
 *   with the same first 5 characters collide with a chance of 1 in 2^32; the full name is
 *   therefore kept in front of a long-named variable's stored value ("<name>=<value>"), and a
 *   variable that finds another name there refuses to read or write instead of mixing values.
 * - The folder "iot" is refused: the framework keeps its own config there (config.ts).
 */

import { CONFIG_DOMAIN } from "../config/config";
import { crc32 } from "../text/crc32";
import { utf8Encode } from "../text/utf8";
import { PERSISTENT_LIMITS } from "./persistent-limits";

/** Made where it is used: a preloaded regex corrupts XS 8.2.3's heap when it runs (tests/node/preload-lint.ts). */
const NAME = (): RegExp => /^[A-Za-z0-9_.-]+$/;
/** Longest name stored under itself: 15 - ".0". */
const PLAIN_NAME_MAX = PERSISTENT_LIMITS.maxName - 2;
const RESERVED_FOLDERS: readonly string[] = Object.freeze([CONFIG_DOMAIN]);

/** True when text is a valid variable name (also: a valid folder, unless reserved). */
export function isPersistentName(text: string): boolean {
  return text.length > 0 && text.length <= PERSISTENT_LIMITS.maxName && NAME().test(text);
}

/** Throws RangeError (at construction, on every host) when a name or folder breaks the rules. */
export function checkPersistentName(kind: "name" | "folder", text: unknown): void {
  if (typeof text !== "string" || text.length === 0)
    throw new RangeError(`persistent variable ${kind} must be a non-empty string`);
  if (text.length > PERSISTENT_LIMITS.maxName)
    throw new RangeError(`persistent variable ${kind} "${text}" is longer than ${PERSISTENT_LIMITS.maxName} characters`);
  if (!NAME().test(text))
    throw new RangeError(`persistent variable ${kind} "${text}" may contain only A-Z a-z 0-9 _ . -`);
  if (kind === "folder" && RESERVED_FOLDERS.includes(text))
    throw new RangeError(`persistent variable folder "${text}" is reserved for the framework`);
}

/** The AtomicRecord name of a (valid) variable name. */
export function persistentRecordName(name: string): string {
  if (name.length <= PLAIN_NAME_MAX) return name;
  return `${name.slice(0, 5)}~${crc32(utf8Encode(name)).toString(36).padStart(7, "0")}`;
}

/** What a variable keeps in front of its stored value: "" for a short name, else the name. */
export function persistentRecordOwner(name: string): string {
  return name.length <= PLAIN_NAME_MAX ? "" : name;
}
