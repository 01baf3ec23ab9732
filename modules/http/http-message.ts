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
 *   is bytes made once, its values strings), or an HttpStream: a body that stays open
 *   (server-sent events), sent as it comes until either side ends it. Every response closes
 *   its connection.
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

/**
 * A body that stays open (GET /events): sent without a length, delimited by the connection's
 * close. The server pulls text from it whenever the connection can take more, so a slow reader
 * never makes the device buffer more than one pull: what the stream has not been asked for yet
 * is the stream's to coalesce or drop.
 * - open(wake) is called once, when the head has gone out; from then on the stream calls wake()
 *   when it has something new, and the server pulls as soon as there is room.
 * - pull(room) returns the text to send now (about `room` bytes; more is held and sent as room
 *   frees), "" when it has nothing now, or undefined when it is over (the server closes).
 * - keepAlive is sent when the stream has been quiet for a third of the server's
 *   requestTimeoutMs, so an idle stream is not taken for a stalled one (a response that makes
 *   no progress for requestTimeoutMs is cut off, which is what happens to a reader that stops).
 * - close() is called once when the server is done with it, for whatever reason (the client
 *   left, it was cut off, the server closed, a HEAD request, or pull() said it is over).
 */
export interface HttpStream {
  open(wake: () => void): void;
  pull(room: number): string | undefined;
  readonly keepAlive: string;
  close(): void;
}

export type HttpBody = string | Uint8Array | Iterable<string | Uint8Array> | HttpStream;

/** True for a body that is an HttpStream (it is not iterable; it pulls). */
export function isHttpStream(body: HttpBody | undefined): body is HttpStream {
  return typeof body === "object" && body !== null && !(body instanceof Uint8Array) && typeof (body as HttpStream).pull === "function" && typeof (body as HttpStream).open === "function";
}

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
