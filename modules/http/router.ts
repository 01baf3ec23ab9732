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

export type Resolved =
  | { readonly kind: "route"; readonly handler: HttpHandler; readonly auth: RouteAuth; readonly names: boolean; readonly params?: Record<string, string> }
  | { readonly kind: "answer"; readonly response: HttpResponse };

/** A route as resolve() hands it out for an exact path: made once, frozen, so resolving allocates nothing. */
type Route = Extract<Resolved, { kind: "route" }>;

interface Pattern {
  readonly segments: readonly string[];
  readonly methods: Map<string, Route>;
}

const READS: readonly string[] = Object.freeze(["GET", "HEAD", "OPTIONS"]);

function allowed(methods: Map<string, Route>): string[] {
  const names: string[] = [];
  for (const name of methods.keys()) {
    names.push(name);
    if (name === "GET" && !methods.has("HEAD")) names.push("HEAD");
  }
  return names;
}

export class Router {
  readonly #exact = new Map<string, Map<string, Route>>();
  readonly #patterns: Pattern[] = [];

  add(method: string, path: string, handler: HttpHandler, options: RouteOptions = {}): this {
    const auth = options.auth ?? (READS.includes(method) ? "public" : "admin");
    let methods: Map<string, Route> | undefined;
    if (path.includes("/:")) {
      const segments = path.split("/");
      const same = this.#patterns.find((p) => p.segments.join("/") === path);
      methods = same?.methods;
      if (!methods) this.#patterns.push({ segments, methods: (methods = new Map()) });
    } else {
      methods = this.#exact.get(path);
      if (!methods) this.#exact.set(path, (methods = new Map()));
    }
    if (methods.has(method)) throw new Error(`route ${method} ${path} is already defined`);
    methods.set(method, Object.freeze({ kind: "route", handler, auth, names: options.names === true }));
    return this;
  }

  /** True when some route takes this path. */
  has(path: string): boolean {
    return this.#exact.has(path) || this.#findPattern(path) !== undefined;
  }

  /** True when a route of that very path takes the method (not a pattern that happens to match it). */
  hasExact(method: string, path: string): boolean {
    const exact = this.#exact.get(path);
    return exact !== undefined && exact.has(method);
  }

  /** The route for a request, or the answer for a path or method that has none. */
  resolve(method: string, path: string): Resolved {
    // An exact path, the common case, resolves to the route's own frozen record: no allocation.
    const exact = this.#exact.get(path);
    if (exact) {
      const route = exact.get(method);
      if (route) return route;
      return this.#pick(exact, method, undefined);
    }
    const found = this.#findPattern(path);
    if (!found) return { kind: "answer", response: notFound() };
    return this.#pick(found.methods, method, found.params);
  }

  #pick(methods: Map<string, Route>, method: string, params: Record<string, string> | undefined): Resolved {
    const route = methods.get(method) ?? (method === "HEAD" ? methods.get("GET") : undefined);
    if (route) return params ? { kind: "route", handler: route.handler, auth: route.auth, names: route.names, params } : route;
    const allow = allowed(methods);
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

  #findPattern(path: string): { methods: Map<string, Route>; params: Record<string, string> } | undefined {
    if (this.#patterns.length === 0) return undefined;
    const parts = path.split("/");
    for (const pattern of this.#patterns) {
      const params = match(pattern.segments, parts);
      if (params) return { methods: pattern.methods, params };
    }
    return undefined;
  }
}

function match(segments: readonly string[], parts: readonly string[]): Record<string, string> | undefined {
  if (segments.length !== parts.length) return undefined;
  let params: Record<string, string> | undefined;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    const part = parts[i];
    if (segment.startsWith(":")) {
      if (part === "") return undefined;
      let value: string;
      try {
        value = decodeURIComponent(part);
      } catch {
        return undefined;
      }
      (params ??= Object.create(null) as Record<string, string>)[segment.slice(1)] = value;
    } else if (segment !== part) return undefined;
  }
  return params ?? (Object.create(null) as Record<string, string>);
}
