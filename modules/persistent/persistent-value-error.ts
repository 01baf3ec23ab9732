/*
 * PersistentValueError: a value a persistent variable refused. Its message names the variable
 * (folder/name), shows the value and says which type it could not be made into and why; the
 * stored value is unchanged when it is thrown.
 */

function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "function") return "a function";
  if (typeof value === "symbol" || value === undefined) return String(value);
  try {
    const text = JSON.stringify(value);
    if (text !== undefined) return text.length > 60 ? `${text.slice(0, 60)}…` : text;
  } catch {
    // A cycle or a throwing toJSON: fall through to the object's tag.
  }
  return Object.prototype.toString.call(value);
}

export class PersistentValueError extends Error {
  /** The variable, as "folder/name". */
  readonly variable: string;
  readonly value: unknown;
  /** The variable's type ("float", "rgb", ...). */
  readonly type: string;

  constructor(variable: string, value: unknown, type: string, reason: string) {
    super(`${variable}: cannot store ${show(value)} as ${type}: ${reason}`);
    this.variable = variable;
    this.value = value;
    this.type = type;
  }
}
// On the prototype, as built-in errors have it: `this.name = ...` throws where preloading froze Error.prototype.
Object.defineProperty(PersistentValueError.prototype, "name", { value: "PersistentValueError", writable: true, configurable: true });
