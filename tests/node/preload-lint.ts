/*
 * What the XS linker (xsl) would say about the core's preloaded modules, read from their source
 * with the TypeScript compiler API: the half of preloading a JavaScript run cannot see, because
 * it hides in module-level closures. The XS run (tests/xs/preload-emulation.ts) covers what the
 * modules' exports reach.
 *
 * Rules, for the module level of a preloaded module (top-level statements only; what a function
 * makes when it runs is made at run time, in RAM, and concerns no one):
 * - "no const": a `let` or `var`. xsl warns for those an exported function captures; each is
 *   aliased in RAM. Module state belongs in an instance, created at run time.
 * - "not frozen": an object or array literal, or a `new` instance of anything but the kinds
 *   preloading makes immutable anyway, that is not frozen: wrapped in Object.freeze(...), or
 *   frozen by a later top-level `Object.freeze(name)`. Object.freeze is shallow, so a literal
 *   nested in a frozen one must be frozen too, unless XS's deep `Object.freeze(x, true)` is used.
 *   The same for a class's static properties, which preloading makes read-only but not frozen.
 * - "not frozen" for `<generator>.prototype`: a generator function is no constructor, so the
 *   linker does not freeze its prototype (module-level function* declarations, generator
 *   methods of module-level classes and object literals) unless `Object.freeze(f.prototype)`.
 * - "read-only": a module-level Map, Set, WeakMap or WeakSet (preloading makes it immutable:
 *   set/add/delete/clear throw), or a global or sticky regex (its lastIndex becomes read-only, so
 *   exec and replace throw).
 * And for any code that runs where the built-ins are frozen (checkErrorNames):
 * - "this.name": an Error subclass assigning this.name. Error.prototype.name is read-only once
 *   preloading froze it, and an assignment does not create an own property over a read-only
 *   inherited one: `TypeError: set name: not writable`. Put the name on the prototype.
 *
 * Findings are worded like xsl's warnings: `### warning: "<module>": <path>: not frozen`, where
 * the path starts at the export that reaches the object: `Config() defaultHasher` is the
 * closure variable defaultHasher of the exported Config. Each carries its file and line.
 */

import ts from "typescript";

export interface LintFinding {
  module: string;
  file: string;
  line: number;
  path: string;
  kind: "no const" | "not frozen" | "read-only" | "this.name";
  why: string;
}

export interface SourceText {
  /** Repository-relative, "/" separators: modules/config/config.ts */
  file: string;
  text: string;
}

/** The finding as one xsl-style line, with its place. */
export function formatFinding(f: LintFinding): string {
  const level = f.kind === "no const" || f.kind === "not frozen" ? "warning" : "error";
  return `### ${level}: "${f.module}": ${f.path}: ${f.kind} (${f.file}:${f.line}) ${f.why}`;
}

/** Instances fxPrepareHeap makes immutable whatever the module does (no "not frozen" for them). */
const IMMUTABLE = new Set([
  "ArrayBuffer", "DataView", "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array",
  "Uint32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array", "Promise", "WeakRef", "FinalizationRegistry",
  "RegExp", "Proxy",
]);
const COLLECTIONS = new Set(["Map", "Set", "WeakMap", "WeakSet"]);

function program(sources: readonly SourceText[]): { checker: ts.TypeChecker; files: [SourceText, ts.SourceFile][] } {
  const options: ts.CompilerOptions = { noLib: true, noResolve: true, types: [], target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.Preserve };
  const byName = new Map(sources.map((s) => [`/${s.file}`, s]));
  const host = ts.createCompilerHost(options);
  host.fileExists = (name) => byName.has(name);
  host.readFile = (name) => byName.get(name)?.text;
  host.getSourceFile = (name, version) => {
    const source = byName.get(name);
    return source && ts.createSourceFile(name, source.text, version, true, ts.ScriptKind.TS);
  };
  // Only symbols are needed, never types or diagnostics: no lib, no resolution, so it is quick.
  const p = ts.createProgram([...byName.keys()], options, host);
  return { checker: p.getTypeChecker(), files: sources.map((s) => [s, p.getSourceFile(`/${s.file}`)!]) };
}

function unwrap(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isNonNullExpression(e) || ts.isTypeAssertionExpression(e))
    e = e.expression;
  return e;
}

/** Object.freeze(x) or Object.freeze(x, true): its argument and whether it is XS's deep freeze. */
function freezeCall(e: ts.Expression): { arg: ts.Expression; deep: boolean } | undefined {
  e = unwrap(e);
  if (!ts.isCallExpression(e) || e.arguments.length < 1) return undefined;
  const callee = e.expression;
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== "freeze" || !ts.isIdentifier(callee.expression) || callee.expression.text !== "Object") return undefined;
  return { arg: e.arguments[0], deep: e.arguments[1]?.kind === ts.SyntaxKind.TrueKeyword };
}

function lineOf(node: ts.Node): number {
  const sf = node.getSourceFile();
  return sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
}

function isGlobalOrSticky(e: ts.Expression): boolean {
  if (ts.isRegularExpressionLiteral(e)) return /[gy]/.test(e.text.slice(e.text.lastIndexOf("/") + 1));
  if (ts.isNewExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === "RegExp") {
    const flags = e.arguments?.[1];
    return !!flags && ts.isStringLiteralLike(flags) && /[gy]/.test(flags.text);
  }
  return false;
}

function isExported(node: ts.Node): boolean {
  return ts.canHaveModifiers(node) && !!ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

function propertyName(name: ts.PropertyName): string {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name) ? name.text : name.getText();
}

/**
 * How xsl's path continues from a binding to the binding `ref` names: a value held in the
 * binding's literal is reached by property (".kinds[0]"), one a function captures through its
 * closure ("() name", or ".method() name" for a function held in a literal).
 */
function link(ref: ts.Identifier, owner: ts.Node, name: string): string {
  let path = "";
  let closure = false;
  for (let n: ts.Node = ref; n !== owner && n.parent; n = n.parent) {
    const p = n.parent;
    if (ts.isFunctionLike(n) || ts.isClassLike(n)) {
      closure = true;
      path = "";
      if (ts.isMethodDeclaration(n) || ts.isGetAccessor(n) || ts.isSetAccessor(n)) {
        const isStatic = !!ts.getModifiers(n)?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword);
        const on = ts.isClassLike(n.parent) && !isStatic ? ".prototype" : "";
        path = `${on}${ts.isGetAccessor(n) ? ".get " : ts.isSetAccessor(n) ? ".set " : "."}${propertyName(n.name)}`;
      }
      continue;
    }
    if ((ts.isPropertyAssignment(p) && p.initializer === n) || (ts.isShorthandPropertyAssignment(p) && p.name === n)) path = `.${propertyName(p.name)}${path}`;
    else if (ts.isArrayLiteralExpression(p)) path = `[${p.elements.indexOf(n as ts.Expression)}]${path}`;
    else if (ts.isCallExpression(p) && !freezeCall(p)) {
      closure = true; // what a call makes of it is unknown: at best it is captured
      path = "";
    }
  }
  if (ts.isFunctionDeclaration(owner) || ts.isClassDeclaration(owner)) closure = true;
  return closure ? `${path}() ${name}` : path;
}

/** Lints preloaded modules (module-level rules) and Error subclasses (everywhere given). */
export function lintPreloaded(sources: readonly SourceText[]): LintFinding[] {
  const { checker, files } = program(sources);
  const findings: LintFinding[] = [];
  for (const [source, sf] of files) findings.push(...lintModule(source, sf, checker));
  return findings;
}

function lintModule(source: SourceText, sf: ts.SourceFile, checker: ts.TypeChecker): LintFinding[] {
  const module = source.file.replace(/\.ts$/, "");
  const findings: LintFinding[] = [];
  const add = (node: ts.Node, path: string, kind: LintFinding["kind"], why: string) =>
    findings.push({ module, file: source.file, line: lineOf(node), path, kind, why });

  // The module's top-level bindings, and the top-level bindings each one's code refers to.
  interface Binding {
    name: string;
    node: ts.Node;
    exported: boolean;
    /** Each binding this one's code refers to, and how xsl's path goes from here to it. */
    refs: Map<ts.Symbol, string>;
  }
  const bindings = new Map<ts.Symbol, Binding>();
  const symbolOf = (id: ts.Node): ts.Symbol | undefined => {
    const s =
      ts.isShorthandPropertyAssignment(id.parent) && id.parent.name === id ? checker.getShorthandAssignmentValueSymbol(id.parent) : checker.getSymbolAtLocation(id);
    return s && checker.getExportSymbolOfSymbol(s);
  };
  const declare = (name: ts.Identifier, node: ts.Node, exported: boolean) => {
    const s = symbolOf(name);
    if (s) bindings.set(s, { name: name.text, node, exported, refs: new Map() });
  };
  for (const st of sf.statements) {
    if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name)) declare(d.name, d, isExported(st));
    } else if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && st.name) {
      declare(st.name, st, isExported(st));
    } else if (ts.isExportDeclaration(st) && !st.moduleSpecifier && st.exportClause && ts.isNamedExports(st.exportClause)) {
      // export { a, b as c }: the local a and b are exports too.
      for (const spec of st.exportClause.elements) {
        const local = checker.getExportSpecifierLocalTargetSymbol(spec);
        const b = local && bindings.get(checker.getExportSymbolOfSymbol(local));
        if (b) b.exported = true;
      }
    } else if (ts.isExportAssignment(st) && ts.isIdentifier(st.expression)) {
      const s = symbolOf(st.expression);
      const b = s && bindings.get(s);
      if (b) b.exported = true;
    }
  }
  for (const b of bindings.values()) {
    const visit = (n: ts.Node): void => {
      if (ts.isIdentifier(n)) {
        const s = symbolOf(n);
        const to = s && bindings.get(s);
        if (to && to.node !== b.node && !b.refs.has(s)) b.refs.set(s, link(n, b.node, to.name));
      }
      n.forEachChild(visit);
    };
    b.node.forEachChild(visit);
  }

  /** How xsl would name a binding: through the exports that capture it (`Config() defaultHasher`). */
  const pathTo = (name: ts.Identifier): string => {
    const target = symbolOf(name)!;
    const start = bindings.get(target)!;
    if (start.exported) return start.name;
    // Breadth-first from the exports, so the path is the shortest, as xsl's walk finds it first.
    const queue: [ts.Symbol, string][] = [...bindings].filter(([, b]) => b.exported).map(([s, b]) => [s, b.name]);
    const seen = new Set(queue.map(([s]) => s));
    while (queue.length) {
      const [s, path] = queue.shift()!;
      for (const [r, step] of bindings.get(s)!.refs) {
        const via = `${path}${step}`;
        if (r === target) return via;
        if (!seen.has(r)) {
          seen.add(r);
          queue.push([r, via]);
        }
      }
    }
    return start.name; // no export reaches it: xsl's collector drops it, but it is dead state all the same
  };

  // Top-level `Object.freeze(x)` statements, by x's source text: true when deep.
  const frozenLater = new Map<string, boolean>();
  for (const st of sf.statements) {
    const f = ts.isExpressionStatement(st) ? freezeCall(st.expression) : undefined;
    if (!f) continue;
    const key = f.arg.getText(sf).replace(/\s+/g, "");
    frozenLater.set(key, f.deep || frozenLater.get(key) === true);
  }

  /**
   * A value preloading keeps: frozen, immutable by kind, or left writable (aliased)? `name` is
   * its source text (what a later Object.freeze names), `path` what xsl would print.
   */
  const checkValue = (e: ts.Expression, name: string, path: string): void => {
    e = unwrap(e);
    const freeze = freezeCall(e);
    if (freeze) {
      if (!freeze.deep) checkMembers(freeze.arg, name, path);
      return;
    }
    if (isGlobalOrSticky(e)) {
      add(e, path, "read-only", "a global or sticky regex: preloading makes its lastIndex read-only, so exec and replace throw; make it where it is used");
      return;
    }
    const later = frozenLater.get(name);
    if (ts.isObjectLiteralExpression(e) || ts.isArrayLiteralExpression(e)) {
      if (later === true) return;
      if (later === undefined) add(e, path, "not frozen", "wrap it in Object.freeze(...), and what it holds");
      checkMembers(e, name, path);
      return;
    }
    if (ts.isNewExpression(e) && ts.isIdentifier(e.expression)) {
      const cls = e.expression.text;
      if (COLLECTIONS.has(cls))
        add(e, path, "read-only", `a ${cls} made at preload time is read-only on the device (its mutators throw); make it at run time, in an instance`);
      else if (!IMMUTABLE.has(cls) && later === undefined) add(e, path, "not frozen", "an instance made at preload time: freeze it, or make it at run time");
      return;
    }
    if (ts.isFunctionExpression(e) && e.asteriskToken && !frozenLater.has(`${name}.prototype`))
      add(e, `${path}.prototype`, "not frozen", `a generator function's prototype: Object.freeze(${name}.prototype) after it`);
  };

  /** What a frozen (shallowly) literal holds: each nested literal needs its own freeze. */
  const checkMembers = (literal: ts.Expression, name: string, path: string): void => {
    literal = unwrap(literal);
    if (ts.isArrayLiteralExpression(literal)) {
      literal.elements.forEach((e, i) => checkValue(e, `${name}[${i}]`, `${path}[${i}]`));
      return;
    }
    if (!ts.isObjectLiteralExpression(literal)) return;
    for (const p of literal.properties) {
      if (ts.isPropertyAssignment(p)) checkValue(p.initializer, `${name}.${propertyName(p.name)}`, `${path}.${propertyName(p.name)}`);
      else if (ts.isMethodDeclaration(p) && p.asteriskToken && !frozenLater.has(`${name}.${propertyName(p.name)}.prototype`))
        add(p, `${path}.${propertyName(p.name)}.prototype`, "not frozen", `a generator method's prototype: Object.freeze(${name}.${propertyName(p.name)}.prototype) after the object`);
    }
  };

  for (const st of sf.statements) {
    if (ts.isVariableStatement(st)) {
      const isConst = (st.declarationList.flags & ts.NodeFlags.Const) !== 0;
      for (const d of st.declarationList.declarations) {
        if (!ts.isIdentifier(d.name)) {
          if (!isConst) add(d, d.name.getText(sf), "no const", "module-level state: keep it in an instance made at run time");
          continue;
        }
        const path = pathTo(d.name);
        if (!isConst) add(d, path, "no const", "module-level state: keep it in an instance made at run time, or make it const");
        if (d.initializer) checkValue(d.initializer, d.name.text, path);
      }
    } else if (ts.isFunctionDeclaration(st) && st.name && st.asteriskToken) {
      const name = st.name.text;
      if (!frozenLater.has(`${name}.prototype`))
        add(st, `${pathTo(st.name)}.prototype`, "not frozen", `a generator function is no constructor, so preloading leaves its prototype writable: Object.freeze(${name}.prototype) after it`);
    } else if (ts.isClassDeclaration(st) && st.name) {
      const name = st.name.text;
      const path = pathTo(st.name);
      for (const m of st.members) {
        const isStatic = ts.canHaveModifiers(m) && !!ts.getModifiers(m)?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword);
        const owner = isStatic ? name : `${name}.prototype`;
        const ownerPath = isStatic ? path : `${path}.prototype`;
        if (ts.isMethodDeclaration(m) && m.asteriskToken) {
          const method = propertyName(m.name);
          if (!frozenLater.has(`${owner}.${method}.prototype`))
            add(m, `${ownerPath}.${method}.prototype`, "not frozen", "a generator method's prototype stays writable: return a frozen module-level generator's iterator instead");
        } else if (ts.isPropertyDeclaration(m) && isStatic && m.initializer) {
          checkValue(m.initializer, `${name}.${propertyName(m.name)}`, `${path}.${propertyName(m.name)}`);
        }
      }
    } else if (ts.isExportAssignment(st) && !ts.isIdentifier(st.expression)) {
      checkValue(st.expression, "default", "default");
    }
  }
  return findings.concat(errorNames(source, sf));
}

/** The classes in this file that extend an Error (by name, or through another such class of the file). */
function errorClasses(sf: ts.SourceFile): Set<ts.ClassLikeDeclaration> {
  const classes: ts.ClassLikeDeclaration[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isClassDeclaration(n) || ts.isClassExpression(n)) classes.push(n);
    n.forEachChild(visit);
  };
  visit(sf);
  const base = (c: ts.ClassLikeDeclaration): string | undefined => {
    const clause = c.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword);
    const e = clause?.types[0]?.expression;
    return e && (ts.isIdentifier(e) ? e.text : ts.isPropertyAccessExpression(e) ? e.name.text : undefined);
  };
  const names = new Set<string>();
  const found = new Set<ts.ClassLikeDeclaration>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const c of classes) {
      const b = base(c);
      if (found.has(c) || b === undefined || !(/Error$/.test(b) || names.has(b))) continue;
      found.add(c);
      if (c.name) names.add(c.name.text);
      grew = true;
    }
  }
  return found;
}

function errorNames(source: SourceText, sf: ts.SourceFile): LintFinding[] {
  const findings: LintFinding[] = [];
  for (const c of errorClasses(sf)) {
    const visit = (n: ts.Node): void => {
      if (n !== c && (ts.isClassLike(n) || ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n))) return; // another `this`
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
        const left = unwrap(n.left);
        const isName =
          (ts.isPropertyAccessExpression(left) && left.name.text === "name") ||
          (ts.isElementAccessExpression(left) && ts.isStringLiteralLike(left.argumentExpression) && left.argumentExpression.text === "name");
        if (isName && left.expression.kind === ts.SyntaxKind.ThisKeyword)
          findings.push({
            module: source.file.replace(/\.ts$/, ""),
            file: source.file,
            line: lineOf(n),
            path: c.name?.text ?? "(class)",
            kind: "this.name",
            why: "an Error subclass assigns this.name: once preloading froze Error.prototype that throws `TypeError: set name: not writable`; define the name on the prototype",
          });
      }
      n.forEachChild(visit);
    };
    c.forEachChild(visit);
  }
  return findings;
}

/** Only the Error-name rule: for code that is not preloaded but runs among frozen built-ins. */
export function checkErrorNames(sources: readonly SourceText[]): LintFinding[] {
  const { files } = program(sources);
  return files.flatMap(([source, sf]) => errorNames(source, sf));
}
