/*
 * Stand-in of the SDK module "securesocket" (modules/crypt/securesocket/securesocket.js and
 * modsecuresocket.c over ssl/session_original.js and ssl/ssl_cert.js, SDK 8.2.3), on the socket
 * stand-in. No cryptography: the bytes on the wire are plain, and the handshake is the
 * certificate check alone, done by the SDK's rules over what the test says each server
 * presents (tls.servers) and which roots the firmware has (tls.store, tls.resources).
 *
 * Kept from the SDK:
 * - new SecureSocket(dict): a Socket from the same dict, and a session with
 *   {tls_server_name: dict.host, ...dict.secure}; `ssl` and `ssl.certificateManager` are
 *   instance properties, the session's handshake(sock, bytes) and the manager's
 *   verify(certs, options) and _verify(spki, x509) methods, as the SDK has them; the
 *   certificates reach verify() as Uint8Array views (ssl_handshake.js readChunk(size, true)).
 * - Messages: 1 only once the handshake is done; 2 (value: up to 1024 plain bytes; read them
 *   with read(ArrayBuffer) during the callback); 3 after the handshake only, with the free
 *   buffer less 128; -1 / -2 then the socket closes itself. An exception in the handshake
 *   (a refused chain: "certificate: auth err"; a root whose resource is missing:
 *   "Resource not found: caNNN.der"; a server that speaks no TLS) is swallowed and reported as
 *   -2, as securesocket.js does.
 * - write() with no argument: the socket's free buffer less 128 (0 below 128); write(...parts)
 *   all or nothing ("can't write all data").
 * - verify(certs, options) as ssl_cert.js: tls_server_name required; each certificate but the
 *   last is checked for its dates and its signer (the next one: its AKI is the next one's SKI),
 *   and the signer's AKI is looked up in ca.ski (tls.store) and that root read as a resource;
 *   names are matched on the certificate being checked (one "*" for the leftmost label); a chain
 *   of one certificate never verifies (the SDK returns `match` unset there). Dates are checked
 *   against Date.now(). Its flaw too: a certificate its successor did not sign is skipped, and
 *   the last certificate alone then decides (so a forged leaf before a real intermediate passes).
 * - _verify(spki, x509) with what the x509 stand-in decodes: "signed" means the signer's SKI is
 *   the certificate's AKI (served() gives x509.ts the facts of the bytes on the wire).
 * Not kept: ciphers, records, fragments, session resumption, client certificates, trace.
 */

import { machine } from "./machine";
import { Socket, type SocketCallback } from "./socket";

export interface ServedCertificate {
  readonly der: Uint8Array;
  readonly names: readonly string[];
  readonly notBefore: number;
  readonly notAfter: number;
  /** Hex of the subject key identifier, and of the authority key identifier (its signer's SKI). */
  readonly ski: string;
  readonly aki: string;
}

export const tls = {
  /** The chain each server port presents, leaf first. A port not here speaks no TLS. */
  servers: new Map<number, readonly ServedCertificate[]>(),
  /** ca.ski: the SKIs of the SDK's certificate store, caN.der at index N. */
  store: [] as string[],
  /** The store's roots the firmware has as resources (the manifest's $(MODULES)/crypt/data/caN). */
  resources: new Set<number>(),
  handshakes: 0,
  /** The server names asked for, in order. */
  names: [] as string[],
};

/** The facts of each certificate put on the wire, by its bytes (read by the x509 stand-in). */
const onTheWire = new WeakMap<Uint8Array, ServedCertificate>();

export function served(bytes: Uint8Array): ServedCertificate | undefined {
  return onTheWire.get(bytes);
}

class TLSError extends Error {}
Object.defineProperty(TLSError.prototype, "name", { value: "TLSError", writable: true, configurable: true });

function nameMatches(names: readonly string[], server: string): boolean {
  for (const name of names) {
    if (name.startsWith("*")) {
      if (name.indexOf("*", 1) > 0) continue;
      const dot = server.indexOf(".");
      if (dot < 0) continue;
      if (name.slice(1) === server.slice(dot)) return true;
    } else if (name === server) return true;
  }
  return false;
}

class CertificateManager {
  _verify(spki: object, x509: object): boolean {
    return (spki as { ski?: string }).ski === (x509 as { aki?: string }).aki;
  }

  #findRoot(aki: string): boolean {
    const index = tls.store.indexOf(aki);
    if (index < 0) return false;
    if (!tls.resources.has(index)) throw new URIError(`Resource not found: ca${index}.der`);
    return true;
  }

  verify(certs: Uint8Array[], options: { tls_server_name?: string }): boolean {
    const server = options.tls_server_name?.toLowerCase();
    if (!server) {
      trace("tls_server_name required\n");
      return false;
    }
    const now = Date.now();
    const facts = certs.map(served);
    const length = certs.length - 1;
    let match: boolean | undefined;
    for (let i = 0; i < length; i++) {
      const cert = facts[i];
      const next = facts[i + 1];
      if (!cert || !next) continue;
      match = nameMatches(cert.names, server);
      if (!(cert.notBefore < now && now < cert.notAfter)) {
        trace("date validation failed on received certificate\n");
        continue;
      }
      if (!this._verify({ ski: next.ski }, { aki: cert.aki })) continue;
      if (this.#findRoot(next.aki)) {
        if (!match) trace(`subjectAltName match failed for ${server}\n`);
        return match;
      }
    }
    const last = facts[length];
    if (!last || !(last.notBefore < now && now < last.notAfter)) {
      trace("date validation failed\n");
      return false;
    }
    if (this.#findRoot(last.aki)) return match === true;
    return false;
  }
}

class Session {
  readonly options: { tls_server_name?: string; protocolVersion?: number };
  certificateManager: CertificateManager | undefined;
  readonly #port: number;
  #started = false;

  constructor(options: { tls_server_name?: string; protocolVersion?: number }, port: number) {
    if (options.protocolVersion !== undefined && (options.protocolVersion < 0x301 || options.protocolVersion > 0x303))
      throw new TLSError("protocolVersion: not supported");
    this.options = options;
    this.#port = port;
    this.certificateManager = new CertificateManager();
  }

  initiateHandshake(): void {
    this.#started = true;
    tls.handshakes++;
    tls.names.push(this.options.tls_server_name ?? "");
  }

  /** The whole handshake at once: the server's chain, checked. True when done. */
  handshake(_sock: unknown, _bytes: number): boolean {
    if (!this.#started) return false;
    const chain = tls.servers.get(this.#port);
    if (!chain) throw new TLSError("handshake: unknown type: 72");
    const certs = chain.map((c) => {
      const der = c.der.slice();
      onTheWire.set(der, c);
      return der;
    });
    const manager = this.certificateManager as CertificateManager;
    if (!manager.verify(certs, this.options)) throw new TLSError("certificate: auth err");
    delete this.certificateManager;
    return true;
  }
}

export default class SecureSocket {
  callback: SocketCallback | undefined;
  sock: Socket | undefined;
  ssl: Session | undefined;
  handshaking = true;
  closing: number | boolean = false;
  #data: Uint8Array | undefined;
  #position = 0;

  constructor(dict: { host?: string; address?: string; port?: number; secure?: Record<string, unknown>; noDelay?: boolean }) {
    machine.native("new SecureSocket");
    const sock = new Socket(dict);
    this.sock = sock;
    try {
      this.ssl = new Session({ tls_server_name: dict.host, ...(dict.secure ?? {}) }, Number(dict.port ?? 0));
    } catch (e) {
      sock.close();
      throw e;
    }
    sock.callback = (message: number, value?: number) => {
      if (this.closing) return;
      try {
        if (message === 1) {
          this.ssl?.initiateHandshake();
          this.#messageHandler(0);
        } else if (message === 2) this.#messageHandler(value ?? 0);
        else if (message === 3) {
          if (this.handshaking) this.#messageHandler(0);
          else if ((value ?? 0) > 128) this.callback?.call(this, 3, (value ?? 0) - 128);
        } else this.closing = message;
      } catch {
        this.closing = -2;
      }
      if (this.closing) {
        this.callback?.call(this, this.closing as number);
        this.close();
      }
    };
  }

  #messageHandler(bytes: number): void {
    const sock = this.sock as Socket;
    if (this.handshaking) {
      // What the server sent during the handshake is the handshake's.
      if (bytes > 0) sock.read(ArrayBuffer);
      if ((this.ssl as Session).handshake(sock, bytes)) {
        this.handshaking = false;
        this.callback?.call(this, 1);
      }
      return;
    }
    if (bytes <= 0) return;
    const plain = new Uint8Array(sock.read(ArrayBuffer) as ArrayBuffer);
    for (let at = 0; at < plain.length && !this.closing; at += 1024) {
      this.#data = plain.subarray(at, Math.min(plain.length, at + 1024));
      this.#position = 0;
      this.callback?.call(this, 2, this.#data.length);
    }
    this.#data = undefined;
  }

  read(type?: unknown, limit?: number): unknown {
    const data = this.#data;
    const left = data ? data.length - this.#position : 0;
    if (type === undefined) return left;
    if (!data || left === 0) return undefined;
    const count = typeof limit === "number" && limit < left ? limit : left;
    const bytes = data.subarray(this.#position, this.#position + count);
    this.#position += count;
    if (type === ArrayBuffer) return bytes.slice().buffer;
    throw new Error("unsupported output type");
  }

  write(...parts: (Uint8Array | ArrayBuffer | string)[]): number | undefined {
    const sock = this.sock;
    if (!sock) throw new Error("write on closed socket");
    const free = Number(sock.write());
    const available = free < 128 ? 0 : free - 128;
    if (parts.length === 0) return available;
    let needed = 0;
    for (const part of parts) needed += typeof part === "string" ? part.length : part.byteLength;
    if (needed > available) throw new Error("can't write all data");
    sock.write(...parts);
    return undefined;
  }

  close(): void {
    this.closing = true;
    this.sock?.close();
    this.ssl = undefined;
    this.sock = undefined;
  }
}
