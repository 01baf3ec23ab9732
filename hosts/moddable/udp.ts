/*
 * ModdableUdp: the device's Udp over Moddable's socket with kind "UDP", keeping the promises
 * of modules/host/udp.ts. lwIP binds synchronously: a socket that cannot bind throws from its
 * constructor, which becomes a rejected `ready` (and a closed socket). Each datagram is read
 * whole in its callback; an exception from the listener never reaches the native callback.
 * multicast and ttl go to the socket as the SDK's mdns module passes them (joined on the
 * default interface: the station's once it has an address). With port 0 lwIP picks a port, but
 * the SDK's socket has no way to tell it (get() answers only REMOTE_IP), so ready resolves 0:
 * services on the device bind fixed ports. Where the platform's socket layer cannot open a
 * multicast socket (the Linux simulator: platform/simulator.ts), such an open is refused here,
 * with the reason, before the SDK is called.
 */

import { Socket } from "socket";
import { multicastSockets } from "hosts/moddable/platform";
import type { Udp, UdpListener, UdpOpenOptions, UdpSocket } from "../../modules/host/udp";
import type { UdpSocketClass, UdpSocketInstance } from "./types/socket";

const UdpRuntime = Socket as unknown as UdpSocketClass;

/** Socket message: a datagram arrived (value is its length). */
const READABLE = 2;

class ModdableUdpSocket implements UdpSocket {
  readonly ready: Promise<number>;
  readonly #socket: UdpSocketInstance | undefined;
  #closed = false;

  constructor(options: UdpOpenOptions, onMessage: UdpListener) {
    let socket: UdpSocketInstance | undefined;
    let failure: Error | undefined;
    if (options.multicast !== undefined && !multicastSockets)
      failure = new Error("this platform's socket layer cannot open multicast sockets (the Moddable simulator's does not)");
    else {
      try {
        socket = new UdpRuntime({ kind: "UDP", port: options.port ?? 0, multicast: options.multicast, ttl: options.ttl });
      } catch (e) {
        failure = e instanceof Error ? e : new Error(String(e));
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
    this.#socket.write(address, port, bytes);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket?.close();
  }
}

export class ModdableUdp implements Udp {
  open(options: UdpOpenOptions, onMessage: UdpListener): UdpSocket {
    return new ModdableUdpSocket(options, onMessage);
  }
}
