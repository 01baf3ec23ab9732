/*
 * ModdableTcp: the device's Tcp over Moddable's socket Listener and Socket (lwIP on ESP32,
 * BSD sockets in the Linux simulator), keeping the promises of modules/host/tcp.ts. The core's
 * HTTP server and client run on it, so the SDK's http module is not used: it buffers a header
 * line without limit, drains refused bodies and writes one fragment per send (docs/device.md, "On
 * the device", says why).
 *
 * - Each data message is read whole, at once (read(ArrayBuffer)), and handed on: the Linux
 *   simulator drops what the callback leaves, and lwIP holds the pbuf (and the TCP window) until
 *   it is read, so memory is bounded by what the core keeps.
 * - writable() is write() with no argument: lwIP's tcp_sndbuf. write() passes the chunks to one
 *   socket write (lwIP copies them); more than fits throws, as the contract says.
 * - Message 1 (connected) reaches a client connection's connected(); the SDK sends it to an
 *   accepted socket as well, where the Tcp interface has no such event, so it stops there.
 * - Disconnect (-1) and error (-2) end the connection: closed() once, then the socket is closed
 *   to release it (lwIP). An exception from a listener closes the connection instead of
 *   reaching the native callback, where it would be unhandled.
 * - The Moddable simulator's socket layer (modules/network/socket/lin/modSocket.c) frees a
 *   closed socket while a message for it may still be queued (a 20 ms poll posts "readable"
 *   and "writable" messages that hold no reference), and after a disconnect it destroys the
 *   socket itself, so a close() inside that callback frees it twice. Either corrupts its heap
 *   (mcsim crashed on the next request that reused the descriptor). So there (platform
 *   fragileSocketClose): a disconnected socket is never closed by the app, and a close() is
 *   carried out inside one of the socket's own callbacks, where no message of its can be
 *   pending: at once when called from one, else at the writable message a write is owed, else
 *   at the next readable one while data still arrives, else at once on a socket quiet for
 *   QUIET_MS. In between, the connection is silent: nothing is delivered.
 * - Connect errors have no reason here (the socket only says -2): the words are the device's.
 * - The peer's address is get("REMOTE_IP"); the Linux simulator's answer is unreliable (it
 *   formats the wrong structure), so per-address limits there are per connection.
 * - On the same platforms the Socket inside a SecureSocket is never closed after it reported
 *   its end (guardInnerClose): SecureSocket closes it inside that very callback.
 * - connect({tls}) is the SDK's SecureSocket (Moddable's own TLS 1.2 stack, the roots the
 *   manifest lists as resources), which has the Socket's messages and calls. Before a handshake
 *   the largest free block is checked (TLS_MIN_BLOCK, measured): a handshake that runs out of
 *   memory half way fails with nothing to say, and a record read that does aborts XS (the
 *   ESP32 restarts). SecureSocket swallows the handshake's exception and reports
 *   -2, so the session's handshake and certificate check are watched on the instance: a missing
 *   root (the SDK's "Resource not found: caNNN.der") and a refused chain (certificate-facts.ts
 *   says which rule it broke) reach closed() in TLS_ERRORS' words. A chain the SDK accepts is
 *   checked again: dates, the leaf's name, and every certificate signed by the next (SDK 8.2.3
 *   skips a link whose signature fails and accepts the chain by its last certificate).
 */

import { Listener, Socket } from "socket";
import SecureSocket from "securesocket";
import X509 from "x509";
import Time from "time";
import Timer from "timer";
import { fragileSocketClose, largestFreeBlock } from "hosts/moddable/platform";
import { chainProblem, tlsFailure } from "../../modules/crypto/certificate-facts";
import { NOT_CONNECTED, TLS_ERRORS, type Tcp, type TcpClientEvents, type TcpConnectOptions, type TcpConnection, type TcpEvents, type TcpListener, type TcpListenOptions } from "../../modules/host/tcp";
import type { ListenerClass, SocketClass, SocketMessage, TcpSocketInstance } from "./types/socket";

const SocketRuntime = Socket as unknown as SocketClass;
/** SecureSocket takes the Socket's dictionary plus `secure` (documentation/network/securesocket.md). */
const SecureSocketRuntime = SecureSocket as unknown as new (options: {
  host?: string;
  address?: string;
  port: number;
  noDelay?: boolean;
  secure: { protocolVersion: number; tls_server_name: string };
}) => TcpSocketInstance;

/**
 * Free memory in one block an HTTPS exchange needs. `npm run test:moddable` measures one on the
 * real engine (tests/moddable/heap-probe/tls-probe.js, SDK 8.2.3, 64-bit chunks: an upper bound
 * of the ESP32's): over what was live before, an RSA chain's handshake takes 11.7 KB of chunk
 * heap at its peak (an ECDSA chain's 4.4 KB), and reading one full 16 KiB record, as GitHub
 * sends, 20.3 KB; the slots (4.5 KB on the ESP32) come from the slot heap. The SDK's guide said
 * 10 KB. Whole, not in pieces: XS takes a chunk that does not fit its blocks as one new block
 * from the system heap.
 */
export const TLS_MIN_BLOCK = 20 * 1024;

/** SecureSocket's session, as ssl/session_original.js and ssl/ssl_cert.js (SDK 8.2.3) have it. */
interface TlsSession {
  handshake: (socket: unknown, bytes: number) => boolean;
  certificateManager?: CertificateManager;
}

/** The server's certificates reach verify() as views into the handshake's buffer (ssl_handshake.js readChunk). */
type Certificate = Uint8Array | ArrayBuffer;

interface CertificateManager {
  verify: (certs: Certificate[], options: { tls_server_name?: string }) => boolean;
  /** Does the key `spki` sign `x509`? (RSA PKCS#1 v1.5, DSA, ECDSA; throws for other algorithms.) */
  _verify: (spki: object, x509: object) => boolean;
}

/** Where the chain has a certificate its successor did not sign, or -1. */
function unsignedLink(manager: CertificateManager, certs: readonly Certificate[]): number {
  for (let i = 0; i + 1 < certs.length; i++) {
    let signed = false;
    try {
      signed = manager._verify.call(manager, X509.decodeSPKI(certs[i + 1]), X509.decode(certs[i])) === true;
    } catch {
      // Bytes x509 cannot read, or an algorithm the SDK lacks: not a signature it can vouch for.
    }
    if (!signed) return i;
  }
  return -1;
}

/** Replaces an inherited method on this instance only (defineProperty: an SDK prototype may be frozen). */
function override<T extends object, K extends keyof T>(target: T, key: K, value: T[K]): void {
  Object.defineProperty(target, key, { value, writable: true, configurable: true });
}

/**
 * Watches a SecureSocket's handshake; reason() is what went wrong, in TLS_ERRORS' words.
 * Also closes a hole in SDK 8.2.3's ssl_cert.js verify(): a certificate whose signature does not
 * verify against the next one is skipped, and the chain is then accepted when its LAST
 * certificate leads to a trusted root, so a made-up leaf for the right name followed by the real
 * intermediate passes. Here every certificate must be signed by the next (the manager's own
 * _verify), and every date and the leaf's name must hold, before a chain the SDK accepts is.
 */
function watchHandshake(socket: TcpSocketInstance, serverName: string): () => string | undefined {
  let reason: string | undefined;
  const session = (socket as unknown as { ssl?: TlsSession }).ssl;
  const manager = session?.certificateManager;
  if (manager) {
    const verify = manager.verify;
    override(manager, "verify", (certs: Certificate[], options: { tls_server_name?: string }) => {
      const chain = certs.map((c) => (c instanceof Uint8Array ? c : new Uint8Array(c)));
      if (!verify.call(manager, certs, options)) {
        reason = tlsFailure(chain, serverName, Date.now());
        return false;
      }
      const problem = chainProblem(chain, serverName, Date.now());
      if (problem !== undefined) {
        reason = problem;
        return false;
      }
      const link = unsignedLink(manager, certs);
      if (link >= 0) {
        reason = `${TLS_ERRORS.untrusted}: ${link === 0 ? "the server's certificate" : `certificate ${link + 1} of the chain`} is not signed by the certificate after it (forged, or sent out of order)`;
        return false;
      }
      return true;
    });
  }
  if (session) {
    const handshake = session.handshake;
    override(session, "handshake", (sock: unknown, bytes: number) => {
      try {
        return handshake.call(session, sock, bytes);
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        const missing = /Resource not found: (ca[0-9]+)\.der/.exec(message);
        if (missing) reason = `${TLS_ERRORS.missingRoot}: the server's chain ends in ${missing[1]}.der, which this firmware lacks (add $(MODULES)/crypt/data/${missing[1]} to the manifest's resources)`;
        else reason ??= `${TLS_ERRORS.handshake}: ${message}`;
        throw e;
      }
    });
  }
  return () => reason;
}
const ListenerRuntime = Listener as unknown as ListenerClass;

const CONNECTED = 1;
const READABLE = 2;
const WRITABLE = 3;
/** fragileSocketClose: a socket with no message for this long has none queued. */
const QUIET_MS = 250;

// Its helpers are TypeScript-private methods, not #private ones: XS gives every instance a slot
// per #method, and a busy server has several connections open.
class ModdableConnection implements TcpConnection {
  readonly remoteAddress: string;
  readonly #socket: TcpSocketInstance;
  #events: TcpEvents | TcpClientEvents | undefined;
  #up: boolean;
  #closed = false;
  /** fragileSocketClose: close() was asked for and waits for a safe moment. */
  #closing = false;
  #inCallback = false;
  /** A write is owed its writable message. */
  #owed = false;
  #lastMessageAt = 0;
  #retry: Timer | undefined = undefined;
  /** What a TLS handshake that failed said. */
  readonly #tlsReason: (() => string | undefined) | undefined;

  constructor(socket: TcpSocketInstance, events: TcpClientEvents | undefined, accepted: boolean, tlsReason?: () => string | undefined) {
    this.#socket = socket;
    this.#tlsReason = tlsReason;
    this.#events = events;
    this.#up = accepted;
    let remote = "";
    if (accepted) {
      try {
        remote = socket.get("REMOTE_IP") ?? "";
      } catch {
        // A socket that cannot say: the connection goes on without an address.
      }
    }
    this.remoteAddress = remote;
    socket.callback = (message, value) => this.onMessage(message, value ?? 0);
  }

  listen(events: TcpEvents): void {
    this.#events = events;
  }

  private onMessage(message: SocketMessage, _value: number): void {
    if (this.#closed) return;
    this.#lastMessageAt = Time.ticks;
    if (message === WRITABLE) this.#owed = false;
    if (this.#closing) {
      if (message < 0) this.disconnected();
      else {
        if (message === READABLE) this.#socket.read(ArrayBuffer);
        this.release();
      }
      return;
    }
    const events = this.#events;
    this.#inCallback = true;
    try {
      if (message === CONNECTED) {
        // lwIP sends 1 to an accepted socket too; only a client connection reports it.
        if (this.#up) return;
        this.#up = true;
        (events as TcpClientEvents | undefined)?.connected?.();
      } else if (message === READABLE) {
        const buffer = this.#socket.read(ArrayBuffer);
        if (buffer && buffer.byteLength > 0) events?.data(new Uint8Array(buffer));
      } else if (message === WRITABLE) events?.writable();
      else if (message < 0) {
        const tls = this.#up ? undefined : this.#tlsReason;
        const error = this.#up
          ? message === -2
            ? "connection dropped"
            : undefined
          : tls
            ? (tls() ?? `${TLS_ERRORS.handshake}: no connection, or the server ended the handshake`)
            : "no connection (host unreachable, unknown or refusing)";
        this.disconnected();
        events?.closed(error);
      }
    } catch {
      // A listener that throws must not reach the native callback: the connection ends here.
      this.release();
    } finally {
      this.#inCallback = false;
    }
  }

  /** The peer is gone: lwIP wants the socket closed; the simulator has destroyed it already. */
  private disconnected(): void {
    if (fragileSocketClose) this.finished();
    else this.release();
  }

  writable(): number {
    if (this.#closed || !this.#up) return 0;
    try {
      return this.#socket.write();
    } catch {
      return 0;
    }
  }

  write(...chunks: Uint8Array[]): void {
    if (this.#closed || this.#closing) throw new Error("write on a closed connection");
    this.#socket.write(...chunks);
    this.#owed = true;
  }

  close(): void {
    if (this.#closed || this.#closing) return;
    if (!fragileSocketClose || this.#inCallback) {
      this.release();
      return;
    }
    this.#closing = true;
    this.#events = undefined;
    this.closeWhenSafe();
  }

  /** lwIP's tcp_abort is not reachable from the SDK's socket: closing is all there is. */
  abort(): void {
    this.close();
  }

  /** fragileSocketClose, outside a callback: close now if no message can be queued, else wait for one. */
  private closeWhenSafe(): void {
    this.#retry = undefined;
    if (this.#closed) return;
    if (!this.#owed && Time.ticks - this.#lastMessageAt >= QUIET_MS) this.release();
    else this.#retry = Timer.set(() => this.closeWhenSafe(), QUIET_MS);
  }

  private release(): void {
    if (this.#closed) return;
    this.finished();
    try {
      this.#socket.close();
    } catch {
      // Already closed by the stack.
    }
  }

  private finished(): void {
    this.#closed = true;
    this.#closing = false;
    this.#events = undefined;
    if (this.#retry !== undefined) Timer.clear(this.#retry);
    this.#retry = undefined;
  }
}

/**
 * fragileSocketClose, for the Socket inside a SecureSocket: on a disconnect or an error,
 * SecureSocket closes its Socket from inside that Socket's own callback (securesocket.js), and
 * the Linux simulator's socket layer destroys a socket that reported its end by itself right
 * after the callback, so the socket was freed twice: mcsim's heap was corrupted by the first
 * HTTPS answer a server closed, and it crashed during the GitHub check's next request. The inner
 * Socket's close() does nothing once it has reported its end, as the rule for our own sockets is.
 */
function guardInnerClose(secure: TcpSocketInstance): void {
  const inner = (secure as unknown as { sock?: TcpSocketInstance }).sock;
  if (!inner) return;
  const deliver = inner.callback;
  const close = inner.close;
  let ended = false;
  inner.callback = (message, value) => {
    if (message < 0) ended = true;
    deliver.call(inner, message, value);
  };
  // Defined, not assigned: the preloaded Socket prototype is frozen, and an assignment to a
  // property it holds read-only throws (the "override mistake").
  Object.defineProperty(inner, "close", {
    value: () => {
      if (!ended) close.call(inner);
    },
  });
}

/** A connection that failed before it began: closed(why) is delivered later, as always. */
function failed(events: TcpClientEvents, why: string): TcpConnection {
  void Promise.resolve().then(() => events.closed(why));
  return NOT_CONNECTED;
}

export class ModdableTcp implements Tcp {
  readonly tls = true;

  listen(options: TcpListenOptions, onConnection: (connection: TcpConnection) => void): TcpListener {
    let listener: InstanceType<ListenerClass>;
    try {
      listener = new ListenerRuntime({ port: options.port });
    } catch (e) {
      // The port is taken, or there is no network stack: say so through ready.
      const ready = Promise.reject(e instanceof Error ? e : new Error(String(e)));
      ready.catch(() => undefined);
      return { ready, close: () => undefined };
    }
    listener.callback = () => {
      const socket = new SocketRuntime({ listener, noDelay: true });
      onConnection(new ModdableConnection(socket, undefined, true));
    };
    return {
      // The device's listener binds every interface, synchronously.
      ready: Promise.resolve({ host: "0.0.0.0", port: options.port }),
      close: () => listener.close(),
    };
  }

  connect(options: TcpConnectOptions, events: TcpClientEvents): TcpConnection {
    // Always `host`, an address too: the Linux simulator's socket takes nothing else ("host
    // required in dictionary"), and lwIP's resolver answers a dotted address without asking DNS.
    const where = { host: options.host };
    if (options.tls) return this.connectTls(options, where, events);
    let socket: TcpSocketInstance;
    try {
      socket = new SocketRuntime({ ...where, port: options.port, noDelay: true });
    } catch (e) {
      // ESP32 throws "no network" before the station has an address: reported like any failure.
      return failed(events, `no connection (${e instanceof Error ? e.message : String(e)})`);
    }
    return new ModdableConnection(socket, events, false);
  }

  // TypeScript-private, not #private: XS gives every instance a slot per #method.
  private connectTls(options: TcpConnectOptions, where: { host: string }, events: TcpClientEvents): TcpConnection {
    const free = largestFreeBlock();
    if (free !== undefined && free < TLS_MIN_BLOCK)
      return failed(events, `${TLS_ERRORS.handshake}: the largest free block of memory is ${free} bytes, and a TLS connection needs about ${TLS_MIN_BLOCK}`);
    const serverName = options.tls?.serverName ?? options.host;
    let socket: TcpSocketInstance;
    try {
      socket = new SecureSocketRuntime({
        ...where,
        port: options.port,
        noDelay: true,
        // TLS 1.2; the name is checked against the certificate (and sent as SNI).
        secure: { protocolVersion: 0x303, tls_server_name: serverName },
      });
    } catch (e) {
      return failed(events, `${TLS_ERRORS.handshake}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (fragileSocketClose) guardInnerClose(socket);
    return new ModdableConnection(socket, events, false, watchHandshake(socket, serverName));
  }
}
