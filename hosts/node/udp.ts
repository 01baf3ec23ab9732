/*
 * NodeUdp: the simulator's Udp over node:dgram, keeping the device's promises
 * (modules/host/udp.ts). A multicast socket (mDNS, SSDP) shares its port with others on the
 * machine (reuseAddr) and hears its own datagrams, as a device on a network would hear others'.
 * It joins the group on the bind address's interface and sends its multicast through that
 * interface only; bound to a loopback address (the simulator's default) it also hears only
 * loopback senders, so a simulated device never answers, or reaches, anyone on a real network.
 * shutdown() closes every socket (a device reset).
 */

import { createSocket, type Socket } from "node:dgram";
import type { Udp, UdpListener, UdpOpenOptions, UdpSocket } from "../../modules/host/udp";

class NodeUdpSocket implements UdpSocket {
  readonly ready: Promise<number>;
  readonly #socket: Socket;
  readonly #live: Set<NodeUdpSocket>;
  #closed = false;

  constructor(socket: Socket, ready: Promise<number>, live: Set<NodeUdpSocket>) {
    this.#socket = socket;
    this.ready = ready;
    ready.catch(() => this.close());
    this.#live = live;
    live.add(this);
  }

  send(bytes: Uint8Array, address: string, port: number): void {
    if (this.#closed) return;
    // Copied: the caller may reuse its buffer. A send that fails loses that one datagram.
    this.#socket.send(Buffer.from(bytes), port, address, () => undefined);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#live.delete(this);
    try {
      this.#socket.close();
    } catch {
      // Never bound, or already closed.
    }
  }
}

export class NodeUdp implements Udp {
  readonly #live = new Set<NodeUdpSocket>();
  readonly #defaultHost: string;

  constructor(options: { defaultHost?: string } = {}) {
    this.#defaultHost = options.defaultHost ?? "127.0.0.1";
  }

  open(options: UdpOpenOptions, onMessage: UdpListener): UdpSocket {
    const host = options.host ?? this.#defaultHost;
    const socket = createSocket({ type: host.includes(":") ? "udp6" : "udp4", reuseAddr: options.multicast !== undefined });
    let bound = false;
    const ready = new Promise<number>((resolve, reject) => {
      // Kept for the socket's whole life: before binding an error fails the open; after it,
      // one bad datagram must neither stop the service nor the process.
      socket.on("error", (e) => {
        if (!bound) reject(new Error(`UDP port ${options.port ?? 0} on ${host}: ${e.message}`));
      });
      socket.bind(options.port ?? 0, options.multicast ? undefined : host, () => {
        bound = true;
        try {
          if (options.multicast) {
            socket.addMembership(options.multicast, host === "0.0.0.0" ? undefined : host);
            if (host !== "0.0.0.0" && !host.includes(":")) socket.setMulticastInterface(host);
            if (options.ttl !== undefined) socket.setMulticastTTL(options.ttl);
            socket.setMulticastLoopback(true);
          }
        } catch (e) {
          reject(new Error(`could not join ${options.multicast}: ${e instanceof Error ? e.message : String(e)}`));
          return;
        }
        resolve(socket.address().port);
      });
    });
    const handle = new NodeUdpSocket(socket, ready, this.#live);
    // Bound to every address to hear the group, a loopback device must still hear only loopback.
    const loopbackOnly = options.multicast !== undefined && host.startsWith("127.");
    socket.on("message", (message, peer) => {
      if (loopbackOnly && !peer.address.startsWith("127.")) return;
      if (bound) onMessage(new Uint8Array(message.buffer, message.byteOffset, message.byteLength), peer.address, peer.port);
    });
    return handle;
  }

  /** Closes every socket (the simulator's reboot). */
  shutdown(): void {
    for (const socket of [...this.#live]) socket.close();
  }
}
