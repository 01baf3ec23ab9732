/*
 * Turns a value offered for a config key into the key's type, or refuses it with a ConfigError
 * that names the key. JSON callers must send the key's own type; form fields are text, so a
 * form value is parsed ("42" for a number, "true"/"false"/"on" for a boolean).
 */

import { ConfigError } from "./config-error";
import type { ConfigKeySpec, ConfigValue } from "./config-keys";
import { utf8Length } from "../text/utf8";

export type ValueSource = "json" | "form";

const FORM_TRUE = Object.freeze(["true", "on", "1", "yes"]);
const FORM_FALSE = Object.freeze(["false", "off", "0", "no", ""]);

export function coerceConfigValue(key: string, spec: ConfigKeySpec, value: unknown, source: ValueSource): ConfigValue {
  switch (spec.type) {
    case "string": {
      if (typeof value !== "string") throw new ConfigError(key, `${key} must be a string`);
      if (spec.maxBytes !== undefined && utf8Length(value) > spec.maxBytes)
        throw new ConfigError(key, `${key} is longer than ${spec.maxBytes} bytes`);
      if (/[\u0000-\u001f\u007f]/.test(value)) throw new ConfigError(key, `${key} contains control characters`);
      return value;
    }
    case "number": {
      let n: unknown = value;
      if (source === "form" && typeof value === "string") n = value.trim() === "" ? NaN : Number(value);
      if (typeof n !== "number" || !Number.isFinite(n)) throw new ConfigError(key, `${key} must be a finite number`);
      return n;
    }
    case "boolean": {
      if (typeof value === "boolean") return value;
      if (source === "form" && typeof value === "string") {
        const v = value.toLowerCase();
        if (FORM_TRUE.includes(v)) return true;
        if (FORM_FALSE.includes(v)) return false;
      }
      throw new ConfigError(key, `${key} must be true or false`);
    }
  }
}
