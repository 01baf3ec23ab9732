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
 * - A table of routes (addTable): many exact paths served by one handler, the table itself a
 *   frozen module-level array (in flash on the device), so its routes cost the router one entry,
 *   not a record and a map entry each. Its routes behave as if each had been added with add():
 *   the same 404/405/OPTIONS/HEAD answers, the same default auth by method; a route added later
 *   for one of its paths joins that path's routes (the table's first, in the table's order).
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
 * does, so a path found in it is always a route's). Exact paths only. Frozen, at module level.
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
 * A table as the router keeps it: its rows, and the resolved records its routes share (one for
 * the reading methods, one for the others; the same one when the table names its auth).
 */
interface Table {
  readonly rows: RouteTable;
  readonly handler: HttpHandler;
  readonly options: RouteOptions;
  readonly read: Route;
  readonly write: Route;
}

function defaultAuth(method: string, options: RouteOptions): RouteAuth {
  return options.auth ?? (isRead(method) ? "public" : "admin");
}

function tableRoute(handler: HttpHandler, auth: RouteAuth, options: RouteOptions): Route {
  return Object.freeze({ kind: "route", handler, auth, names: options.names === true });
}

/** A reading method: public by default. Compared, not looked up: resolve() asks on every request. */
function isRead(method: string): boolean {
  return method === "GET" || method === "HEAD" || method === "OPTIONS";
}

/**
 * Where the table has that method and path (the path's index), -1 when it has not the path,
 * -2 when it has the path for other methods only. The path is found by the engine's own
 * indexOf (a native search: far fewer steps per request than a loop over the rows).
 */
function tableRow(table: Table, method: string, path: string): number {
  const rows = table.rows;
  let at = rows.indexOf(path);
  if (at < 0) return -1;
  for (; at >= 0; at = rows.indexOf(path, at + 2)) if (rows[at - 1] === method) return at;
  return -2;
}

// Helper methods are TypeScript-private, not #private: XS gives every instance one slot per #method.
export class Router {
  readonly #exact = new Map<string, Stored>();
  /** Each pattern's first route, in the order the patterns were added. */
  readonly #patterns: PatternHead[] = [];
  /** The tables, unset until one is added (most routers have none). */
  #tables: Table[] | undefined = undefined;

  /**
   * Adds every route of a frozen table, served by one handler (options apply to each, auth
   * defaulting by method as in add()). Its paths must be new to the router: a route added
   * before it for one of them would leave the order of that path's methods unclear.
   */
  addTable(rows: RouteTable, handler: HttpHandler, options: RouteOptions = {}): this {
    if (!Object.isFrozen(rows)) throw new Error("a route table must be frozen");
    if (rows.length % 2 !== 0) throw new Error("a route table is method, path pairs");
    for (let i = 0; i < rows.length; i += 2) {
      const method = rows[i];
      const path = rows[i + 1];
      if (typeof method !== "string" || method === "" || method.startsWith("/")) throw new Error(`route table method ${String(method)} is not a method`);
      if (typeof path !== "string" || !path.startsWith("/")) throw new Error(`route table path ${String(path)} does not start with "/"`);
      if (path.includes("/:")) throw new Error(`route table path ${path} has a parameter: add() it`);
      for (let j = 0; j < i; j += 2) if (rows[j] === method && rows[j + 1] === path) throw new Error(`route ${method} ${path} is already defined`);
      if (this.#exact.has(path) || this.tableOf(path)) throw new Error(`route table path ${path} is already routed`);
    }
    const read = tableRoute(handler, options.auth ?? "public", options);
    const write = options.auth === undefined ? tableRoute(handler, "admin", options) : read;
    (this.#tables ??= []).push(Object.freeze({ rows, handler, options, read, write }));
    return this;
  }

  add(method: string, path: string, handler: HttpHandler, options: RouteOptions = {}): this {
    // A path of a table joins the map the first time a route of its own is added for it: the
    // table's routes for it first, as they were added first.
    if (this.#tables && !this.#exact.has(path)) {
      const table = this.tableOf(path);
      const rows = table?.rows;
      // Refused before anything moves: a failed add() leaves the router as it was.
      if (table && tableRow(table, method, path) >= 0) throw new Error(`route ${method} ${path} is already defined`);
      if (table && rows) for (let i = 0; i < rows.length; i += 2) if (rows[i + 1] === path) this.addRoute(rows[i], path, table.handler, table.options);
    }
    return this.addRoute(method, path, handler, options);
  }

  private tableOf(path: string): Table | undefined {
    const tables = this.#tables;
    if (tables) for (const table of tables) if (table.rows.indexOf(path) >= 0) return table;
    return undefined;
  }

  private addRoute(method: string, path: string, handler: HttpHandler, options: RouteOptions): this {
    const auth = defaultAuth(method, options);
    const isPattern = path.includes("/:");
    const at = isPattern ? this.#patterns.findIndex((p) => p.pattern === path) : -1;
    const first = isPattern ? this.#patterns[at] : this.#exact.get(path);
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
    else if (at >= 0) this.#patterns[at] = route as PatternHead;
    else this.#patterns.push(route as PatternHead);
    return this;
  }

  /** True when some route takes this path. */
  has(path: string): boolean {
    return this.#exact.has(path) || this.tableOf(path) !== undefined || this.findPattern(path) !== undefined;
  }

  /** True when a route of that very path takes the method (not a pattern that happens to match it). */
  hasExact(method: string, path: string): boolean {
    const exact = this.#exact.get(path);
    if (exact) return routeFor(exact, method) !== undefined;
    const tables = this.#tables;
    if (tables) for (const table of tables) if (tableRow(table, method, path) >= 0) return true;
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
    // A table's path: found by one native search; its first row for the path is the usual hit.
    // Indexed and inline, not for-of and calls: this runs on every request for a table's path.
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
        return this.pickTable(table, method, path);
      }
    const found = this.findPattern(path);
    if (!found) return { kind: "answer", response: notFound() };
    return this.pick(found.first, method, found.params);
  }

  private pick(first: Stored, method: string, params: Record<string, string> | undefined): Resolved {
    const route = routeFor(first, method) ?? (method === "HEAD" ? routeFor(first, "GET") : undefined);
    if (route) return params ? { kind: "route", handler: route.handler, auth: route.auth, names: route.names, params } : route;
    const allow = allowed(first);
    if (method === "OPTIONS") return { kind: "answer", response: { status: 204, headers: { allow: allow.join(", ") }, body: "" } };
    return { kind: "answer", response: methodNotAllowed(allow) };
  }

  /** A table's path without a route for the method: HEAD's GET, or the answer with Allow. */
  private pickTable(table: Table, method: string, path: string): Resolved {
    if (method === "HEAD" && tableRow(table, "GET", path) >= 0) return table.read;
    const added: string[] = [];
    const rows = table.rows;
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

  private findPattern(path: string): { first: Stored; params: Record<string, string> } | undefined {
    if (this.#patterns.length === 0) return undefined;
    const parts = path.split("/");
    const patterns = this.#patterns;
    for (let i = 0; i < patterns.length; i++) {
      if (patterns[i].segments !== parts.length) continue;
      const params = match(patterns[i].pattern, parts);
      if (params) return { first: patterns[i], params };
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
