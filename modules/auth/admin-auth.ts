/*
 * AdminAuth: with admin_password set, requests that change the device must carry HTTP Basic
 * credentials for user "admin". A wrong password is answered 401 with WWW-Authenticate (so a
 * browser asks for it). Guessing is slow for everyone:
 * - Per client (address): after two free tries, each failure locks that client out for 1 s,
 *   2 s, 4 s, ... up to 5 minutes; while locked out every attempt is answered 429 with
 *   Retry-After without being checked.
 * - The table of clients is bounded (trackedClients) and never forgets a locked client to make
 *   room: when every entry is locked, a client it does not know is treated as locked too. So
 *   rotating addresses buys an attacker nothing.
 * - Across all clients, at most globalFailuresPerMinute wrong passwords a minute: past that,
 *   every attempt with credentials is answered 429 until the minute is over.
 * A verified credential is remembered (as a hash of the header and the stored hash, so a new
 * password, stored with a new salt, matches it no more), so the password hash is computed once per
 * login, not on every request; a stored hash made with fewer PBKDF2 iterations than today's is
 * made anew from the password the first time it is given right.
 */

import type { Config } from "../config/config";
import { Sha256, toHex } from "../crypto/sha256";
import type { Clock } from "../host/clock";
import type { Sha256Factory } from "../host/digest";
import type { HttpRequest, HttpResponse } from "../http/http-message";
import { jsonError } from "../http/response";
import { base64Decode } from "../text/base64";
import { utf8Decode, utf8Encode } from "../text/utf8";
import { constantTimeEqual, hashIterations, PASSWORD_ITERATIONS, verifyPassword } from "../crypto/password-hash";

export const AUTH_LIMITS = Object.freeze({
  /** Failures before the lock-outs begin. */
  freeFailures: 2,
  firstLockoutMs: 1000,
  maxLockoutMs: 300_000,
  /** Clients tracked at once; an unlocked one is forgotten first, a locked one never. */
  trackedClients: 32,
  /** Wrong passwords a minute from all clients together, before everyone waits. */
  globalFailuresPerMinute: 20,
});

export type AuthLimits = { readonly [K in keyof typeof AUTH_LIMITS]: number };

interface Failures {
  count: number;
  until: number;
}

function credentialKey(header: string, stored: string, hash: Sha256Factory): string {
  return toHex(hash().update(utf8Encode(`${header}\n${stored}`)).digest());
}

function password(header: string | undefined): string | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
  const bytes = m ? base64Decode(m[1]) : undefined;
  if (!bytes) return undefined;
  let text: string;
  try {
    text = utf8Decode(bytes);
  } catch {
    return undefined;
  }
  const colon = text.indexOf(":");
  return colon >= 0 && text.slice(0, colon) === "admin" ? text.slice(colon + 1) : undefined;
}

// Helper methods are TypeScript-private, not #private: XS gives every instance one slot per #method.
export class AdminAuth {
  readonly #config: Config;
  readonly #clock: Clock;
  readonly #hash: Sha256Factory;
  readonly #limits: AuthLimits;
  /** Clients with wrong guesses, made at the first one. */
  #failures: Map<string, Failures> | undefined;
  #verified: string | undefined;
  /** Wrong passwords in the current minute, from everyone, and when that minute began. */
  #globalFailures = 0;
  #minuteStart = 0;

  readonly #debug: { debug(line: string): void } | undefined;

  /**
   * debug (a Logger), when given, hears how long each password check took: the figure to tune
   * PASSWORD_ITERATIONS by on a board.
   */
  constructor(config: Config, clock: Clock, hash: Sha256Factory = () => new Sha256(), limits: AuthLimits = AUTH_LIMITS, debug?: { debug(line: string): void }) {
    this.#config = config;
    this.#clock = clock;
    this.#hash = hash;
    this.#limits = limits;
    this.#debug = debug;
  }

  /** True when an admin password is set. */
  get enabled(): boolean {
    return this.#config.get("admin_password") !== "";
  }

  /** undefined when the request may go on; otherwise the answer that refuses it. */
  check(request: HttpRequest): HttpResponse | undefined {
    const stored = String(this.#config.get("admin_password") ?? "");
    if (stored === "") return undefined;
    const client = request.remote ?? "unknown";
    const now = this.#clock.now();
    const failures = this.#failures?.get(client);
    if (failures && now < failures.until) return this.tooMany(failures.until - now);
    const header = request.headers.authorization;
    if (header !== undefined) {
      const key = credentialKey(header, stored, this.#hash);
      if (this.#verified !== undefined && constantTimeEqual(key, this.#verified)) return this.passed(client);
      if (now - this.#minuteStart >= 60_000) {
        this.#minuteStart = now;
        this.#globalFailures = 0;
      }
      if (this.#globalFailures >= this.#limits.globalFailuresPerMinute) return this.tooMany(60_000 - (now - this.#minuteStart));
      if (!failures && this.full(now)) return this.tooMany(this.#limits.firstLockoutMs);
      const given = password(header);
      const ok = given !== undefined && verifyPassword(given, stored, this.#hash);
      this.#debug?.debug(`admin password checked in ${this.#clock.now() - now} ms (PBKDF2, ${hashIterations(stored)} iterations)`);
      if (ok) {
        this.#verified = key;
        if (hashIterations(stored) < PASSWORD_ITERATIONS) this.upgrade(given);
        return this.passed(client);
      }
      this.#globalFailures++;
      this.failed(client, now, failures);
    }
    const realm = String(this.#config.get("hostname") ?? "device").replace(/["\\]/g, "");
    return jsonError(401, "this change needs the admin password (user admin)", {
      "www-authenticate": `Basic realm="${realm}", charset="UTF-8"`,
    });
  }

  private tooMany(ms: number): HttpResponse {
    const seconds = Math.max(1, Math.ceil(ms / 1000));
    return jsonError(429, `too many wrong passwords; try again in ${seconds} s`, { "retry-after": String(seconds) });
  }

  /** The table holds trackedClients clients and every one of them is locked out. */
  private full(now: number): boolean {
    const table = this.#failures;
    if (!table || table.size < this.#limits.trackedClients) return false;
    for (const entry of table.values()) if (now >= entry.until) return false;
    return true;
  }

  /** Makes the stored hash anew with today's iteration count (the password was just given right). */
  private upgrade(clear: string): void {
    try {
      this.#config.rehash("admin_password", clear);
    } catch {
      // The store refused the write: the old hash still works, the next login tries again.
    }
  }

  private passed(client: string): undefined {
    this.#failures?.delete(client);
    return undefined;
  }

  private failed(client: string, now: number, previous: Failures | undefined): void {
    const count = (previous?.count ?? 0) + 1;
    const over = count - this.#limits.freeFailures;
    const lockout = over <= 0 ? 0 : Math.min(this.#limits.firstLockoutMs * 2 ** (over - 1), this.#limits.maxLockoutMs);
    const table = (this.#failures ??= new Map());
    table.delete(client);
    if (table.size >= this.#limits.trackedClients) {
      // Room is made by forgetting the oldest client that is not locked out; a locked one stays.
      for (const [other, entry] of table) {
        if (now >= entry.until) {
          table.delete(other);
          break;
        }
      }
    }
    if (table.size < this.#limits.trackedClients) table.set(client, { count, until: now + lockout });
  }
}
