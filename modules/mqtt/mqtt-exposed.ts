/*
 * What the MQTT feature does with a persistent variable the app exposed: which Home Assistant
 * component stands for it, the text of its state, and how a command's payload becomes the
 * input its coerce() takes. One rule per component, so the state a device publishes is always
 * a payload its command topic accepts.
 *
 *   component  variable types             state payload                 command payload
 *   switch     boolean                    true | false                  true/false, ON/OFF, on/off, yes/no, 1/0
 *   number     integer, float, range      decimal text                  decimal text
 *   text       string, hex                the text                      the text (UTF-8)
 *              json, list, set            JSON text                     JSON text
 *   light      rgb                        {"state","color_mode","color"} Home Assistant's JSON light
 *                                                                        command, or #rrggbb, r,g,b
 *   select     string (with options)      the option                    one of the options
 *
 * An empty payload is refused for every type (an empty retained message is how MQTT deletes
 * one, never a value). A payload that is not UTF-8 is refused before anything is parsed.
 */

/**
 * What the feature needs of a variable: every Persistent* class (modules/persistent/) is one.
 * Declared here, not imported, so this feature depends on no other feature's folder.
 */
export interface MqttVariable {
  /** "folder/name". */
  readonly id: string;
  readonly name?: string;
  readonly label: string;
  /** "boolean", "integer", "float", "string", "json", "set", "list", "range", "rgb" or "hex". */
  readonly type: string;
  readonly input: { readonly min?: number; readonly max?: number; readonly step?: number | "any"; readonly pattern?: string };
  /** The longest string value in UTF-8 bytes, where the type has one. */
  readonly maxBytes?: number;
  readonly value: unknown;
  /** The canonical value, or throws an error naming the variable (PersistentValueError). */
  coerce(input: unknown): unknown;
  /** Coerces and saves; false when the value did not change. */
  write(input: unknown): boolean;
}

type PersistentType = string;

export type MqttComponent = "switch" | "number" | "text" | "light" | "select";

export interface MqttExposeOptions {
  /** The name in topics (<base>/set/<name>) and the object id; default the variable's name. */
  readonly name?: string;
  /** Default: from the variable's type (see the table above). */
  readonly component?: MqttComponent;
  /** Home Assistant's unit_of_measurement (a number). */
  readonly unit?: string;
  readonly deviceClass?: string;
  readonly icon?: string;
  /** The choices of a select (a string variable). */
  readonly options?: readonly string[];
  /** How Home Assistant edits a number: "box" or "slider" (default: slider for a range, box otherwise). */
  readonly mode?: "box" | "slider" | "auto";
  /** Shown in Home Assistant; default the variable's label. */
  readonly label?: string;
}

export interface MqttDescribeOptions {
  readonly unit?: string;
  readonly deviceClass?: string;
  /** measurement, total, total_increasing. */
  readonly stateClass?: string;
  readonly icon?: string;
  /** Shown in Home Assistant; default the key. */
  readonly label?: string;
}

const JSON_TYPES: readonly PersistentType[] = Object.freeze(["json", "list", "set"]);

export function defaultComponent(type: PersistentType, options: MqttExposeOptions): MqttComponent {
  if (options.options) return "select";
  if (type === "boolean") return "switch";
  if (type === "integer" || type === "float" || type === "range") return "number";
  if (type === "rgb") return "light";
  return "text";
}

/** Which components a variable of `type` may be shown as; the first is its default. */
export function componentFits(component: MqttComponent, type: PersistentType): boolean {
  if (component === "switch") return type === "boolean";
  if (component === "number") return type === "integer" || type === "float" || type === "range";
  if (component === "light") return type === "rgb";
  if (component === "select") return type === "string";
  return true; // text: any value has a text form
}

function channels(hex: string): { r: number; g: number; b: number } {
  return { r: parseInt(hex.slice(1, 3), 16), g: parseInt(hex.slice(3, 5), 16), b: parseInt(hex.slice(5, 7), 16) };
}

/** The state payload of a variable's value. */
export function stateText(component: MqttComponent, variable: MqttVariable): string {
  const value = variable.value;
  if (component === "light") {
    const hex = String(value);
    return JSON.stringify({ state: hex === "#000000" ? "OFF" : "ON", color_mode: "rgb", color: channels(hex) });
  }
  if (component === "switch") return value ? "true" : "false";
  if (JSON_TYPES.includes(variable.type)) return JSON.stringify(value);
  return String(value);
}

/** Thrown with the reason a payload is refused (the feature names the variable). */
export class CommandError extends Error {}
Object.defineProperty(CommandError.prototype, "name", { value: "CommandError", writable: true, configurable: true });

/** The input for variable.coerce() that a command's text stands for; throws CommandError. */
export function commandInput(component: MqttComponent, variable: MqttVariable, text: string, options: readonly string[] | undefined): unknown {
  if (text === "") throw new CommandError("the payload is empty");
  if (component === "select") {
    if (!options || !options.includes(text)) throw new CommandError(`"${text.slice(0, 40)}" is not one of the options (${(options ?? []).join(", ").slice(0, 120)})`);
    return text;
  }
  if (component === "light") return lightInput(variable, text);
  if (JSON_TYPES.includes(variable.type)) {
    try {
      return JSON.parse(text);
    } catch {
      throw new CommandError("the payload is not JSON text");
    }
  }
  return text;
}

function lightInput(variable: MqttVariable, text: string): unknown {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    let command: unknown;
    try {
      command = JSON.parse(trimmed);
    } catch {
      throw new CommandError("the payload is not JSON text");
    }
    if (command === null || typeof command !== "object" || Array.isArray(command)) throw new CommandError("expected a JSON object like {\"state\":\"ON\",\"color\":{\"r\":255,\"g\":0,\"b\":0}}");
    const o = command as Record<string, unknown>;
    if (o.state === "OFF") return "#000000";
    if (o.state !== undefined && o.state !== "ON") throw new CommandError('state must be "ON" or "OFF"');
    const color = o.color;
    if (color !== undefined) {
      if (color === null || typeof color !== "object") throw new CommandError("color must be an object {r, g, b}");
      const c = color as Record<string, unknown>;
      return { r: c.r, g: c.g, b: c.b };
    }
    // ON without a colour: the colour it had, or white when it was off.
    const current = String(variable.value);
    return current === "#000000" ? "#ffffff" : current;
  }
  if (trimmed === "ON") return String(variable.value) === "#000000" ? "#ffffff" : String(variable.value);
  if (trimmed === "OFF") return "#000000";
  const parts = trimmed.split(",");
  if (parts.length === 3) {
    const rgb = parts.map((p) => (/^\s*\d{1,3}\s*$/.test(p) ? Number(p) : NaN));
    return rgb;
  }
  return trimmed;
}
