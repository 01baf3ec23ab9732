/*
 * HttpClient: one plain-HTTP GET whose body arrives in fragments (Moddable's http Request on the
 * device, node:http in the simulator). Used to download an OTA image, which is never held whole.
 *
 * - The client does NOT follow redirects: it reports the 3xx status and its Location, and the
 *   core (modules/ota/ota-url.ts) follows them, so both hosts follow the same rules.
 * - The client has no timeouts: the caller watches for silence with its Clock and calls abort().
 * - Calls on the handler, in order: response() once, data() zero or more times, then exactly one
 *   of end() (the server finished the body) or error() (could not connect, or the connection
 *   broke before the body was complete). The fragment passed to data() is only valid during the
 *   call: the client may reuse its memory.
 * - After abort() returns, the handler is never called again. Aborting twice is harmless.
 * - If a handler method throws, the client aborts the download and calls the handler no more (the
 *   exception never reaches the socket's own callback).
 */

export interface HttpGetOptions {
  /** Host name or IPv4 address. */
  host: string;
  port: number;
  /** Path and query, starting with "/". */
  path: string;
}

export interface HttpResponseHead {
  status: number;
  /** Content-Length, when the server sent one (a chunked body has none). */
  contentLength?: number;
  /** Location, for a redirect. */
  location?: string;
}

export interface HttpDownloadHandler {
  response(head: HttpResponseHead): void;
  data(fragment: Uint8Array): void;
  end(): void;
  /** message is plain words: "connection refused", "connection dropped", ... */
  error(message: string): void;
}

export interface HttpDownload {
  abort(): void;
}

export interface HttpClient {
  get(options: HttpGetOptions, handler: HttpDownloadHandler): HttpDownload;
}
