/*
 * Escaping for HTML: one function for text and double-quoted attribute values. Every string
 * that came from a user, the app or the network goes through it before it is written into a
 * page. Quotes are escaped too, so the same output is safe inside an attribute.
 *
 * Native string searches, no regular expression and no callback: on XS a regex literal is
 * compiled again at every call (a module-level one is forbidden: preloaded, it corrupts 8.2.3's
 * heap), and that compile was the page's largest cost (bench/, "GET / where the time goes").
 * Text with nothing to escape, the usual case, costs five searches and comes back as it is.
 *
 * needsEscape(text) is those five searches alone: a page that checks several values joined
 * (one search of the whole instead of five per value) escapes each only when the whole needs
 * it. Joining adds no character, so the whole is clean exactly when every part is.
 */

/** True when text holds a character escapeHtml would change. */
export function needsEscape(text: string): boolean {
  return text.indexOf("&") >= 0 || text.indexOf("<") >= 0 || text.indexOf(">") >= 0 || text.indexOf('"') >= 0 || text.indexOf("'") >= 0;
}

export function escapeHtml(text: string): string {
  let out = text;
  // "&" first, so the entities written after it are not escaped again.
  if (out.indexOf("&") >= 0) out = out.split("&").join("&amp;");
  if (out.indexOf("<") >= 0) out = out.split("<").join("&lt;");
  if (out.indexOf(">") >= 0) out = out.split(">").join("&gt;");
  if (out.indexOf('"') >= 0) out = out.split('"').join("&quot;");
  if (out.indexOf("'") >= 0) out = out.split("'").join("&#39;");
  return out;
}
