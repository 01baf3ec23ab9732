/*
 * escapeHtml (modules/text/escape-html.ts): every string a page shows goes through it, so it
 * must escape exactly the five characters that can end text or a quoted attribute, each once,
 * and give back text with nothing to escape unchanged, on every engine.
 */

import fc, { scaledRuns } from "../support/fast-check";
import * as assert from "../support/assert";
import { escapeHtml } from "../../modules/text/escape-html";

/** The obvious definition, one character at a time: what the fast one must equal. */
function reference(text: string): string {
  let out = "";
  for (const c of text) {
    if (c === "&") out += "&amp;";
    else if (c === "<") out += "&lt;";
    else if (c === ">") out += "&gt;";
    else if (c === '"') out += "&quot;";
    else if (c === "'") out += "&#39;";
    else out += c;
  }
  return out;
}

describe("escapeHtml", () => {
  it("escapes the five characters, each once", () => {
    assert.equal(escapeHtml(`<a href="x" title='y'>&amp;</a>`), "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;");
    assert.equal(escapeHtml("&&<<"), "&amp;&amp;&lt;&lt;");
    assert.equal(escapeHtml("&lt;"), "&amp;lt;", "an entity in the text is text");
  });

  it("gives back text with nothing to escape as it is", () => {
    for (const text of ["", "plain", "Küche 温度 21°", "🏠 Home Wi‑Fi", "x".repeat(300)]) assert.equal(escapeHtml(text), text);
  });

  it("equals the character-by-character definition for any text", () => {
    const markup = fc.constantFrom("&", "<", ">", '"', "'", "&amp;", "a", "é", "😀", " ");
    const text = fc.oneof(fc.string({ maxLength: 60 }), fc.array(markup, { maxLength: 30 }).map((parts) => parts.join("")));
    fc.assert(
      fc.property(text, (t) => escapeHtml(t) === reference(t)),
      { numRuns: scaledRuns(300) },
    );
  });
});
