/*
 * The HTTP application's types: a request in, a response out, no sockets. The core's server
 * (http-server.ts) parses requests from a host's Tcp connections and writes the responses; the
 * manager's handle() and every feature's routes speak only these.
 *
 * - A request reaches a handler whole: its body has been read (it is small: the limit is the
 *   device's) and decoded from UTF-8. Header names are lower-cased.
 * - Handlers are synchronous: the device has the memory for one request at a time, not for a
 *   queue of them. Work that takes time is started by the handler and reported through a later
 *   request (http/background-job.ts).
 * - A response body is a string (sent as UTF-8 with an exact Content-Length), bytes, or an
 *   iterable of fragments, strings or bytes, that the server sends chunked, joining fragments
 *   to fill what the socket takes (the page, which is never assembled whole: its fixed markup
 *   is bytes made once, its values strings). Every response closes its connection.
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
  /** Path parameters of the route that matched (router.ts), e.g. {id: "3"}. */
  params?: Record<string, string>;
}

export type HttpBody = string | Uint8Array | Iterable<string | Uint8Array>;

export interface HttpResponse {
  status: number;
  headers?: Record<string, string>;
  body?: HttpBody;
}

export type HttpHandler = (request: HttpRequest) => HttpResponse;

export interface HttpService {
  /** Resolves with the bound address once the server accepts connections. */
  readonly ready: Promise<{ host: string; port: number }>;
  close(): void;
}
