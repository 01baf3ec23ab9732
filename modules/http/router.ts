/*
 * Router: routes by method and path, one handler each, with parameters and an auth policy.
 *
 * - A path is exact ("/api/status") or has parameters: ":name" matches one non-empty segment
 *   ("/api/:user/lights/:id"), handed to the handler as request.params, percent-decoded. Exact
 *   paths win over patterns; patterns are tried in the order they were added.
 * - Unknown path: 404. Known path, other method: 405 with Allow. HEAD is answered by the GET
 *   handler (the server sends the head alone), OPTIONS with 204 and Allow, unless a route
 *   defines them.
 * - Each route has an auth policy: "public" (GET, HEAD and OPTIONS by default), "admin" (every
 *   other method by default: the manager's admin password and device-name checks), or a
 *   function of the feature's own that returns the refusal (Alexa's paired users). resolve()
 *   says which; the manager applies it.
 * - A route may also ask for the manager's names check (the Host must name the device, against
 *   DNS rebinding) although it is not under /api/: `names: true` (GET /events does).
 * - A table of routes (addTable): many routes served by one handler, the table itself a frozen
 *   module-level array (in flash on the device), so its routes cost the router one entry, not a
 *   record and a map entry each. Exact paths first, then patterns; one set of options for every
 *   row, or each row's own, picked from a few by a frozen array of indexes beside the rows. Its
 *   routes behave as if each had been added with add() in the table's order where the table was
 *   added: the same 404/405/OPTIONS/HEAD answers, the same auth (by method, by default) and
 *   parameters, its patterns tried in their turn among the router's; a route added later for one
 *   of its paths joins that path's routes (the table's first, in the table's order).
 * Handlers are synchronous; one that throws is answered 500 by the caller.
 */

import type { HttpHandler, HttpRequest, HttpResponse } from "./http-message";
import { methodNotAllowed, notFound } from "./response";

/** A feature's own check: the response that refuses the request, or undefined to let it on. */
export type RoutePolicy = (request: HttpRequest) => HttpResponse | undefined;
export type RouteAuth = "public" | "admin" | RoutePolicy;

export interface RouteOptions {
  auth?: RouteAuth;
  /** The Host must name the device, as under /api/ (the manager checks it). */
  names?: boolean;
}

/**
 * A table's routes, flat: method, path, method, path... (a path starts with "/", a method never
 * does, so a path found in it is always a route's). Exact paths first, then patterns, if any.
 * Frozen, at module level.
 */
export type RouteTable = readonly string[];

export type Resolved =
  | { readonly kind: "route"; readonly handler: HttpHandler; readonly auth: RouteAuth; readonly names: boolean; readonly params?: Record<string, string> }
  | { readonly kind: "answer"; readonly response: HttpResponse };

/** A route as resolve() hands it out for an exact path: made once, frozen, so resolving allocates nothing. */
type Route = Extract<Resolved, { kind: "route" }>;

/**
 * A route as the router keeps it: the resolved record itself, with its method and the path's
 * next route (another method). What most routes share (kind, GET, the default names and auth)
 * is on a frozen prototype, so a route costs its handler and a slot or two, and a path one map
 * entry, not a map of its own.
 */
interface Stored extends Route {
  readonly method: string;
  readonly next: Stored | undefined;
}

const STORED: Omit<Stored, "handler"> = Object.freeze({ kind: "route", method: "GET", auth: "public", names: false, next: undefined });

/**
 * The first route of a pattern's chain (the last added) carries the pattern itself, as written:
 * matching walks that string, so a pattern costs its route records and one string, not a record
 * of its own and an array of its segments.
 */
interface PatternHead extends Stored {
  readonly pattern: string;
  /** How many segments it has ("/api/:user" three: "", "api", ":user"): most paths are turned away by that alone. */
  readonly segments: number;
}

function segmentCount(path: string): number {
  let n = 1;
  for (let at = path.indexOf("/"); at >= 0; at = path.indexOf("/", at + 1)) n++;
  return n;
}

/** The methods a path's routes take, in the order they were added; HEAD after GET when none is. */
function allowed(first: Stored): string[] {
  const added: string[] = [];
  for (let r: Stored | undefined = first; r; r = r.next) added.unshift(r.method);
  const names: string[] = [];
  for (const name of added) {
    names.push(name);
    if (name === "GET" && !added.includes("HEAD")) names.push("HEAD");
  }
  return names;
}

function routeFor(first: Stored, method: string): Stored | undefined {
  for (let r: Stored | undefined = first; r; r = r.next) if (r.method === method) return r;
  return undefined;
}

/**
 * A table as the router keeps it: its rows, and the resolved records its routes share (for the
 * reading methods, for the others; the same one when the options name their auth). The options
 * themselves are not kept: a row's record says all add() would need of them.
 */
interface Table {
  readonly rows: RouteTable;
  /** The records of every row's options (with options per row: of the first). */
  readonly read: Route;
  readonly write: Route;
  /** With options per row: each row's index among them (the caller's frozen array), and their records, read and write for each. */
  readonly uses?: readonly number[];
  readonly routes?: readonly Route[];
  /**
   * Where its patterns start (the first one's method), rows.length when it has none; unset on a
   * plain table (exact paths, one set of options), which resolve() searches first and inline.
   */
  readonly patterns?: number;
}

function defaultAuth(method: string, options: RouteOptions): RouteAuth {
  return options.auth ?? (isRead(method) ? "public" : "admin");
}

function tableRoute(handler: HttpHandler, auth: RouteAuth, names: boolean): Route {
  return Object.freeze({ kind: "route", handler, auth, names });
}

/** A reading method: public by default. Compared, not looked up: resolve() asks on every request. */
function isRead(method: string): boolean {
  return method === "GET" || method === "HEAD" || method === "OPTIONS";
}

/** The record of a table's row (at: its path's index) for a method of the row's (HEAD's GET's). */
function rowRoute(table: Table, at: number, method: string): Route {
  const uses = table.uses;
  if (uses === undefined) return isRead(method) ? table.read : table.write;
  return (table.routes as readonly Route[])[2 * uses[at >> 1] + (isRead(method) ? 0 : 1)];
}

/**
 * Where a request's path is among a table's exact paths (its first row's path index), else -1.
 * Found by the engine's own indexOf (a native search: far fewer steps per request than a loop
 * over the rows). Past the exact rows the path is a pattern's own text, which is not an exact
 * path but a path like any other (":user" the parameter's value).
 */
function exactAt(table: Table, path: string): number {
  const at = table.rows.indexOf(path);
  return table.patterns !== undefined && at > table.patterns ? -1 : at;
}

/** Where a route's path (exact or pattern, as add() takes it) has a row for the method, else -1. */
function rowOf(rows: RouteTable, method: string, path: string): number {
  for (let at = rows.indexOf(path); at >= 0; at = rows.indexOf(path, at + 2)) if (rows[at - 1] === method) return at;
  return -1;
}

/**
 * Where the table has that method and a request's exact path (the path's index), -1 when it has
 * not the path, -2 when it has the path for other methods only.
 */
function tableRow(table: Table, method: string, path: string): number {
  const at = exactAt(table, path);
  if (at < 0) return -1;
  const row = rowOf(table.rows, method, path);
  return row >= 0 ? row : -2;
}

/** The table (of those) with rows for a route's path, exact or pattern. */
function tableOf(tables: readonly Table[] | undefined, path: string): Table | undefined {
  if (tables) for (const table of tables) if (table.rows.indexOf(path) >= 0) return table;
  return undefined;
}

// Helper methods are TypeScript-private, not #private: XS gives every instance one slot per #method.
export class Router {
  readonly #exact = new Map<string, Stored>();
  /** Each pattern's first route, and each table that has patterns, in the order they were added. */
  readonly #patterns: (PatternHead | Table)[] = [];
  /** The plain tables, unset until one is added (most routers have none). */
  #tables: Table[] | undefined = undefined;
  /** The other tables (patterns, or options per row), unset until one is added. */
  #mixed: Table[] | undefined = undefined;
  /** Tables' patterns a route was added for: their routes as add() keeps them, tried in the table's turn. */
  #moved: Map<string, PatternHead> | undefined = undefined;

  /**
   * Adds every route of a frozen table, served by one handler: options apply to each (auth
   * defaulting by method as in add()), or, with uses, each row has options[uses[row]] (uses a
   * frozen array too, one index a row). Its paths must be new to the router: a route added before
   * it for one of them would leave the order of that path's methods unclear.
   */
  addTable(rows: RouteTable, handler: HttpHandler, options?: RouteOptions): this;
  addTable(rows: RouteTable, handler: HttpHandler, options: readonly RouteOptions[], uses: readonly number[]): this;
  addTable(rows: RouteTable, handler: HttpHandler, options: RouteOptions | readonly RouteOptions[] = {}, uses?: readonly number[]): this {
    if (!Object.isFrozen(rows)) throw new Error("a route table must be frozen");
    if (rows.length % 2 !== 0) throw new Error("a route table is method, path pairs");
    if (Array.isArray(options) !== (uses !== undefined)) throw new Error("a route table's options per row come with their indexes (uses)");
    const choices = (uses ? options : [options]) as readonly RouteOptions[];
    if (uses) {
      if (!Object.isFrozen(uses)) throw new Error("a route table's uses must be frozen");
      if (uses.length !== rows.length / 2) throw new Error("a route table's uses has one index a row");
      for (const k of uses) if (!Number.isInteger(k) || k < 0 || k >= choices.length) throw new Error(`route table options index ${String(k)} is not one of the options`);
    }
    let patterns = rows.length;
    for (let i = 0; i < rows.length; i += 2) {
      const method = rows[i];
      const path = rows[i + 1];
      if (typeof method !== "string" || method === "" || method.startsWith("/")) throw new Error(`route table method ${String(method)} is not a method`);
      if (typeof path !== "string" || !path.startsWith("/")) throw new Error(`route table path ${String(path)} does not start with "/"`);
      // Exact paths first: a path past them is a pattern, so one index tells them apart.
      if (path.includes("/:")) patterns = Math.min(patterns, i);
      else if (patterns < i) throw new Error(`route table path ${path} is exact: exact paths come before patterns`);
      for (let j = 0; j < i; j += 2) if (rows[j] === method && rows[j + 1] === path) throw new Error(`route ${method} ${path} is already defined`);
      if (this.routed(path)) throw new Error(`route table path ${path} is already routed`);
    }
    // One record for each auth and names the rows have (reading by default and "public" share one).
    const routes: Route[] = [];
    const record = (auth: RouteAuth, names: boolean): Route => routes.find((r) => r.auth === auth && r.names === names) ?? tableRoute(handler, auth, names);
    for (const o of choices) {
      const names = o.names === true;
      const read = record(o.auth ?? "public", names);
      routes.push(read);
      routes.push(o.auth === undefined ? record("admin", names) : read);
    }
    const [read, write] = routes;
    if (!uses && patterns === rows.length) {
      (this.#tables ??= []).push(Object.freeze({ rows, read, write }));
      return this;
    }
    const table: Table = Object.freeze(uses ? { rows, read, write, uses, routes: Object.freeze(routes), patterns } : { rows, read, write, patterns });
    (this.#mixed ??= []).push(table);
    if (patterns < rows.length) this.#patterns.push(table);
    return this;
  }

  add(method: string, path: string, handler: HttpHandler, options: RouteOptions = {}): this {
    // A path of a table joins the router's own routes the first time a route of its own is added
    // for it: the table's routes for it first, as they were added first.
    const isPattern = path.includes("/:");
    const table = (isPattern ? this.#moved?.has(path) : this.#exact.has(path)) ? undefined : (tableOf(this.#tables, path) ?? tableOf(this.#mixed, path));
    if (table) {
      const rows = table.rows;
      // Refused before anything moves: a failed add() leaves the router as it was.
      if (rowOf(rows, method, path) >= 0) throw new Error(`route ${method} ${path} is already defined`);
      for (let at = 1; at < rows.length; at += 2)
        if (rows[at] === path) {
          const row = rowRoute(table, at, rows[at - 1]);
          this.addRoute(rows[at - 1], path, row.handler, { auth: row.auth, names: row.names });
        }
    }
    return this.addRoute(method, path, handler, options);
  }

  /** True when a route's path (exact or pattern) is the router's already. */
  private routed(path: string): boolean {
    if (this.#exact.has(path) || tableOf(this.#tables, path) || tableOf(this.#mixed, path)) return true;
    for (const p of this.#patterns) if ("pattern" in p && p.pattern === path) return true;
    return false;
  }

  private addRoute(method: string, path: string, handler: HttpHandler, options: RouteOptions): this {
    const auth = defaultAuth(method, options);
    const isPattern = path.includes("/:");
    // A table's pattern keeps its turn: its routes go to #moved, tried where its rows are.
    const inTable = isPattern && tableOf(this.#mixed, path) !== undefined;
    const at = isPattern && !inTable ? this.#patterns.findIndex((p) => "pattern" in p && p.pattern === path) : -1;
    const first = !isPattern ? this.#exact.get(path) : inTable ? this.#moved?.get(path) : (this.#patterns[at] as PatternHead | undefined);
    if (first && routeFor(first, method)) throw new Error(`route ${method} ${path} is already defined`);
    // Defined, not assigned: an assignment cannot override a frozen prototype's property.
    const own: PropertyDescriptorMap = { handler: { value: handler, enumerable: true } };
    if (method !== "GET") own.method = { value: method, enumerable: true };
    if (auth !== "public") own.auth = { value: auth, enumerable: true };
    if (options.names === true) own.names = { value: true, enumerable: true };
    if (first) own.next = { value: first, enumerable: true };
    if (isPattern) {
      own.pattern = { value: path, enumerable: true };
      own.segments = { value: segmentCount(path), enumerable: true };
    }
    const route = Object.freeze(Object.create(STORED, own) as Stored);
    if (!isPattern) this.#exact.set(path, route);
    else if (inTable) (this.#moved ??= new Map()).set(path, route as PatternHead);
    else if (at >= 0) this.#patterns[at] = route as PatternHead;
    else this.#patterns.push(route as PatternHead);
    return this;
  }

  /** True when some route takes this path. */
  has(path: string): boolean {
    return this.#exact.has(path) || this.inTables(path) || this.findPattern("GET", path) !== undefined;
  }

  /** True when a table has this request path among its exact paths. */
  private inTables(path: string): boolean {
    const tables = this.#tables;
    if (tables) for (const table of tables) if (table.rows.indexOf(path) >= 0) return true;
    const mixed = this.#mixed;
    if (mixed) for (const table of mixed) if (exactAt(table, path) >= 0) return true;
    return false;
  }

  /** True when a route of that very path takes the method (not a pattern that happens to match it). */
  hasExact(method: string, path: string): boolean {
    const exact = this.#exact.get(path);
    if (exact) return routeFor(exact, method) !== undefined;
    const tables = this.#tables;
    if (tables) for (const table of tables) if (tableRow(table, method, path) >= 0) return true;
    const mixed = this.#mixed;
    if (mixed) for (const table of mixed) if (tableRow(table, method, path) >= 0) return true;
    return false;
  }

  /** The route for a request, or the answer for a path or method that has none. */
  resolve(method: string, path: string): Resolved {
    // An exact path, the common case, resolves to the route's own frozen record: no allocation.
    const exact = this.#exact.get(path);
    if (exact) {
      const route = exact.method === method ? exact : routeFor(exact, method);
      if (route) return route;
      return this.pick(exact, method, undefined);
    }
    // A plain table's path: found by one native search; its first row for the path is the usual
    // hit. Indexed and inline, not for-of and calls: this runs on every request for a table's path.
    const tables = this.#tables;
    if (tables !== undefined)
      for (let t = 0; t < tables.length; t++) {
        const table = tables[t];
        const rows = table.rows;
        const at = rows.indexOf(path);
        if (at < 0) continue;
        if (rows[at - 1] === method) return method === "GET" || method === "HEAD" || method === "OPTIONS" ? table.read : table.write;
        const row = tableRow(table, method, path);
        if (row >= 0) return isRead(method) ? table.read : table.write;
        return this.pickRow(table, method, path, undefined);
      }
    // The other tables' exact paths, after the plain ones: exact paths are the router's once, so
    // the order between tables does not matter, only that they come before any pattern.
    const mixed = this.#mixed;
    if (mixed !== undefined) for (let t = 0; t < mixed.length; t++) if (exactAt(mixed[t], path) >= 0) return this.pickRow(mixed[t], method, path, undefined);
    return this.findPattern(method, path) ?? { kind: "answer", response: notFound() };
  }

  private pick(first: Stored, method: string, params: Record<string, string> | undefined): Resolved {
    const route = routeFor(first, method) ?? (method === "HEAD" ? routeFor(first, "GET") : undefined);
    if (route) return params ? { kind: "route", handler: route.handler, auth: route.auth, names: route.names, params } : route;
    const allow = allowed(first);
    if (method === "OPTIONS") return { kind: "answer", response: { status: 204, headers: { allow: allow.join(", ") }, body: "" } };
    return { kind: "answer", response: methodNotAllowed(allow) };
  }

  /**
   * A table's path (a request's exact path, or a pattern with the parameters it matched): the
   * route for the method, HEAD's GET, or the answer with Allow; as pick() answers for add()'s.
   */
  private pickRow(table: Table, method: string, path: string, params: Record<string, string> | undefined): Resolved {
    const rows = table.rows;
    let at = rowOf(rows, method, path);
    if (at < 0 && method === "HEAD") at = rowOf(rows, "GET", path);
    if (at >= 0) {
      const route = rowRoute(table, at, rows[at - 1]);
      return params ? { kind: "route", handler: route.handler, auth: route.auth, names: route.names, params } : route;
    }
    const added: string[] = [];
    for (let i = 0; i < rows.length; i += 2) if (rows[i + 1] === path) added.push(rows[i]);
    const allow: string[] = [];
    for (const name of added) {
      allow.push(name);
      if (name === "GET" && !added.includes("HEAD")) allow.push("HEAD");
    }
    if (method === "OPTIONS") return { kind: "answer", response: { status: 204, headers: { allow: allow.join(", ") }, body: "" } };
    return { kind: "answer", response: methodNotAllowed(allow) };
  }

  /** Routes the request without any policy (tests, and callers that checked it already). */
  handle(request: HttpRequest): HttpResponse {
    const resolved = this.resolve(request.method, request.path);
    if (resolved.kind === "answer") return resolved.response;
    if (resolved.params) request.params = resolved.params;
    return resolved.handler(request);
  }

  /** The first pattern (added, or a table's) the path fits, resolved for the method. */
  private findPattern(method: string, path: string): Resolved | undefined {
    const patterns = this.#patterns;
    if (patterns.length === 0) return undefined;
    const parts = path.split("/");
    for (let i = 0; i < patterns.length; i++) {
      const entry = patterns[i];
      if ("rows" in entry) {
        const found = this.tablePattern(entry, method, parts);
        if (found) return found;
      } else if (entry.segments === parts.length) {
        const params = match(entry.pattern, parts);
        if (params) return this.pick(entry, method, params);
      }
    }
    return undefined;
  }

  /**
   * A table's first pattern the path's parts fit, in the table's order. A pattern of several
   * rows is tried at each: the same text fails the same way, so only the first can match.
   */
  private tablePattern(table: Table, method: string, parts: readonly string[]): Resolved | undefined {
    const rows = table.rows;
    const moved = this.#moved;
    for (let at = (table.patterns as number) + 1; at < rows.length; at += 2) {
      const pattern = rows[at];
      const head = moved?.get(pattern);
      if ((head ? head.segments : segmentCount(pattern)) !== parts.length) continue;
      const params = match(pattern, parts);
      if (params) return head ? this.pick(head, method, params) : this.pickRow(table, method, pattern, params);
    }
    return undefined;
  }
}

/**
 * The parameters when the path's segments (parts) fit the pattern, else undefined. Walks the
 * pattern's text segment by segment (no split, nothing made but the parameters): a literal
 * segment must equal its part, a ":name" one takes any non-empty part, percent-decoded.
 */
function match(pattern: string, parts: readonly string[]): Record<string, string> | undefined {
  let params: Record<string, string> | undefined;
  // Where the pattern's segment i starts; past its end once every segment has been used.
  let from = 0;
  for (let i = 0; i < parts.length; i++) {
    if (from > pattern.length) return undefined;
    const slash = pattern.indexOf("/", from);
    const end = slash < 0 ? pattern.length : slash;
    const part = parts[i];
    if (pattern.startsWith(":", from)) {
      if (part === "") return undefined;
      let value: string;
      try {
        value = decodeURIComponent(part);
      } catch {
        return undefined;
      }
      (params ??= Object.create(null) as Record<string, string>)[pattern.slice(from + 1, end)] = value;
    } else if (end - from !== part.length || !pattern.startsWith(part, from)) return undefined;
    from = end + 1;
  }
  if (from !== pattern.length + 1) return undefined;
  return params ?? (Object.create(null) as Record<string, string>);
}
