/*
 * HttpServer: requests in, responses out (Moddable's http Server on the device, node:http in
 * the simulator).
 *
 * The host parses HTTP, enforces HTTP_LIMITS (modules/http/limits.ts) the same way on every host,
 * answers what it rejects itself (431, 413, 400, 503) with an HttpResponse from
 * modules/http/response.ts, and hands every other request to the core's handler, whole: the
 * body has been read (it is small: the limit is the device's) and decoded from UTF-8.
 *
 * The handler is synchronous because the device's server asks for the response synchronously.
 * Work that takes time is started by the handler and reported through a later request.
 *
 * A response body is a string (sent as UTF-8 with an exact Content-Length), bytes, or an
 * iterable of string fragments that the host sends one by one as the socket takes them (the page,
 * which is never assembled whole on the device). Every response closes the connection, as the
 * device's server does.
 */

export interface HttpRequest {
  method: string;
  /** Path without the query, still percent-encoded. */
  path: string;
  /** Query string without the "?", "" when none. */
  query: string;
  /** Header names lower-cased; a repeated header keeps its last value. */
  headers: Record<string, string>;
  /** Body decoded as UTF-8, "" when none. */
  body: string;
  /** Peer address, when the host knows it. */
  remote?: string;
}

export type HttpBody = string | Uint8Array | Iterable<string>;

export interface HttpResponse {
  status: number;
  headers?: Record<string, string>;
  body?: HttpBody;
}

export type HttpHandler = (request: HttpRequest) => HttpResponse;

export interface HttpServerOptions {
  /** Port to listen on; the host's default (80 on the device) when absent. */
  port?: number;
  /** Address to bind; the device binds all interfaces and ignores it. */
  host?: string;
}

export interface HttpService {
  /** Resolves with the bound address once the server accepts connections. */
  readonly ready: Promise<{ host: string; port: number }>;
  close(): void;
}

export interface HttpServer {
  serve(options: HttpServerOptions, handler: HttpHandler): HttpService;
}
