/*
 * HueUsers: the usernames Echos were given when they paired, saved (one AtomicRecord, power-cut
 * safe) so they keep working across reboots and updates; a factory reset forgets them.
 *
 * - A username is the only secret a Hue client holds: every /api/<username>/... request must
 *   carry one of these (fauxmoESP answers any username, so anyone on the network can switch
 *   everything). It is 32 random hex digits, so it never equals one of the framework's own
 *   /api/ names (status, config, ota...): those are words.
 * - The page and the API never show a username whole: a user is named by its handle, the
 *   first 8 digits, which is also what removing one takes. Usernames are made so no two share
 *   a handle.
 * - At most `max` (8) users; pairing one more is refused until one is removed on the page.
 * - devicetype is what the client called itself ("Echo", at most 40 characters: Hue's limit),
 *   shown on the page, escaped there like every other text.
 */

import type { Storage } from "../host/storage";
import { constantTimeEqual } from "../crypto/password-hash";
import { AtomicRecord } from "../storage/atomic-record";
import { ALEXA_DOMAIN } from "./light-ids";

export interface PairedUser {
  readonly username: string;
  readonly devicetype: string;
  /** When it paired, ms since 1970; 0 when the clock was not set then. */
  readonly paired: number;
}

export const HANDLE_LENGTH = 8;
export const USERNAME_LENGTH = 32;

export function userHandle(username: string): string {
  return username.slice(0, HANDLE_LENGTH);
}

/** True for text of the form this bridge gives out (32 lower-case hex digits). */
export function isUsernameForm(text: string): boolean {
  if (text.length !== USERNAME_LENGTH) return false;
  for (const ch of text) if (!((ch >= "0" && ch <= "9") || (ch >= "a" && ch <= "f"))) return false;
  return true;
}

const EMPTY: readonly PairedUser[] = Object.freeze([]);

function parseUsers(text: string | undefined): readonly PairedUser[] {
  if (text === undefined) return EMPTY;
  try {
    const value: unknown = JSON.parse(text);
    if (!Array.isArray(value)) return EMPTY;
    const users: PairedUser[] = [];
    for (const e of value)
      if (Array.isArray(e) && typeof e[0] === "string" && isUsernameForm(e[0]) && typeof e[1] === "string" && typeof e[2] === "number")
        users.push({ username: e[0], devicetype: e[1], paired: e[2] });
    return users;
  } catch {
    return EMPTY;
  }
}

/** Where the users are saved: opened to read them at start and again for each change (rare), not kept. */
function usersRecord(storage: Storage): AtomicRecord {
  return new AtomicRecord(storage, ALEXA_DOMAIN, "users");
}

// Helper methods are TypeScript-private, not #private: XS gives every instance one slot per #method.
export class HueUsers {
  readonly #storage: Storage;
  readonly max: number;
  #users: readonly PairedUser[];

  constructor(options: { storage: Storage; max?: number }) {
    this.#storage = options.storage;
    this.max = options.max ?? 8;
    this.#users = parseUsers(usersRecord(options.storage).value);
  }

  get list(): readonly PairedUser[] {
    return this.#users;
  }

  get full(): boolean {
    return this.#users.length >= this.max;
  }

  /** True when username was given to a paired client (compared without an early exit). */
  has(username: string): boolean {
    if (!isUsernameForm(username)) return false;
    let found = false;
    for (const user of this.#users) if (constantTimeEqual(user.username, username)) found = true;
    return found;
  }

  /** True when a new username may not be given: it or its handle is taken. */
  clashes(username: string): boolean {
    const handle = userHandle(username);
    return this.#users.some((u) => userHandle(u.username) === handle);
  }

  /** Saves a new user; the caller checked `full` and `clashes`. */
  add(user: PairedUser): void {
    const users = this.#users.concat({ username: user.username, devicetype: user.devicetype, paired: user.paired });
    this.save(users);
  }

  /** Removes the user with this handle; false when there is none. */
  remove(handle: string): boolean {
    const users = this.#users.filter((u) => userHandle(u.username) !== handle);
    if (users.length === this.#users.length) return false;
    this.save(users);
    return true;
  }

  private save(users: readonly PairedUser[]): void {
    usersRecord(this.#storage).save(JSON.stringify(users.map((u) => [u.username, u.devicetype, u.paired])));
    // Only once the save has returned: a failed write leaves memory as the storage is.
    this.#users = users;
  }

  /** Forgets every user (factory reset). */
  clear(): void {
    usersRecord(this.#storage).clear();
    this.#users = EMPTY;
  }
}
