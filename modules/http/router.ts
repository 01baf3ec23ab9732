/*
 * Router: exact-path routes with one handler per method. An unknown path is 404; a known path
 * with another method is 405 with Allow. A handler that throws is answered 500 and logged by
 * the caller, never allowed to take the server down.
 */

import type { HttpHandler, HttpRequest, HttpResponse } from "./http-message";
import { methodNotAllowed, notFound } from "./response";

export class Router {
  readonly #routes = new Map<string, Map<string, HttpHandler>>();

  add(method: string, path: string, handler: HttpHandler): this {
    let methods = this.#routes.get(path);
    if (!methods) this.#routes.set(path, (methods = new Map()));
    if (methods.has(method)) throw new Error(`route ${method} ${path} is already defined`);
    methods.set(method, handler);
    return this;
  }

  has(path: string): boolean {
    return this.#routes.has(path);
  }

  /** True when a handler exists for this method on this path. */
  handles(method: string, path: string): boolean {
    return this.#routes.get(path)?.has(method) ?? false;
  }

  handle(request: HttpRequest): HttpResponse {
    const methods = this.#routes.get(request.path);
    if (!methods) return notFound();
    const handler = methods.get(request.method);
    if (!handler) return methodNotAllowed(Array.from(methods.keys()));
    return handler(request);
  }
}
