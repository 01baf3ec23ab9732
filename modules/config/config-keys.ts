/*
 * The built-in config keys: their names (used by the web page and the JSON API), types, limits
 * and groups. Frozen so that on XS the table is preloaded into flash.
 */

export type ConfigValue = string | number | boolean;
export type ConfigType = "string" | "number" | "boolean";
export type ConfigGroup = "wifi" | "device" | "app";

export interface ConfigKeySpec {
  readonly type: ConfigType;
  readonly default: ConfigValue;
  readonly group: ConfigGroup;
  readonly label: string;
  /** Never sent back to a browser or over the API. */
  readonly secret?: boolean;
  /** Stored as a salted hash (auth/password-hash.ts), never in clear. */
  readonly hashed?: boolean;
  /** Longest string value, in UTF-8 bytes. */
  readonly maxBytes?: number;
}

/** Longest string an app key may hold, in UTF-8 bytes (the whole config must fit one record). */
export const APP_STRING_MAX_BYTES = 256;

export const BUILTIN_KEYS: Readonly<Record<string, ConfigKeySpec>> = Object.freeze({
  wifi_ssid: Object.freeze({ type: "string", default: "", group: "wifi", label: "Network (SSID)", maxBytes: 32 }),
  wifi_password: Object.freeze({ type: "string", default: "", group: "wifi", label: "Password", secret: true, maxBytes: 64 }),
  wifi_fallback_ssid: Object.freeze({ type: "string", default: "", group: "wifi", label: "Fallback network (SSID)", maxBytes: 32 }),
  wifi_fallback_password: Object.freeze({ type: "string", default: "", group: "wifi", label: "Fallback password", secret: true, maxBytes: 64 }),
  hostname: Object.freeze({ type: "string", default: "", group: "device", label: "Hostname", maxBytes: 32 }),
  admin_password: Object.freeze({ type: "string", default: "", group: "device", label: "Admin password", secret: true, hashed: true, maxBytes: 64 }),
  ota_url: Object.freeze({ type: "string", default: "", group: "device", label: "OTA image URL", maxBytes: 200 }),
} satisfies Record<string, ConfigKeySpec>);
