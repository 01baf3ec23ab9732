/*
 * ModdableUdp: the device's Udp over Moddable's socket with kind "UDP", keeping the promises
 * of modules/host/udp.ts. lwIP binds synchronously: a socket that cannot bind throws from its
 * constructor, which becomes a rejected `ready` (and a closed socket). Each datagram is read
 * whole in its callback; an exception from the listener never reaches the native callback.
 * With port 0 lwIP picks a port, but the SDK's socket has no way to tell it (get() answers only
 * REMOTE_IP), so ready resolves 0: services on the device bind fixed ports.
 *
 * Multicast (SSDP, mDNS), three ways, chosen by the host (host.ts):
 * - With joinGroup (esp32: native/multicast.c over FFI) the socket is opened as a plain UDP
 *   socket on its port and the group joined on every interface with an address, then left on
 *   close. The socket module's own `multicast` option is not used there: on ESP32 (SDK 8.2.3,
 *   modules/network/socket/lwip/modSocket.c) its join loop asks esp_netif_get_ip_info() about a
 *   NULL interface, which ESP-IDF refuses, so it never calls igmp_joingroup() (read from the
 *   SDK's and ESP-IDF's source; not seen on a chip), and it sets the socket's TTL to 1.
 * - Without it, where the platform's socket layer can open multicast sockets, multicast and
 *   ttl go to the socket as the SDK's mdns module passes them.
 * - Where it cannot (the Linux simulator: platform/simulator.ts multicastSockets), such an open
 *   is refused here, with the reason, before the SDK is called: a refused open there left the
 *   next HTTP connection unanswered.
 * - With multicast: false (mc/config udp_multicast=0) no group is joined at all and the socket
 *   hears unicast only.
 * The SDK's Linux simulator cannot serve UDP at all (SDK 8.2.3, modules/network/socket/lin/
 * modSocket.c): a plain UDP socket never binds its port (only the multicast branch calls
 * bind()), and the multicast option throws "invalid multicast IP address" for every valid
 * address (inet_pton's 1 for success is taken as failure). So SSDP (and the portal's DNS) hear
 * nothing there; on ESP32, lwIP binds every UDP socket.
 */

import { Socket } from "socket";
import type { Udp, UdpListener, UdpOpenOptions, UdpSocket } from "../../modules/host/udp";
import type { UdpSocketClass, UdpSocketInstance } from "./types/socket";

const UdpRuntime = Socket as unknown as UdpSocketClass;

/** Socket message: a datagram arrived (value is its length). */
const READABLE = 2;

export interface ModdableUdpOptions {
  /** Joins (true) or leaves a group on every interface; how many. Absent: the socket's own option. */
  readonly joinGroup?: (group: string, join: boolean) => number;
  /** False: join no group at all (unicast only). */
  readonly multicast?: boolean;
  /** False: the socket layer cannot open a multicast socket, so such an open is refused here. */
  readonly multicastSockets?: boolean;
}

class ModdableUdpSocket implements UdpSocket {
  readonly ready: Promise<number>;
  readonly #socket: UdpSocketInstance | undefined;
  readonly #leave: (() => void) | undefined;
  #closed = false;

  constructor(options: UdpOpenOptions, onMessage: UdpListener, how: ModdableUdpOptions) {
    let socket: UdpSocketInstance | undefined;
    let failure: Error | undefined;
    const group = how.multicast === false ? undefined : options.multicast;
    const join = group !== undefined ? how.joinGroup : undefined;
    if (group !== undefined && !join && how.multicastSockets === false)
      failure = new Error("this platform's socket layer cannot open multicast sockets (the Moddable simulator's does not)");
    else {
      try {
        socket = join
          ? new UdpRuntime({ kind: "UDP", port: options.port ?? 0 })
          : new UdpRuntime({ kind: "UDP", port: options.port ?? 0, multicast: group, ttl: group === undefined ? undefined : options.ttl });
        if (join && group !== undefined) {
          if (join(group, true) < 0) throw new Error(`${group} is no IPv4 multicast address`);
          this.#leave = () => void join(group, false);
        }
      } catch (e) {
        failure = e instanceof Error ? e : new Error(String(e));
        socket?.close();
        socket = undefined;
      }
    }
    this.#socket = socket;
    if (!socket) {
      this.#closed = true;
      this.ready = Promise.reject(failure);
      this.ready.catch(() => undefined);
      return;
    }
    socket.callback = (message, value, address, port) => {
      if (message !== READABLE || this.#closed) return;
      try {
        onMessage(new Uint8Array(socket.read(ArrayBuffer, value)), address, port);
      } catch {
        // One bad datagram (or a listener's bug) must not take the service down.
      }
    };
    this.ready = Promise.resolve(options.port ?? 0);
  }

  send(bytes: Uint8Array, address: string, port: number): void {
    if (this.#closed || !this.#socket) return;
    // The lin socket takes only an ArrayBuffer ("not an ArrayBuffer instance" for a view; lwIP
    // takes any buffer): a view of a whole buffer goes as its buffer, a part as a copy.
    const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
    this.#socket.write(address, port, (whole ? bytes.buffer : bytes.slice().buffer) as ArrayBuffer);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket?.close();
    try {
      this.#leave?.();
    } catch {
      // Leaving is best effort: the interface may be gone already.
    }
  }
}

export class ModdableUdp implements Udp {
  readonly #how: ModdableUdpOptions;

  constructor(how: ModdableUdpOptions = {}) {
    this.#how = how;
  }

  open(options: UdpOpenOptions, onMessage: UdpListener): UdpSocket {
    return new ModdableUdpSocket(options, onMessage, this.#how);
  }
}
