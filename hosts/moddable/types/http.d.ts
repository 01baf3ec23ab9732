/*
 * The Moddable `http` module as it behaves at run time (SDK 8.2.3, modules/network/http/http.js),
 * where @moddable/typings gets it wrong. A module-form file: host code imports these types and
 * casts the SDK's classes to them once, in one place.
 *
 * Corrections over typings/http.d.ts:
 * - A server callback's `this` is the connection (a Request instance the server made for it,
 *   one per connection), not a client Request the app created.
 * - headersComplete may return String, ArrayBuffer (whole body at requestComplete), true
 *   (requestFragment as it arrives), or false/undefined (the body is read and dropped).
 * - prepareResponse may return `reason`, and `body: true` (streamed through responseFragment:
 *   with a content-length header the bytes go out as they are, without one they are chunked).
 * - Server has close(connections) and detach(connection), the latter returning the socket.
 * - The client Request's responseFragment message is 4 (the typings say 3) and error is -2.
 */

/** What `this` is inside a server callback: one per connection, alive until it closes. */
export interface ServerConnection {
  /** The connection's socket (lwIP): get("REMOTE_IP") is the peer's address. */
  readonly socket?: { get(what: "REMOTE_IP"): string | undefined };
  /** Bytes of request body waiting (requestFragment), or them read as the given type. */
  read(): number;
  read(type: typeof ArrayBuffer, until?: number): ArrayBuffer;
  read(type: typeof String, until?: number): string;
  close(): void;
}

/** What prepareResponse returns. Without content-length, `body: true` is sent chunked. */
export interface ServerResponse {
  status?: number;
  /** Reason phrase; the server's own table (which lacks 429 and 431) when absent. */
  reason?: string;
  /** Flat list: name, value, name, value, ... The server adds connection: close itself. */
  headers?: (string | number)[];
  /** A whole body (the server adds Content-Length from .length / .byteLength), or true. */
  body?: string | ArrayBuffer | true;
}

/**
 * The single server callback. Return values that matter: headersComplete (see above),
 * prepareResponse (ServerResponse), responseFragment (the next fragment, at most `val1`
 * bytes; undefined ends the body). An exception thrown from it closes the connection (the
 * server reports it back as message -1).
 */
export type ServerCallback = (
  this: ServerConnection,
  message: number,
  val1?: unknown,
  val2?: unknown,
) => void | boolean | typeof String | typeof ArrayBuffer | ServerResponse | string | ArrayBuffer;

/** A socket handed back by detach(): the app owns it from then on. */
export interface DetachedSocket {
  /** Bytes that may be written now. */
  write(): number;
  /** Writes everything or throws ("can't write all data"). */
  write(...data: (string | ArrayBuffer)[]): void;
  close(): void;
}

export interface ServerInstance {
  callback: ServerCallback;
  /** Closes the listener and, unless false is passed, every open connection (no callbacks). */
  close(connections?: boolean): void;
  /** Takes a connection away from the server (no more callbacks); throws if it has none. */
  detach(connection: ServerConnection): DetachedSocket;
}

export interface ServerClass {
  new (options?: { port?: number }): ServerInstance;
  readonly connection: 1;
  readonly status: 2;
  readonly header: 3;
  readonly headersComplete: 4;
  readonly requestFragment: 5;
  readonly requestComplete: 6;
  readonly prepareResponse: 8;
  readonly responseFragment: 9;
  readonly responseComplete: 10;
  readonly error: -1;
}

/** The client Request's message numbers as the runtime has them. */
export interface RequestMessages {
  readonly requestFragment: 0;
  readonly status: 1;
  readonly header: 2;
  readonly headersComplete: 3;
  readonly responseFragment: 4;
  readonly responseComplete: 5;
  readonly error: -2;
}
