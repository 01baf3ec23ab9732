/*
 * NodeTcp: the simulator's Tcp over node:net, keeping the device's promises (modules/host/tcp.ts)
 * and its proportions:
 * - writable() is what a device's send buffer would take: SEND_BUFFER bytes (lwIP's TCP_SND_BUF on
 *   ESP32) less what Node still holds unsent. A write over it throws, as on the device; writes
 *   made in one turn go out together (corked), as lwIP sends them after the callback returns.
 * - "writable" follows once Node has handed everything written to the kernel.
 * - close() ends the connection after what was written (FIN) and lets the socket go once Node
 *   has handed both to the kernel, as lwIP's tcp_close() does, or after 3 s if it cannot (a peer
 *   that stopped reading). close() after closed() is harmless.
 * - Errors become the device's plain words ("connection refused", "host not found", ...).
 * - connect({tls}) is node:tls trusting Node's roots, the system's and the simulator's --ca files
 *   (host.ts reads them), with
 *   the certificate's name checked against tls.serverName; its failures become the reasons of
 *   TLS_ERRORS (modules/host/tcp.ts), so the device and the simulator say the same.
 * - aliases (--resolve NAME=ADDR) answer names without DNS, as /etc/hosts would: the tests
 *   give a local stand-in of GitHub two host names on one loopback address.
 * - firstListening settles with the first listener's address (the simulator waits for it), and
 *   shutdown() closes every listener and connection (a device reset).
 */

import { lookup as dnsLookup } from "node:dns";
import { connect, createServer, type LookupFunction, type Server, type Socket } from "node:net";
import { connect as connectTls, rootCertificates } from "node:tls";
import { TLS_ERRORS, type Tcp, type TcpClientEvents, type TcpConnectOptions, type TcpConnection, type TcpEvents, type TcpListener, type TcpListenOptions } from "../../modules/host/tcp";

/** ESP32's lwIP default TCP_SND_BUF (CONFIG_LWIP_TCP_SND_BUF_DEFAULT). */
export const SEND_BUFFER = 5744;
/** After close(), how long what was written may take to reach the kernel before the socket is destroyed. */
const CLOSE_STUCK_MS = 3000;

export function plainError(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case "CERT_HAS_EXPIRED":
      return `${TLS_ERRORS.dates}: the server's certificate has expired`;
    case "CERT_NOT_YET_VALID":
      return `${TLS_ERRORS.dates}: the server's certificate is not valid yet`;
    case "DEPTH_ZERO_SELF_SIGNED_CERT":
    case "SELF_SIGNED_CERT_IN_CHAIN":
      return `${TLS_ERRORS.untrusted}: the server's certificate is self-signed`;
    case "UNABLE_TO_GET_ISSUER_CERT":
    case "UNABLE_TO_GET_ISSUER_CERT_LOCALLY":
    case "UNABLE_TO_VERIFY_LEAF_SIGNATURE":
    case "CERT_SIGNATURE_FAILURE":
    case "CERT_UNTRUSTED":
      return `${TLS_ERRORS.untrusted}: no trusted root signed the server's certificate (${e.code})`;
    case "ERR_TLS_CERT_ALTNAME_INVALID":
      return `${TLS_ERRORS.name}: ${e.message}`;
    case "ECONNREFUSED":
      return "connection refused";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "host not found";
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "host unreachable";
    case "ETIMEDOUT":
      return "connection timed out";
    case "ECONNRESET":
    case "EPIPE":
      return "connection dropped";
    default:
      if (typeof e.code === "string" && (e.code.startsWith("ERR_SSL") || e.code.startsWith("ERR_TLS"))) return `${TLS_ERRORS.handshake}: ${e.message}`;
      return e.message;
  }
}

class NodeTcpConnection implements TcpConnection {
  readonly remoteAddress: string;
  readonly #socket: Socket;
  readonly #live: Set<NodeTcpConnection>;
  #events: TcpEvents | undefined;
  #ended = false;
  #corked = false;

  constructor(socket: Socket, live: Set<NodeTcpConnection>, events?: TcpEvents) {
    this.#socket = socket;
    this.#live = live;
    this.#events = events;
    live.add(this);
    const address = socket.remoteAddress ?? "";
    this.remoteAddress = address.startsWith("::ffff:") ? address.slice(7) : address;
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => {
      if (!this.#ended) this.#events?.data(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    });
    socket.on("error", (e: NodeJS.ErrnoException) => this.#end(plainError(e), true));
    // The peer's FIN: what was written still goes out (a client may half-close after its
    // request), then ours follows.
    socket.on("end", () => this.#end(undefined, false));
    socket.on("close", () => this.#end(undefined, true));
  }

  get socket(): Socket {
    return this.#socket;
  }

  listen(events: TcpEvents): void {
    this.#events = events;
  }

  writable(): number {
    if (this.#ended || this.#socket.destroyed || !this.#socket.writable) return 0;
    return Math.max(0, SEND_BUFFER - this.#socket.writableLength);
  }

  write(...chunks: Uint8Array[]): void {
    if (this.#ended) throw new Error("write on a closed connection");
    let total = 0;
    for (const chunk of chunks) total += chunk.length;
    if (total > this.writable()) throw new Error("can't write all data");
    const socket = this.#socket;
    if (!this.#corked) {
      this.#corked = true;
      socket.cork();
      process.nextTick(() => {
        this.#corked = false;
        socket.uncork();
      });
    }
    for (let i = 0; i < chunks.length; i++) {
      // Copied: the caller may reuse its buffers once write() returns.
      const last = i === chunks.length - 1;
      socket.write(Buffer.from(chunks[i]), last ? () => this.#drained() : undefined);
    }
  }

  #drained(): void {
    if (!this.#ended && this.#socket.writableLength === 0) this.#events?.writable();
  }

  close(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#finish();
  }

  /**
   * Sends what was written, then FIN, and lets the socket go once both are with the kernel, as
   * lwIP's tcp_close() does: the app holds nothing while the peer's FIN is still on its way, and
   * bytes the peer sends after it are answered with a reset there as here (the server lingers
   * itself, before close(), where a client may still be sending: modules/http/http-server.ts).
   */
  #finish(): void {
    this.#live.delete(this);
    const socket = this.#socket;
    // Bounded as lwIP's retransmission and persist limits bound it: a peer that stopped reading
    // (a stalled stream the server drops) or a connection still being made never lets 'finish' come.
    const stuck = setTimeout(() => socket.destroy(), CLOSE_STUCK_MS).unref();
    socket.end(() => {
      clearTimeout(stuck);
      socket.destroy();
    });
  }

  abort(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#live.delete(this);
    const socket = this.#socket;
    // What was written reaches the kernel first (it leaves at once on loopback), then the reset.
    if (this.#corked) {
      this.#corked = false;
      socket.uncork();
    }
    if (socket.writableLength === 0) socket.resetAndDestroy();
    else socket.write(new Uint8Array(0), () => socket.resetAndDestroy());
  }

  /** Destroys at once (a device reset). */
  destroy(): void {
    this.#ended = true;
    this.#live.delete(this);
    this.#socket.destroy();
  }

  #end(error: string | undefined, broken: boolean): void {
    if (this.#ended) {
      if (broken) this.#socket.destroy();
      return;
    }
    this.#ended = true;
    if (broken) {
      this.#live.delete(this);
      this.#socket.destroy();
    } else this.#finish();
    this.#events?.closed(error);
  }
}

export class NodeTcp implements Tcp {
  readonly #servers = new Set<Server>();
  readonly #live = new Set<NodeTcpConnection>();
  readonly #defaultHost: string;
  #settleFirst: ((ready: Promise<{ host: string; port: number }>) => void) | undefined;
  /** Settles with the outcome of the first listener the app opens, whenever it opens one. */
  readonly firstListening = new Promise<{ host: string; port: number }>((resolve) => {
    this.#settleFirst = (ready) => ready.then(resolve, () => undefined);
  });
  #first: Promise<{ host: string; port: number }> | undefined;

  readonly tls = true;
  readonly #ca: readonly string[];
  readonly #lookup: LookupFunction | undefined;

  /**
   * defaultHost: the address a listener binds when it names none (the simulator's --host);
   * ca: more roots to trust (PEM, the simulator's --ca); aliases: names answered without DNS.
   */
  constructor(options: { defaultHost?: string; ca?: readonly string[]; aliases?: Readonly<Record<string, string>> } = {}) {
    this.#defaultHost = options.defaultHost ?? "127.0.0.1";
    this.#ca = [...rootCertificates, ...(options.ca ?? [])];
    const aliases = options.aliases ?? {};
    this.#lookup = Object.keys(aliases).length
      ? (hostname, lookupOptions, callback) => {
          const address = aliases[hostname.toLowerCase()];
          if (address === undefined) return dnsLookup(hostname, lookupOptions, callback);
          if (lookupOptions.all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family: address.includes(":") ? 6 : 4 }]);
          else callback(null, address, address.includes(":") ? 6 : 4);
        }
      : undefined;
  }

  listen(options: TcpListenOptions, onConnection: (connection: TcpConnection) => void): TcpListener {
    const server = createServer({ noDelay: true }, (socket) => {
      onConnection(new NodeTcpConnection(socket, this.#live));
    });
    this.#servers.add(server);
    const ready = new Promise<{ host: string; port: number }>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port, options.host ?? this.#defaultHost, () => {
        server.off("error", reject);
        const address = server.address();
        if (address && typeof address === "object") resolve({ host: address.address, port: address.port });
        else reject(new Error("the listener has no address"));
      });
    });
    ready.catch(() => undefined);
    if (!this.#first) {
      this.#first = ready;
      this.#settleFirst?.(ready);
    }
    return {
      ready,
      close: () => {
        this.#servers.delete(server);
        server.close();
      },
    };
  }

  connect(options: TcpConnectOptions, events: TcpClientEvents): TcpConnection {
    const lookup = this.#lookup ? { lookup: this.#lookup } : {};
    if (options.tls) {
      const socket = connectTls({
        host: options.host,
        port: options.port,
        servername: options.tls.serverName ?? options.host,
        ca: this.#ca as string[],
        ...lookup,
      });
      const connection = new NodeTcpConnection(socket, this.#live, events);
      socket.once("secureConnect", () => events.connected());
      return connection;
    }
    const socket = connect({ host: options.host, port: options.port, ...lookup });
    const connection = new NodeTcpConnection(socket, this.#live, events);
    socket.once("connect", () => events.connected());
    return connection;
  }

  /** The first listener's outcome; throws when the app opened none. */
  whenListening(): Promise<{ host: string; port: number }> {
    if (!this.#first) throw new Error("the app did not start a web server (did main.ts call run()?)");
    return this.#first;
  }

  /** Closes every listener and connection this host opened (the simulator's reboot). */
  shutdown(): void {
    for (const server of this.#servers) server.close();
    this.#servers.clear();
    for (const connection of [...this.#live]) connection.destroy();
  }
}
