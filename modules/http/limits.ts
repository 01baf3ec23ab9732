/*
 * The web server's limits: the device's, enforced by every host so that the simulator refuses
 * what the device refuses. ESP32's lwIP allows about 8 TCP connections in total; the server
 * keeps some for the app's own (OTA download, DNS, mDNS).
 */

export interface HttpLimits {
  readonly maxRequestLineBytes: number;
  readonly maxHeaderBytes: number;
  readonly maxBodyBytes: number;
  readonly maxConnections: number;
  readonly requestTimeoutMs: number;
}

export const HTTP_LIMITS: HttpLimits = Object.freeze({
  /** Longest request line ("GET /path HTTP/1.1"), in bytes: longer is 414. */
  maxRequestLineBytes: 512,
  /** All header lines together, in bytes: more is 431. */
  maxHeaderBytes: 2048,
  /** Request body, in bytes: more is 413. */
  maxBodyBytes: 4096,
  /** Connections served at once: more are answered 503. */
  maxConnections: 4,
  /** A connection that has not sent its whole request in this time is dropped (408). */
  requestTimeoutMs: 10_000,
});
