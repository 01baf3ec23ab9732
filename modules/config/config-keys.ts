/*
 * Settings as they are declared: a key's type, default, limits and what the page says about it.
 * The core declares its own few here (hostname, admin password, allowed hosts); each feature
 * declares its own (feature.ts, `settings`), and the app declares its with configAdd(), in the
 * short form ({key: default}) or this long one.
 *
 * Every write goes through the declaration (coerce-config-value.ts), from every path (the form,
 * the JSON API, config.set()), and the page renders the label, the help text and an input that
 * knows the limits. Frozen so that on XS the tables are preloaded into flash.
 */

export type ConfigValue = string | number | boolean;
export type SettingType = "string" | "number" | "integer" | "boolean";

export interface SettingChoice {
  readonly value: string;
  readonly label: string;
}

export interface SettingSpec {
  readonly type: SettingType;
  readonly default: ConfigValue;
  /** Where the page shows it: "device", "app", or the name of the feature that owns it. */
  readonly group: string;
  readonly label: string;
  /** A sentence under the input: what the setting does, its unit, an example. */
  readonly help?: string;
  /** Never sent back to a browser or over the API. */
  readonly secret?: boolean;
  /** Stored as a salted hash (crypto/password-hash.ts), never in clear. */
  readonly hashed?: boolean;
  /** Shortest and longest string value, in UTF-8 bytes. */
  readonly minBytes?: number;
  readonly maxBytes?: number;
  /** A regular expression (source) the whole string must match; the page's input gets it too. */
  readonly pattern?: string;
  /** What the pattern asks for, in plain words ("letters, digits and hyphens"). */
  readonly patternHelp?: string;
  /** The only values a string may take (the page shows a select). */
  readonly choices?: readonly (string | SettingChoice)[];
  /** Limits of a number; step counts from min (or 0). */
  readonly min?: number;
  readonly max?: number;
  readonly step?: number;
  /** A last check in plain words: why the value is refused, or undefined when it is fine. */
  readonly check?: (value: ConfigValue) => string | undefined;
}

/** The long form an app (or a feature) writes: the type follows the default when left out. */
export type SettingDeclaration = Omit<SettingSpec, "type" | "group" | "label"> & {
  readonly type?: SettingType;
  readonly group?: string;
  readonly label?: string;
};

/** Longest string an app key may hold, in UTF-8 bytes (the whole config must fit one record). */
export const APP_STRING_MAX_BYTES = 256;

/** RFC 1123: letters, digits and hyphens, 1 to 63, no hyphen first or last. */
export const HOSTNAME_PATTERN = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";

/** Made where it is used: a preloaded regex corrupts XS 8.2.3's heap when it runs (tests/node/preload-lint.ts). */
const DNS_NAME = (): RegExp => /^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** allowed_hosts: names separated by commas, each a DNS name. */
function checkHostList(value: ConfigValue): string | undefined {
  for (const name of String(value).split(",")) {
    const trimmed = name.trim();
    if (trimmed !== "" && !DNS_NAME().test(trimmed)) return `"${trimmed.slice(0, 40)}" is not a host name`;
  }
  return undefined;
}

export const CORE_SETTINGS: Readonly<Record<string, SettingSpec>> = Object.freeze({
  hostname: Object.freeze({
    type: "string",
    // The manager gives every device its own: "iot-" and the end of its MAC.
    default: "iot-device",
    group: "device",
    label: "Hostname",
    help: "The device's name on the network (hostname.local).",
    minBytes: 1,
    maxBytes: 63,
    pattern: HOSTNAME_PATTERN,
    patternHelp: "1 to 63 letters, digits and hyphens, not starting or ending with a hyphen",
  }),
  admin_password: Object.freeze({
    type: "string",
    default: "",
    group: "device",
    label: "Admin password",
    help: "Needed for every change once set (user admin).",
    secret: true,
    hashed: true,
    maxBytes: 64,
  }),
  allowed_hosts: Object.freeze({
    type: "string",
    default: "",
    group: "device",
    label: "Other names of this device",
    help: "Names your router gives the device (e.g. iot-3f2a.fritz.box), separated by commas: changes are accepted only from the device's own names.",
    maxBytes: 200,
    check: checkHostList,
  }),
} satisfies Record<string, SettingSpec>);
