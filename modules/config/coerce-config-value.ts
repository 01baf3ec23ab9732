/*
 * Turns a value offered for a setting into the setting's type within its limits, or refuses it
 * with a ConfigError that names the key and says what is wrong. JSON callers must send the
 * key's own type; form fields are text, so a form value is parsed: a number by the JSON number
 * grammar (so "0x10", "1e", " 5" and "Infinity" are refused, as JSON refuses them), a boolean
 * from "true"/"false"/"on"/"off"/"1"/"0"/"yes"/"no".
 */

import { utf8Length } from "../text/utf8";
import { ConfigError } from "./config-error";
import type { ConfigValue, SettingChoice, SettingSpec } from "./config-keys";

export type ValueSource = "json" | "form";

const FORM_TRUE: readonly string[] = Object.freeze(["true", "on", "1", "yes"]);
const FORM_FALSE: readonly string[] = Object.freeze(["false", "off", "0", "no", ""]);
const JSON_NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;
const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]/;

export function choiceValue(choice: string | SettingChoice): string {
  return typeof choice === "string" ? choice : choice.value;
}

/** The number a form field holds, or NaN when it is not a JSON number. */
function formNumber(text: string): number {
  return JSON_NUMBER.test(text) ? Number(text) : NaN;
}

/** Numbers compared with a little slack, so 0.1 steps from 0 accept 0.3. */
function onStep(value: number, step: number, from: number): boolean {
  const n = (value - from) / step;
  return Math.abs(n - Math.round(n)) < 1e-9 * Math.max(1, Math.abs(n));
}

export function coerceConfigValue(key: string, spec: SettingSpec, value: unknown, source: ValueSource): ConfigValue {
  const label = key;
  let result: ConfigValue;
  switch (spec.type) {
    case "string": {
      if (typeof value !== "string") throw new ConfigError(key, `${label} must be a string`);
      if (CONTROL.test(value)) throw new ConfigError(key, `${label} contains control characters`);
      const bytes = spec.maxBytes !== undefined || spec.minBytes !== undefined ? utf8Length(value) : 0;
      if (spec.maxBytes !== undefined && bytes > spec.maxBytes) throw new ConfigError(key, `${label} is longer than ${spec.maxBytes} bytes`);
      // An empty value is "not set" unless a length is required: a secret may always be cleared.
      if (spec.minBytes !== undefined && bytes < spec.minBytes && !(spec.secret && value === ""))
        throw new ConfigError(key, spec.minBytes === 1 ? `${label} must not be empty` : `${label} is shorter than ${spec.minBytes} bytes`);
      if (spec.pattern !== undefined && !(spec.secret && value === "") && !new RegExp(`^(?:${spec.pattern})$`).test(value))
        throw new ConfigError(key, `${label} must be ${spec.patternHelp ?? `like ${spec.pattern}`}`);
      if (spec.choices !== undefined && !spec.choices.some((c) => choiceValue(c) === value))
        throw new ConfigError(key, `${label} must be one of ${spec.choices.map(choiceValue).join(", ")}`);
      result = value;
      break;
    }
    case "number":
    case "integer": {
      let n: unknown = value;
      if (source === "form" && typeof value === "string") n = formNumber(value);
      if (typeof n !== "number" || !Number.isFinite(n)) throw new ConfigError(key, `${label} must be a finite number`);
      if (spec.type === "integer" && !Number.isInteger(n)) throw new ConfigError(key, `${label} must be a whole number`);
      if (spec.min !== undefined && n < spec.min) throw new ConfigError(key, `${label} must be at least ${spec.min}`);
      if (spec.max !== undefined && n > spec.max) throw new ConfigError(key, `${label} must be at most ${spec.max}`);
      if (spec.step !== undefined && !onStep(n, spec.step, spec.min ?? 0))
        throw new ConfigError(key, `${label} must be in steps of ${spec.step}${spec.min ? ` from ${spec.min}` : ""}`);
      result = n;
      break;
    }
    case "boolean": {
      if (typeof value === "boolean") result = value;
      else if (source === "form" && typeof value === "string" && FORM_TRUE.includes(value.toLowerCase())) result = true;
      else if (source === "form" && typeof value === "string" && FORM_FALSE.includes(value.toLowerCase())) result = false;
      else throw new ConfigError(key, `${label} must be true or false`);
      break;
    }
    default:
      throw new ConfigError(key, `${label} has an unknown type`);
  }
  const why = spec.check?.(result);
  if (why !== undefined) throw new ConfigError(key, `${label}: ${why}`);
  return result;
}
