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
 */

import { Listener, Socket } from "socket";
import Time from "time";
import Timer from "timer";
import { fragileSocketClose } from "hosts/moddable/platform";
import type { Tcp, TcpClientEvents, TcpConnectOptions, TcpConnection, TcpEvents, TcpListener, TcpListenOptions } from "../../modules/host/tcp";
import type { ListenerClass, SocketClass, SocketMessage, TcpSocketInstance } from "./types/socket";

const SocketRuntime = Socket as unknown as SocketClass;
const ListenerRuntime = Listener as unknown as ListenerClass;

const CONNECTED = 1;
const READABLE = 2;
const WRITABLE = 3;
/** fragileSocketClose: a socket with no message for this long has none queued. */
const QUIET_MS = 250;
const IPV4 = /^[0-9]{1,3}(?:\.[0-9]{1,3}){3}$/;

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

  constructor(socket: TcpSocketInstance, events: TcpClientEvents | undefined, accepted: boolean) {
    this.#socket = socket;
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
    socket.callback = (message, value) => this.#message(message, value ?? 0);
  }

  listen(events: TcpEvents): void {
    this.#events = events;
  }

  #message(message: SocketMessage, _value: number): void {
    if (this.#closed) return;
    this.#lastMessageAt = Time.ticks;
    if (message === WRITABLE) this.#owed = false;
    if (this.#closing) {
      if (message < 0) this.#disconnected();
      else {
        if (message === READABLE) this.#socket.read(ArrayBuffer);
        this.#release();
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
        const error = this.#up ? (message === -2 ? "connection dropped" : undefined) : "no connection (host unreachable, unknown or refusing)";
        this.#disconnected();
        events?.closed(error);
      }
    } catch {
      // A listener that throws must not reach the native callback: the connection ends here.
      this.#release();
    } finally {
      this.#inCallback = false;
    }
  }

  /** The peer is gone: lwIP wants the socket closed; the simulator has destroyed it already. */
  #disconnected(): void {
    if (fragileSocketClose) this.#finished();
    else this.#release();
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
      this.#release();
      return;
    }
    this.#closing = true;
    this.#events = undefined;
    this.#closeWhenSafe();
  }

  /** lwIP's tcp_abort is not reachable from the SDK's socket: closing is all there is. */
  abort(): void {
    this.close();
  }

  /** fragileSocketClose, outside a callback: close now if no message can be queued, else wait for one. */
  #closeWhenSafe(): void {
    this.#retry = undefined;
    if (this.#closed) return;
    if (!this.#owed && Time.ticks - this.#lastMessageAt >= QUIET_MS) this.#release();
    else this.#retry = Timer.set(() => this.#closeWhenSafe(), QUIET_MS);
  }

  #release(): void {
    if (this.#closed) return;
    this.#finished();
    try {
      this.#socket.close();
    } catch {
      // Already closed by the stack.
    }
  }

  #finished(): void {
    this.#closed = true;
    this.#closing = false;
    this.#events = undefined;
    if (this.#retry !== undefined) Timer.clear(this.#retry);
    this.#retry = undefined;
  }
}

export class ModdableTcp implements Tcp {
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
    const where = IPV4.test(options.host) ? { address: options.host } : { host: options.host };
    let socket: TcpSocketInstance;
    try {
      socket = new SocketRuntime({ ...where, port: options.port, noDelay: true });
    } catch (e) {
      // ESP32 throws "no network" before the station has an address: reported like any failure.
      const why = e instanceof Error ? e.message : String(e);
      void Promise.resolve().then(() => events.closed(`no connection (${why})`));
      return {
        remoteAddress: "",
        listen: () => undefined,
        writable: () => 0,
        write: () => {
          throw new Error("not connected");
        },
        close: () => undefined,
        abort: () => undefined,
      };
    }
    return new ModdableConnection(socket, events, false);
  }
}
