/*
 * MemoryTcp: a Tcp that never opens a socket, for the core's tests on any engine (XS included).
 * It keeps the promises of modules/host/tcp.ts the way the device's stack does:
 * - Events are delivered later (a promise turn), never from inside the call that caused them.
 * - A connection's send buffer holds sendBuffer bytes (lwIP's 5744 by default); the peer takes
 *   them a turn later, and then "writable" follows.
 * - What a peer sends arrives in pieces of `split` bytes (1, 7, 1460: a byte at a time, odd
 *   splits, one segment), each piece its own data event, as lwIP hands over pbufs.
 * - A test's peer can stop reading (stall()): what the server writes then stays in the
 *   server's send buffer, as unacknowledged bytes stay in lwIP's, until resume().
 *
 * Tests are the peers: dial(port) opens a client connection to a listener and gives a
 * MemoryPeer that sends bytes and collects the answer; settle() lets every pending delivery run.
 * connect() opens a connection to another listener of the same MemoryTcp (the core's HTTP client
 * against a test server).
 */

import type { Tcp, TcpClientEvents, TcpConnectOptions, TcpConnection, TcpEvents, TcpListener, TcpListenOptions } from "../../modules/host/tcp";
import { utf8Decode, utf8Encode } from "../../modules/text/utf8";

/** Lets chains of promise reactions run. */
export async function settle(turns = 50): Promise<void> {
  for (let i = 0; i < turns; i++) await undefined;
}

function later(f: () => void): void {
  void Promise.resolve().then(f);
}

class End implements TcpConnection {
  readonly remoteAddress: string;
  readonly sendBuffer: number;
  #events: TcpEvents | undefined;
  peer: End | undefined;
  #inFlight = 0;
  #closed = false;
  /** What this end was sent, whole, when it records (a test's client does; a server's end does not). */
  readonly received: Uint8Array[] = [];
  readonly #records: boolean;
  split: number;

  constructor(remoteAddress: string, sendBuffer: number, split: number, records = false) {
    this.remoteAddress = remoteAddress;
    this.sendBuffer = sendBuffer;
    this.split = split;
    this.#records = records;
  }

  get closed(): boolean {
    return this.#closed;
  }

  listen(events: TcpEvents): void {
    this.#events = events;
  }

  writable(): number {
    return this.#closed ? 0 : Math.max(0, this.sendBuffer - this.#inFlight);
  }

  write(...chunks: Uint8Array[]): void {
    if (this.#closed) throw new Error("write on a closed connection");
    let total = 0;
    for (const chunk of chunks) total += chunk.length;
    if (total > this.writable()) throw new Error("can't write all data");
    const copy = new Uint8Array(total);
    let at = 0;
    for (const chunk of chunks) {
      copy.set(chunk, at);
      at += chunk.length;
    }
    this.#inFlight += total;
    const peer = this.peer;
    const arrive = (): void => {
      this.#inFlight -= total;
      peer?.deliver(copy);
      if (!this.#closed) this.#events?.writable();
    };
    later(() => (peer?.stalled ? peer.held.push(arrive) : arrive()));
  }

  /** Not reading: what is sent to this end waits (in its sender's buffer). */
  stalled = false;
  readonly held: (() => void)[] = [];

  resume(): void {
    this.stalled = false;
    for (const arrive of this.held.splice(0)) later(arrive);
  }

  /** Bytes from the peer, in pieces of `split`. */
  deliver(bytes: Uint8Array): void {
    if (this.#records) this.received.push(bytes);
    if (this.#closed) return;
    const step = Math.max(1, this.peer?.split ?? bytes.length);
    for (let i = 0; i < bytes.length; i += step) {
      const piece = bytes.slice(i, i + step);
      if (!this.#closed) this.#events?.data(piece);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const peer = this.peer;
    // After what was written has been delivered.
    later(() => later(() => peer?.ended()));
  }

  /** Drops what is in flight and tells the peer at once. */
  abort(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.aborted = true;
    const peer = this.peer;
    later(() => peer?.ended());
  }

  aborted = false;

  /** The other end closed. */
  ended(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#events?.closed(undefined);
  }
}

export class MemoryPeer {
  readonly #end: End;
  readonly #closed: Promise<void>;

  constructor(end: End, closed: Promise<void>) {
    this.#end = end;
    this.#closed = closed;
  }

  /** Sends bytes (text as UTF-8), delivered to the server in pieces of `split` bytes. */
  send(data: string | Uint8Array, split?: number): void {
    const bytes = typeof data === "string" ? utf8Encode(data) : data;
    if (split !== undefined) this.#end.split = split;
    this.#end.write(bytes);
  }

  /** How many bytes may be sent now (the server reads as they come, so this refills). */
  writable(): number {
    return this.#end.writable();
  }

  /** Everything the server sent so far. */
  bytes(): Uint8Array {
    const parts = this.#end.received;
    let total = 0;
    for (const part of parts) total += part.length;
    const out = new Uint8Array(total);
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  text(): string {
    return utf8Decode(this.bytes());
  }

  get closed(): boolean {
    return this.#end.closed;
  }

  /** Resolves when the server has closed the connection. */
  whenClosed(): Promise<void> {
    return this.#closed;
  }

  /** The client hangs up. */
  close(): void {
    this.#end.close();
  }

  /** The client stops reading: the server's send buffer fills and stays full. */
  stall(): void {
    this.#end.stalled = true;
  }

  /** The client reads again: what waited arrives, in order. */
  resume(): void {
    this.#end.resume();
  }
}

interface Listening {
  readonly onConnection: (connection: TcpConnection) => void;
}

export interface MemoryTcpOptions {
  /** Bytes a send buffer holds (default 5744, lwIP's TCP_SND_BUF). */
  sendBuffer?: number;
}

export class MemoryTcp implements Tcp {
  readonly #listeners = new Map<number, Listening>();
  readonly #sendBuffer: number;
  #nextPort = 40000;
  /** Connections accepted so far. */
  accepted = 0;

  constructor(options: MemoryTcpOptions = {}) {
    this.#sendBuffer = options.sendBuffer ?? 5744;
  }

  listen(options: TcpListenOptions, onConnection: (connection: TcpConnection) => void): TcpListener {
    const port = options.port || this.#nextPort++;
    if (this.#listeners.has(port)) {
      return { ready: Promise.reject(new Error(`port ${port} is in use`)), close: () => undefined };
    }
    const entry: Listening = { onConnection };
    this.#listeners.set(port, entry);
    return {
      ready: Promise.resolve({ host: "memory", port }),
      close: () => {
        if (this.#listeners.get(port) === entry) this.#listeners.delete(port);
      },
    };
  }

  /** A test client connected to the listener on `port`, from `remote` (default 10.0.0.2). */
  dial(port: number, options: { remote?: string; split?: number; sendBuffer?: number } = {}): MemoryPeer {
    const listening = this.#listeners.get(port);
    if (!listening) throw new Error(`nothing listens on memory port ${port}`);
    const client = new End("memory-server", options.sendBuffer ?? 1 << 20, options.split ?? 1460, true);
    const server = new End(options.remote ?? "10.0.0.2", this.#sendBuffer, 1 << 20);
    client.peer = server;
    server.peer = client;
    let resolveClosed: () => void = () => undefined;
    const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
    client.listen({ data: () => undefined, writable: () => undefined, closed: () => resolveClosed() });
    this.accepted++;
    listening.onConnection(server);
    return new MemoryPeer(client, closed);
  }

  connect(options: TcpConnectOptions, events: TcpClientEvents): TcpConnection {
    const listening = this.#listeners.get(options.port);
    const client = new End(options.host, this.#sendBuffer, 1460);
    if (!listening) {
      later(() => events.closed("connection refused"));
      return client;
    }
    const server = new End("10.0.0.3", this.#sendBuffer, 1460);
    client.peer = server;
    server.peer = client;
    client.listen(events);
    listening.onConnection(server);
    later(() => events.connected());
    return client;
  }
}
