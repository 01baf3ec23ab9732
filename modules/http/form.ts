/*
 * application/x-www-form-urlencoded and query strings: "+" is a space, %XX are UTF-8 bytes.
 * A malformed escape or invalid UTF-8 throws FormError (the caller answers 400); a repeated
 * name keeps its last value (so a hidden "false" before a checkbox works as a default).
 */

export class FormError extends Error {}
// On the prototype, as built-in errors have it: `this.name = ...` throws where preloading froze Error.prototype.
Object.defineProperty(FormError.prototype, "name", { value: "FormError", writable: true, configurable: true });

export function decodeFormComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    throw new FormError(`malformed percent-encoding in "${text.slice(0, 40)}"`);
  }
}

export function parseForm(body: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  if (body === "") return out;
  for (const part of body.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const name = decodeFormComponent(eq < 0 ? part : part.slice(0, eq));
    out[name] = eq < 0 ? "" : decodeFormComponent(part.slice(eq + 1));
  }
  return out;
}
