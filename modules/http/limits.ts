/*
 * The web server's limits: the device's, and the same on every host because one server
 * (http-server.ts) enforces them all. ESP32's lwIP allows about 8 TCP connections in total; the
 * server keeps some for the app's own (an OTA download, MQTT) and the UDP services.
 *
 * What a connection can make the device hold is bounded by these: the line being read (at most
 * the request line or the header budget), the headers kept (at most maxHeaderBytes of text in
 * at most maxHeaderCount entries) and the body (at most maxBodyBytes). docs/security.md, "The web
 * server", states each answer.
 */

export interface HttpLimits {
  /** Longest request line ("GET /path HTTP/1.1"), in bytes without its CRLF: longer is 414. */
  readonly maxRequestLineBytes: number;
  /** All header lines together, in bytes with their CRLFs: more is 431. */
  readonly maxHeaderBytes: number;
  /** Header lines: more is 431. */
  readonly maxHeaderCount: number;
  /** Request body, in bytes: a Content-Length over it is 413 at once. */
  readonly maxBodyBytes: number;
  /** Connections served at once; a new one beyond it takes the slot of a slow one, or gets 503. */
  readonly maxConnections: number;
  /** Slow connections one address may have: a new one from it closes its oldest. */
  readonly maxConnectionsPerClient: number;
  /**
   * A connection still sending its request head after this long is slow: a new connection may
   * take its slot (it is answered 408). A client sends its head in the segment after the
   * handshake, so a quick one is in its head for a round trip, not 50 ms, and is never closed
   * for another's sake. Short on purpose: slowloris sockets that reconnect the moment they are
   * closed keep every slot young, and with 1 s a real client then met 503 three times in four
   * (tests/simulator/attacks.test.ts); when every slot is taken one request fails either way,
   * and this makes it the slow one.
   */
  readonly slowHeadMs: number;
  /** Time to send the request line and headers: a client gets this, not the whole timeout. */
  readonly headersTimeoutMs: number;
  /** Time to send the whole request, and the longest a response may make no progress (408). */
  readonly requestTimeoutMs: number;
  /** After answering a request whose bytes are still arriving, how long they are read and dropped. */
  readonly lingerMs: number;
}

export const HTTP_LIMITS: HttpLimits = Object.freeze({
  maxRequestLineBytes: 512,
  maxHeaderBytes: 2048,
  maxHeaderCount: 40,
  maxBodyBytes: 4096,
  maxConnections: 4,
  maxConnectionsPerClient: 2,
  slowHeadMs: 50,
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  lingerMs: 1_000,
});
