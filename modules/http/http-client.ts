/*
 * TcpHttpClient: one HTTP/1.1 GET whose response body arrives in fragments, over the host's Tcp
 * (response-parser.ts reads it), so both hosts download with the same code. Used for the OTA
 * image, which is never held whole.
 *
 * - The client does NOT follow redirects: it reports the 3xx status and its Location, and the
 *   caller follows them (modules/ota/ota-url.ts), so every host follows the same rules.
 * - The client has no timeouts: the caller watches for silence with its Clock and calls abort().
 * - Calls on the handler, in order: response() once, data() zero or more times, then exactly one
 *   of end() (the whole body arrived) or error() (could not connect, a malformed response, or
 *   the connection broke before the body was complete). The fragment passed to data() is only
 *   valid during the call: the client may reuse its memory.
 * - After abort() returns, the handler is never called again. Aborting twice is harmless.
 * - If a handler method throws, the client aborts and calls the handler no more.
 * - Every request sends Host, Connection: close and a User-Agent, and closes when done; a
 *   header given in options.headers replaces the default of the same name (Accept, User-Agent).
 * - https (options.secure): over the host's TLS (Tcp.tls). Refused before any connection where
 *   the host has no TLS, and while the clock is not valid (options.clockValid): certificate
 *   dates cannot be checked against a clock near 1970, and "expired" would be the wrong words.
 */

import { NOT_CONNECTED, type Tcp, type TcpConnection } from "../host/tcp";
import type { TextCodec } from "../host/text-codec";
import { JS_TEXT_CODEC } from "../text/js-text-codec";
import { isToken } from "./request-parser";
import { ResponseParser, type ResponseHead, type ResponseOutcome, type ResponseLimits } from "./response-parser";

export interface HttpGetOptions {
  /** Host name or IPv4 address. */
  host: string;
  port: number;
  /** Path and query, starting with "/". */
  path: string;
  /** More request headers (name: value), e.g. Accept. */
  headers?: Readonly<Record<string, string>>;
  /** Lower-case names of response headers to report beyond Content-Length and Location. */
  keep?: readonly string[];
  /** https: TLS to the host, whose certificate must name it. */
  secure?: boolean;
}

export interface HttpResponseHead {
  status: number;
  /** Content-Length, when the server sent one (a chunked body has none). */
  contentLength?: number;
  /** Location, for a redirect. */
  location?: string;
  /** The headers asked for in options.keep. */
  headers?: Readonly<Record<string, string>>;
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

export interface HttpClientOptions {
  tcp: Tcp;
  text?: TextCodec;
  /** Sent as User-Agent. */
  userAgent?: string;
  /** False while the wall clock is not known to be right: https is refused then. */
  clockValid?: () => boolean;
}

/** What a refused https request says. */
export const CLOCK_NOT_VALID = "the clock is not set yet, so a certificate's dates cannot be checked: https works once the time is known (SNTP)";
export const NO_TLS = "this device cannot speak https (its host has no TLS)";

/** A response head this large is refused (a signed redirect URL fits with room to spare). */
const LIMITS: ResponseLimits = Object.freeze({ maxLineBytes: 8192, maxHeadBytes: 16384 });
/** Made where it is used: a preloaded regex corrupts XS 8.2.3's heap when it runs (tests/node/preload-lint.ts). */
const PATH = (): RegExp => /^\/[\x21-\x7e]*$/;
/** A header value that would end its line: CR, LF or NUL (native searches: no regex to compile per header). */
function hasBreak(value: string): boolean {
  return value.includes("\r") || value.includes("\n") || value.includes("\0");
}

class Download implements HttpDownload {
  readonly #handler: HttpDownloadHandler;
  readonly #parser: ResponseParser;
  readonly #connection: TcpConnection;
  /** What of the request head has not gone out yet. */
  #request: Uint8Array | undefined;
  /** Some of it has: a close from now on is not "no connection". */
  #wrote = false;
  readonly #keeps: boolean;
  #done = false;

  constructor(options: HttpGetOptions, client: HttpClientOptions, handler: HttpDownloadHandler) {
    this.#handler = handler;
    this.#keeps = (options.keep?.length ?? 0) > 0;
    const text = client.text ?? JS_TEXT_CODEC;
    this.#parser = new ResponseParser({
      limits: LIMITS,
      text,
      keep: options.keep,
      onHead: (head) => this.#head(head),
      onBody: (bytes) => this.#call(() => this.#handler.data(bytes)),
    });
    const defaultPort = options.port === (options.secure ? 443 : 80);
    let head = `GET ${options.path} HTTP/1.1\r\nHost: ${options.host}${defaultPort ? "" : `:${options.port}`}\r\n`;
    const extra = options.headers ?? {};
    let given = "";
    for (const name of Object.keys(extra)) given += `${name.toLowerCase()}\n`;
    if (!given.includes("user-agent\n")) head += `User-Agent: ${client.userAgent ?? "iot-manager"}\r\n`;
    if (!given.includes("accept\n")) head += "Accept: */*\r\n";
    head += "Connection: close\r\n";
    for (const name of Object.keys(extra)) {
      const value = extra[name];
      if (!isToken(name) || hasBreak(value)) throw new TypeError(`invalid request header ${JSON.stringify(name)}`);
      head += `${name}: ${value}\r\n`;
    }
    if (!PATH().test(options.path)) throw new TypeError(`invalid request path ${JSON.stringify(options.path.slice(0, 80))}`);
    this.#request = text.encode(`${head}\r\n`);
    const refusal = options.secure ? (!client.tcp.tls ? NO_TLS : client.clockValid && !client.clockValid() ? CLOCK_NOT_VALID : undefined) : undefined;
    if (refusal !== undefined) {
      // Reported later, like every failure: never from inside get().
      this.#connection = NOT_CONNECTED;
      void Promise.resolve().then(() => this.#finish({ error: refusal }));
      return;
    }
    this.#connection = client.tcp.connect(
      { host: options.host, port: options.port, ...(options.secure ? { tls: { serverName: options.host } } : {}) },
      {
        connected: () => this.#send(),
        writable: () => this.#send(),
        data: (bytes) => {
          const outcome = this.#done ? undefined : this.#parser.push(bytes);
          if (outcome) this.#finish(outcome);
        },
        closed: (error) => {
          if (this.#done) return;
          if (!this.#parser.head && !this.#wrote) this.#finish({ error: error ?? "no connection (host unreachable, unknown or refusing)" });
          else this.#finish(this.#parser.closed());
        },
      },
    );
  }

  #send(): void {
    const bytes = this.#request;
    if (this.#done || !bytes) return;
    // As much as the connection takes now, the rest at its next 'writable': a head is usually a
    // few hundred bytes, but a signed redirect URL makes it over 2 KB, and a TLS socket in the
    // Linux simulator takes at most 896 bytes a write (1 KB less the SDK's TLS overhead).
    const room = this.#connection.writable();
    if (room <= 0) return;
    const whole = room >= bytes.length;
    this.#request = whole ? undefined : bytes.subarray(room);
    this.#wrote = true;
    try {
      this.#connection.write(whole ? bytes : bytes.subarray(0, room));
    } catch {
      this.#finish({ error: "connection dropped" });
    }
  }

  #head(head: ResponseHead): void {
    const reported: HttpResponseHead = { status: head.status, contentLength: head.contentLength, location: head.headers.location };
    if (this.#keeps) reported.headers = head.headers;
    this.#call(() => this.#handler.response(reported));
  }

  /** Runs a handler call unless the download ended; a throwing handler aborts the download. */
  #call(f: () => void): void {
    if (this.#done) return;
    try {
      f();
    } catch {
      this.abort();
    }
  }

  #finish(event: ResponseOutcome): void {
    if (this.#done) return;
    this.#done = true;
    this.#close();
    try {
      if (event === "end") this.#handler.end();
      else this.#handler.error(event.error);
    } catch {
      // The handler's own failure; the download is over either way.
    }
  }

  #close(): void {
    try {
      this.#connection.close();
    } catch {
      // Already closed.
    }
  }

  abort(): void {
    if (this.#done) return;
    this.#done = true;
    this.#close();
  }
}

/** What a download needs: the OTA job takes this, so its tests can hand it a scripted client. */
export interface HttpClient {
  get(options: HttpGetOptions, handler: HttpDownloadHandler): HttpDownload;
}

export class TcpHttpClient implements HttpClient {
  readonly #options: HttpClientOptions;

  constructor(options: HttpClientOptions) {
    this.#options = options;
  }

  get(options: HttpGetOptions, handler: HttpDownloadHandler): HttpDownload {
    return new Download(options, this.#options, handler);
  }
}
