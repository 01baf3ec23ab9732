/*
 * Config: the device's settings, saved as one JSON object in an AtomicRecord.
 *
 * - Keys are the core's (config-keys.ts), those each feature declares (declare()) and those the
 *   app adds (add(), short form {key: default} or the long form with limits). Every write is
 *   checked against its key's declaration (coerce-config-value.ts).
 * - update() validates every change first, then saves all of them in one atomic write, or none:
 *   a refused change, a config too large for the record, or a failing store leaves both the
 *   stored and the in-memory config as they were.
 * - Saved values win over defaults. A saved key the app has not added (yet) is kept as it is, so
 *   a save made before add() never drops it.
 */

import { hashPassword, isPasswordHash, verifyPassword } from "../crypto/password-hash";
import type { Storage } from "../host/storage";
import { AtomicRecord, RecordTooLargeError } from "../storage/atomic-record";
import { CONFIG_DOMAIN } from "../storage/storage-rules";
import { coerceConfigValue, type ValueSource } from "./coerce-config-value";
import { ConfigError } from "./config-error";
import { APP_STRING_MAX_BYTES, CORE_SETTINGS, type ConfigValue, type SettingDeclaration, type SettingSpec } from "./config-keys";

export { CONFIG_DOMAIN };

const RECORD_NAME = "config";
/** Made where it is used: a preloaded regex corrupts XS 8.2.3's heap when it runs (tests/node/preload-lint.ts). */
const APP_KEY = (): RegExp => /^[A-Za-z0-9_.-]{1,64}$/;

/** Names that are an object's own machinery, never a setting, on every path. */
function isProtoKey(key: string): boolean {
  return key === "__proto__" || key === "constructor" || key === "prototype";
}

export type ConfigListener = (changed: readonly string[]) => void;

/**
 * A listener that is an object (the manager's Events): called as sink.emit("config", keys), so
 * the manager holds no closure of its own for it.
 */
export interface ConfigSink {
  emit(name: "config", changed: readonly string[]): void;
}

/** How secrets marked `hashed` are stored (admin_password: a salted hash) and checked. */
export interface SecretHasher {
  hash(clear: string): string;
  /** True when clear is the secret stored as `stored`. */
  matches(clear: string, stored: string): boolean;
}

/** Salts from Math.random: only for a host with no better source (the manager passes the host's). */
const defaultHasher: SecretHasher = Object.freeze({
  hash(clear: string): string {
    const salt = new Uint8Array(16);
    for (let i = 0; i < salt.length; i++) salt[i] = Math.floor(Math.random() * 256);
    return hashPassword(clear, salt);
  },
  matches: (clear: string, stored: string): boolean => verifyPassword(clear, stored),
});

const SETTING_TYPES: readonly string[] = Object.freeze(["string", "number", "integer", "boolean"]);

/** A long-form declaration (or a bare default) made whole, for `group` unless it names its own. */
export function settingSpec(key: string, declared: ConfigValue | SettingDeclaration, group: string): SettingSpec {
  const long = typeof declared === "object" && declared !== null ? declared : undefined;
  const value = (long ? long.default : declared) as ConfigValue;
  const type = long?.type ?? (typeof value === "number" ? "number" : typeof value);
  if (!SETTING_TYPES.includes(type)) throw new ConfigError(key, `config key ${key}: default must be a string, number or boolean`);
  if (typeof value === "number" && !Number.isFinite(value)) throw new ConfigError(key, `config key ${key}: default must be finite`);
  const spec: SettingSpec = {
    ...long,
    type: type as SettingSpec["type"],
    default: value,
    group: long?.group ?? group,
    label: long?.label ?? key,
    maxBytes: type === "string" ? Math.min(long?.maxBytes ?? APP_STRING_MAX_BYTES, APP_STRING_MAX_BYTES) : undefined,
  };
  return spec;
}

// Helper methods are TypeScript-private, not #private: XS gives every instance one slot per #method.
export class Config {
  readonly #record: AtomicRecord;
  /**
   * Every declared key's value, in declaration order. The key's declaration is not kept beside
   * it (a second map entry per setting): it is looked up in the tables declare() was given, or,
   * for a declaration made at run time, in #made.
   */
  readonly #values = new Map<string, ConfigValue>();
  /** The tables declare() was given (the features' frozen `settings`, in flash on the device). */
  readonly #tables: Readonly<Record<string, SettingSpec>>[] = [];
  /** Declarations made at run time: the app's keys (add()), defaults the manager knows better. */
  #made: Map<string, SettingSpec> | undefined;
  /** Saved values of keys nobody has declared (yet); made when the saved config has some. */
  #orphans: Map<string, unknown> | undefined;
  readonly #listeners: (ConfigListener | ConfigSink)[] = [];
  readonly #hashSecret: SecretHasher;
  /** What went wrong reading the saved settings (defaults are in use), until someone saves them. */
  problem: string | undefined;
  /** What the load found that worked out (a damaged copy, the other one used), to log. */
  notice: string | undefined;
  /** Defaults the manager knows better than a declaration (hostname from the MAC, ota_url). */
  readonly #defaults: Readonly<Record<string, ConfigValue>>;

  /**
   * @param defaults overrides for built-in defaults the host or the app knows (hostname, ota_url).
   * @param hashSecret how secrets marked `hashed` are stored.
   */
  constructor(storage: Storage, defaults: Readonly<Record<string, ConfigValue>> = {}, hashSecret: SecretHasher = defaultHasher) {
    this.#hashSecret = hashSecret;
    this.#defaults = defaults;
    this.#record = new AtomicRecord(storage, CONFIG_DOMAIN, RECORD_NAME);
    let saved: Record<string, unknown> = {};
    const text = this.#record.value;
    const condition = this.#record.condition;
    // The host's word first: a domain it could not read at all reads as empty here. The problem
    // stays the settings' until they are saved, even once another key of the domain is written.
    const unread = storage.problems?.().find((p) => p.domain === CONFIG_DOMAIN);
    if (unread) this.problem = `the settings could not be read, defaults are in use until they are saved: ${unread.message}`;
    else if (condition === "damaged") this.problem = "the saved settings are damaged (neither copy is readable): defaults are in use until the settings are saved";
    else if (condition === "one-copy-damaged") this.notice = "one copy of the saved settings was damaged (a save cut short?): the other copy is in use";
    if (text !== undefined) {
      try {
        const parsed: unknown = JSON.parse(text);
        if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) saved = parsed as Record<string, unknown>;
        else throw new SyntaxError("not a JSON object");
      } catch {
        // A record with a valid checksum holds what we wrote; unparsable JSON means a bug, not a
        // power cut. Defaults rather than a device that will not boot, and it says so.
        this.problem = "the saved settings could not be read (not JSON): defaults are in use until the settings are saved";
      }
    }
    const keys = Object.keys(saved);
    if (keys.length) {
      const orphans = (this.#orphans = new Map());
      for (const key of keys) orphans.set(key, saved[key]);
    }
    this.declare(CORE_SETTINGS);
  }

  /**
   * Declares a feature's settings (whole specs). A default the manager was given for a key
   * (hostname, ota_url) wins over the spec's; a saved value wins over both. Throws for a key
   * already declared, or a default that breaks its own limits (a bug in the declaration).
   */
  declare(settings: Readonly<Record<string, SettingSpec>>): void {
    const keys = Object.keys(settings);
    for (const key of keys) if (this.#values.has(key)) throw new ConfigError(key, `config key ${key} is declared twice`);
    this.#tables.push(settings);
    for (const key of keys) {
      const given = Object.freeze(settings[key]);
      // The declaration stays where it is (a frozen table, in flash): the spec inherits it and owns
      // only the default the manager knows better, one slot instead of a copy of every field.
      const made = key in this.#defaults;
      const spec: SettingSpec = made ? Object.create(given, { default: { value: this.#defaults[key], enumerable: true } }) : given;
      if (!(spec.secret && spec.default === "")) coerceConfigValue(key, spec, spec.default, "json");
      if (made) (this.#made ??= new Map()).set(key, Object.freeze(spec));
      this.declareOne(key, spec);
    }
  }

  /**
   * Declares app keys, each a default ({key: "Counter"}, its type follows) or a long-form
   * declaration ({key: {default: 60, type: "integer", min: 5, label, help}}). Returns the keys
   * that were new to the stored config (and were saved). A key already declared is left as it is.
   */
  add(declarations: Readonly<Record<string, ConfigValue | SettingDeclaration>>): string[] {
    const added: string[] = [];
    for (const key of Object.keys(declarations)) {
      if (this.#values.has(key)) continue;
      if (!APP_KEY().test(key) || isProtoKey(key)) throw new ConfigError(key, `config key "${key}" must be 1-64 letters, digits, "_", "." or "-"`);
      const spec = Object.freeze(settingSpec(key, declarations[key], "app"));
      coerceConfigValue(key, spec, spec.default, "json");
      if (!this.#orphans?.has(key)) added.push(key);
      (this.#made ??= new Map()).set(key, spec);
      this.declareOne(key, spec);
    }
    if (added.length) this.persist(this.#values);
    return added;
  }

  private declareOne(key: string, spec: SettingSpec): void {
    let value = spec.default;
    const orphans = this.#orphans;
    if (orphans?.has(key)) {
      const saved = orphans.get(key);
      try {
        // A hashed secret is stored as its hash, which the clear text's limits do not fit.
        if (spec.hashed && typeof saved === "string" && (saved === "" || isPasswordHash(saved))) value = saved;
        else value = coerceConfigValue(key, spec, saved, "json");
      } catch {
        // The saved value no longer fits the key's type (the app changed it): the default wins.
      }
      orphans.delete(key);
      if (orphans.size === 0) this.#orphans = undefined;
    }
    this.#values.set(key, value);
  }

  has(key: string): boolean {
    return this.#values.has(key);
  }

  get(key: string): ConfigValue | undefined {
    return this.#values.get(key);
  }

  spec(key: string): SettingSpec | undefined {
    // Only a declared key reaches the tables: a property name that is in one of them already, so
    // a client's string never becomes a property key here (XS would keep it for good).
    if (!this.#values.has(key)) return undefined;
    const made = this.#made?.get(key);
    if (made) return made;
    const tables = this.#tables;
    for (let i = 0; i < tables.length; i++) if (Object.hasOwn(tables[i], key)) return tables[i][key];
    return undefined;
  }

  /** Keys in display order: built-ins first, then app keys in the order they were added. */
  keys(): string[] {
    return Array.from(this.#values.keys());
  }

  set(key: string, value: unknown): void {
    this.update({ [key]: value });
  }

  /**
   * Validates every change, then saves them all at once; throws ConfigError (naming the key)
   * and saves nothing if any is refused. Returns the keys whose value changed.
   */
  update(changes: Readonly<Record<string, unknown>>, source: ValueSource = "json"): string[] {
    const next = new Map(this.#values);
    const changed: string[] = [];
    for (const key of Object.keys(changes)) {
      const spec = isProtoKey(key) ? undefined : this.spec(key);
      if (!spec) throw new ConfigError(key, `unknown config key "${key.slice(0, 64)}"`);
      let value = coerceConfigValue(key, spec, changes[key], source);
      if (spec.hashed && value !== "") {
        const current = String(next.get(key) ?? "");
        // The same password again keeps its stored hash: a new salt would write flash for nothing.
        value = current !== "" && this.#hashSecret.matches(String(value), current) ? current : this.#hashSecret.hash(String(value));
      }
      if (next.get(key) !== value) changed.push(key);
      next.set(key, value);
    }
    if (!changed.length) return changed;
    this.persist(next);
    // Saved by someone: the settings are theirs again, not defaults standing in for lost ones.
    this.problem = undefined;
    for (const [key, value] of next) this.#values.set(key, value);
    for (const listener of [...this.#listeners]) {
      if (typeof listener === "function") listener(changed);
      else listener.emit("config", changed);
    }
    return changed;
  }

  /**
   * Stores a hashed secret anew from its clear text (a hash made with fewer iterations than
   * today's, upgraded on a login). Nothing changes for the listeners: the secret is the same.
   */
  rehash(key: string, clear: string): void {
    const spec = this.spec(key);
    if (!spec?.hashed || clear === "") return;
    const next = new Map(this.#values);
    next.set(key, this.#hashSecret.hash(clear));
    this.persist(next);
    this.#values.set(key, next.get(key) as ConfigValue);
  }

  private persist(values: ReadonlyMap<string, ConfigValue>): void {
    // No prototype: on the device Object.prototype is frozen, and assigning a key named like one
    // of its members ("constructor", "valueOf") to a plain object throws instead of adding it.
    const out = Object.create(null) as Record<string, unknown>;
    if (this.#orphans) for (const [key, value] of this.#orphans) out[key] = value;
    for (const [key, value] of values) out[key] = value;
    try {
      this.#record.save(JSON.stringify(out));
    } catch (e) {
      if (e instanceof RecordTooLargeError) throw new ConfigError("*", `config too large to save: ${e.message}`);
      throw e;
    }
  }

  /** The config without secrets: what a browser or an API client may see. */
  publicValues(): Record<string, ConfigValue> {
    const out = Object.create(null) as Record<string, ConfigValue>; // any key may be an app key: see #persist
    for (const [key, value] of this.#values) if (!this.spec(key)?.secret) out[key] = value;
    return out;
  }

  /** Secret keys that hold a value (the page says "set", never what). */
  secretsSet(): string[] {
    return this.keys().filter((key) => this.spec(key)?.secret && this.#values.get(key) !== "");
  }

  /** Calls listener (or sink.emit("config", keys)) with the keys of every change saved; returns its unsubscribe. */
  onChange(listener: ConfigListener | ConfigSink): () => void {
    this.#listeners.push(listener);
    return () => {
      const i = this.#listeners.indexOf(listener);
      if (i >= 0) this.#listeners.splice(i, 1);
    };
  }

  /** Forgets every saved value (factory reset); the in-memory config returns to defaults. */
  reset(): void {
    this.#record.clear();
    this.problem = undefined;
    this.#orphans = undefined;
    for (const key of Array.from(this.#values.keys())) this.#values.set(key, (this.spec(key) as SettingSpec).default);
  }
}
