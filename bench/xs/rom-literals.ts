/*
 * String literals as the device keeps them, for the XS memory figures.
 *
 * On the device a string literal costs no heap: the XS linker rewrites every XS_CODE_STRING
 * bytecode of preloaded code into XS_CODE_STRING_ARCHIVE (xs/tools/xslBase.c), which pushes a
 * string pointing into flash (XS_STRING_X_KIND). xsnap compiles the bundle at run time, and there
 * each evaluation of a literal copies it into a fresh chunk (xs/sources/xsRun.c, XS_CODE_STRING):
 * a route's path, a setting's default, a status label held by an object made at boot would count
 * as heap here and not there.
 *
 * rewriteLiterals() moves every string literal in an expression position into one frozen table
 * made when the script starts (`__romStrings[i]`): the table's strings are allocated before the
 * first measuring point, as flash is, and an object made later that holds one shares the table's
 * chunk instead of a copy. Property names, directives and tagged templates are left alone (a name
 * is an interned key either way). Used only for the memory figures: a table read is one more
 * bytecode per literal, so the compute meter runs on the unrewritten bundle.
 */

import ts from "typescript";

/** The rewritten script and how many literals (distinct texts) moved into the table. */
export function rewriteLiterals(source: string): { text: string; literals: number; distinct: number } {
  const file = ts.createSourceFile("bundle.js", source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const index = new Map<string, number>();
  const edits: { start: number; end: number; text: string }[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && movable(node)) {
      let i = index.get(node.text);
      if (i === undefined) index.set(node.text, (i = index.size));
      edits.push({ start: node.getStart(file), end: node.getEnd(), text: `__romStrings[${i}]` });
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  let text = source;
  for (const e of edits.sort((a, b) => b.start - a.start)) text = text.slice(0, e.start) + e.text + text.slice(e.end);
  const table = `const __romStrings = Object.freeze(${JSON.stringify([...index.keys()])});\n`;
  // After the bundle's "use strict" directive, which must stay the script's first statement.
  const directive = /^\s*"use strict";\s*/.exec(text);
  const at = directive ? directive[0].length : 0;
  return { text: text.slice(0, at) + table + text.slice(at), literals: edits.length, distinct: index.size };
}

/** A literal whose value is used as a value: not a name, a directive or part of a tagged template. */
function movable(node: ts.StringLiteral | ts.NoSubstitutionTemplateLiteral): boolean {
  const parent = node.parent;
  if (ts.isTaggedTemplateExpression(parent)) return false;
  // { "a": 1 }, class { "m"() {} }, get "x"() {}: names, interned as keys either way.
  if ((ts.isPropertyAssignment(parent) || ts.isMethodDeclaration(parent) || ts.isPropertyDeclaration(parent) || ts.isGetAccessor(parent) || ts.isSetAccessor(parent)) && parent.name === node)
    return false;
  // o["name"] and "name" in o: keys, not held strings.
  if (ts.isElementAccessExpression(parent) && parent.argumentExpression === node) return false;
  if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.InKeyword && parent.left === node) return false;
  if (ts.isImportDeclaration(parent) || ts.isExportDeclaration(parent) || ts.isExternalModuleReference(parent)) return false;
  // "use strict" and other prologue directives.
  if (ts.isExpressionStatement(parent) && (ts.isSourceFile(parent.parent) || ts.isBlock(parent.parent))) return false;
  return true;
}
