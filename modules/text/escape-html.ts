/*
 * Escaping for HTML: one function for text and double-quoted attribute values. Every string
 * that came from a user, the app or the network goes through it before it is written into a
 * page. Quotes are escaped too, so the same output is safe inside an attribute.
 */

const HTML_ENTITY: Readonly<Record<string, string>> = Object.freeze({
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
});

export function escapeHtml(text: string): string {
  // A fresh literal per call, not a module-level one: replace() writes a global RegExp's
  // lastIndex, and a module-level RegExp would be a read-only object in flash once preloaded.
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITY[c]);
}
