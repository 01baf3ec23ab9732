/*
 * Tcp: stream sockets, the one thing the core's protocols (its HTTP server and client) need from
 * a host's network stack. Moddable's socket Listener and Socket (lwIP) on the device, node:net
 * in the simulator, an in-memory wire in the core's tests. HTTP itself is parsed and written by
 * the core (modules/http/), so both hosts answer the same bytes with the same code.
 *
 * Promises every implementation keeps (tests/contract/tcp-contract.ts checks them):
 * - Events are delivered later, never from inside the call that caused them, to the one
 *   listener a connection has (set with listen() inside onConnection, before it returns).
 * - data(bytes): what the peer sent, in order, in pieces of any size (a byte, a segment). The
 *   view is valid only during the call: the host may reuse its memory, and the device's stack
 *   drops what is not taken then, so a listener copies what it keeps.
 * - writable() is how many bytes write() takes now (the device's send buffer; 0 when full).
 *   write() takes at most that many, all of them, copied (the caller may reuse its buffers);
 *   more throws. After a write, "writable" is delivered once there is room again.
 * - closed() is delivered once when the connection ends from the peer's side or breaks; close()
 *   sends what was written, ends the connection and is silent (no closed() follows); after
 *   closed() it only releases what is left. Writing after either throws.
 * - connect({tls}) (where the host says `tls: true`) speaks TLS: connected() comes after the
 *   handshake, once the server's chain verifies against the host's roots and its certificate
 *   names tls.serverName; data() and write() carry the plain bytes. A handshake that fails
 *   reports closed(reason) with one of the TLS_ERRORS prefixes below, so the caller can tell a
 *   certificate that does not verify from a name that does not match from a missing root.
 */

/** How a failed TLS handshake's reason begins (the rest is the host's plain words). */
export const TLS_ERRORS = Object.freeze({
  /** The chain does not end in a trusted root: self-signed, unknown issuer, bad signature. */
  untrusted: "certificate not trusted",
  /** The certificate's dates do not include now (expired, or not valid yet). */
  dates: "certificate expired or not yet valid",
  /** The certificate is for other names. */
  name: "certificate name mismatch",
  /** The device lacks the root certificate the chain ends in (it names the file). */
  missingRoot: "root certificate missing",
  /** Anything else in the handshake (protocol, cipher, memory). */
  handshake: "TLS handshake failed",
});

export interface TcpEvents {
  data(bytes: Uint8Array): void;
  /** There is room to write again. */
  writable(): void;
  /** The peer closed the connection, or it broke (error says how). */
  closed(error?: string): void;
}

export interface TcpConnection {
  /** The peer's IPv4 or IPv6 address ("" when the host cannot tell). */
  readonly remoteAddress: string;
  /** Sets the one listener. */
  listen(events: TcpEvents): void;
  /** Bytes write() accepts now. */
  writable(): number;
  /** Writes the chunks in order; together at most writable() bytes. */
  write(...chunks: Uint8Array[]): void;
  close(): void;
  /**
   * Ends the connection so the peer cannot take it for a whole answer: what was written goes
   * out, then a reset where the stack can send one (the SDK's socket can only close). Silent,
   * like close().
   */
  abort(): void;
}

export interface TcpListenOptions {
  port: number;
  /** Address to bind; the device binds every interface and ignores it. */
  host?: string;
}

export interface TcpListener {
  /** Resolves with the bound address once connections are accepted; rejects if it cannot bind. */
  readonly ready: Promise<{ host: string; port: number }>;
  /** Stops accepting. Connections already accepted are the caller's to close. */
  close(): void;
}

export interface TcpConnectOptions {
  /** Host name or IPv4 address. */
  host: string;
  port: number;
  /** Speak TLS; only where the host's `tls` is true. */
  tls?: TlsConnectOptions;
}

export interface TlsConnectOptions {
  /** The name the server's certificate must carry (SNI too); the host by default. */
  serverName?: string;
}

export interface TcpClientEvents extends TcpEvents {
  /** The connection is up; write() may be called. Before it, closed(error) reports a failure. */
  connected(): void;
}

export interface Tcp {
  /** True when connect() takes `tls` (the simulator: node:tls; the device: SecureSocket). */
  readonly tls?: boolean;
  listen(options: TcpListenOptions, onConnection: (connection: TcpConnection) => void): TcpListener;
  /** Opens a connection; its events go to `events` (connected, then data..., then closed). */
  connect(options: TcpConnectOptions, events: TcpClientEvents): TcpConnection;
}

/**
 * The connection of an attempt that never connected: writes throw, the rest does nothing. A
 * host returns it from connect() when the attempt failed at once (and reports closed(why)
 * later, as always); a client holds it for a request refused before connecting.
 */
export const NOT_CONNECTED: TcpConnection = Object.freeze({
  remoteAddress: "",
  listen: () => undefined,
  writable: () => 0,
  write: (): never => {
    throw new Error("not connected");
  },
  close: () => undefined,
  abort: () => undefined,
});
