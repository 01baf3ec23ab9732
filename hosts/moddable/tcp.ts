/*
 * ModdableTcp: the device's Tcp over Moddable's socket Listener and Socket (lwIP on ESP32,
 * BSD sockets in the Linux simulator), keeping the promises of modules/host/tcp.ts. The core's
 * HTTP server and client run on it, so the SDK's http module is not used: it buffers a header
 * line without limit, drains refused bodies and writes one fragment per send (README.md, "On
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
 *   to release it. An exception from a listener closes the connection instead of reaching the
 *   native callback, where it would be unhandled.
 * - Connect errors have no reason here (the socket only says -2): the words are the device's.
 * - The peer's address is get("REMOTE_IP"); the Linux simulator's answer is unreliable (it
 *   formats the wrong structure), so per-address limits there are per connection.
 */

import { Listener, Socket } from "socket";
import type { Tcp, TcpClientEvents, TcpConnectOptions, TcpConnection, TcpEvents, TcpListener, TcpListenOptions } from "../../modules/host/tcp";
import type { ListenerClass, SocketClass, SocketMessage, TcpSocketInstance } from "./types/socket";

const SocketRuntime = Socket as unknown as SocketClass;
const ListenerRuntime = Listener as unknown as ListenerClass;

const CONNECTED = 1;
const READABLE = 2;
const WRITABLE = 3;
const IPV4 = /^[0-9]{1,3}(?:\.[0-9]{1,3}){3}$/;

class ModdableConnection implements TcpConnection {
  readonly remoteAddress: string;
  readonly #socket: TcpSocketInstance;
  #events: TcpEvents | TcpClientEvents | undefined;
  #up: boolean;
  #closed = false;

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
    const events = this.#events;
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
        this.#release();
        events?.closed(error);
      }
    } catch {
      // A listener that throws must not reach the native callback: the connection ends here.
      this.#release();
    }
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
    if (this.#closed) throw new Error("write on a closed connection");
    this.#socket.write(...chunks);
  }

  close(): void {
    this.#release();
  }

  /** lwIP's tcp_abort is not reachable from the SDK's socket: closing is all there is. */
  abort(): void {
    this.#release();
  }

  #release(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#socket.close();
    } catch {
      // Already closed by the stack.
    }
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
