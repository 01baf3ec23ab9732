/*
 * AdminAuth: with admin_password set, requests that change the device must carry HTTP Basic
 * credentials for user "admin". A wrong password is answered 401 with WWW-Authenticate (so a
 * browser asks for it); a client that keeps failing is slowed down exponentially: after two
 * free tries, each failure locks that client out for 1 s, 2 s, 4 s, ... up to 5 minutes, and
 * while locked out every attempt is answered 429 with Retry-After without being checked.
 * A verified credential is remembered (as a hash), so the password hash is computed once per
 * login, not on every request.
 */

import type { Config } from "../config/config";
import { Sha256, toHex } from "../crypto/sha256";
import type { Clock } from "../host/clock";
import type { Sha256Factory } from "../host/digest";
import type { HttpRequest, HttpResponse } from "../http/http-message";
import { jsonError } from "../http/response";
import { base64Decode } from "../text/base64";
import { utf8Decode, utf8Encode } from "../text/utf8";
import { constantTimeEqual, verifyPassword } from "./password-hash";

export const AUTH_LIMITS = Object.freeze({
  /** Failures before the lock-outs begin. */
  freeFailures: 2,
  firstLockoutMs: 1000,
  maxLockoutMs: 300_000,
  /** Clients tracked at once; the oldest is forgotten first. */
  trackedClients: 32,
});

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

export class AdminAuth {
  readonly #config: Config;
  readonly #clock: Clock;
  readonly #hash: Sha256Factory;
  readonly #failures = new Map<string, Failures>();
  #verified: string | undefined;

  constructor(config: Config, clock: Clock, hash: Sha256Factory = () => new Sha256()) {
    this.#config = config;
    this.#clock = clock;
    this.#hash = hash;
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
    const failures = this.#failures.get(client);
    if (failures && now < failures.until) {
      const seconds = Math.ceil((failures.until - now) / 1000);
      return jsonError(429, `too many wrong passwords; try again in ${seconds} s`, { "retry-after": String(seconds) });
    }
    const header = request.headers.authorization;
    if (header !== undefined) {
      const key = credentialKey(header, stored, this.#hash);
      if (this.#verified !== undefined && constantTimeEqual(key, this.#verified)) return this.#passed(client);
      const given = password(header);
      if (given !== undefined && verifyPassword(given, stored, this.#hash)) {
        this.#verified = key;
        return this.#passed(client);
      }
      this.#failed(client, now, failures);
    }
    const realm = String(this.#config.get("hostname") ?? "device").replace(/["\\]/g, "");
    return jsonError(401, "this change needs the admin password (user admin)", {
      "www-authenticate": `Basic realm="${realm}", charset="UTF-8"`,
    });
  }

  #passed(client: string): undefined {
    this.#failures.delete(client);
    return undefined;
  }

  #failed(client: string, now: number, previous: Failures | undefined): void {
    const count = (previous?.count ?? 0) + 1;
    const over = count - AUTH_LIMITS.freeFailures;
    const lockout = over <= 0 ? 0 : Math.min(AUTH_LIMITS.firstLockoutMs * 2 ** (over - 1), AUTH_LIMITS.maxLockoutMs);
    this.#failures.delete(client);
    this.#failures.set(client, { count, until: now + lockout });
    if (this.#failures.size > AUTH_LIMITS.trackedClients) {
      const oldest = this.#failures.keys().next().value;
      if (oldest !== undefined) this.#failures.delete(oldest);
    }
  }

  /** Forgets the remembered login (the password changed). */
  forget(): void {
    this.#verified = undefined;
  }
}
