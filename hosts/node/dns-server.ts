/*
 * NodeDnsServer: the simulator's captive-portal DNS, a real DNS server over node:dgram on its
 * own UDP port (--dns-port; loopback by default, since port 53 needs privileges and belongs to
 * the machine's resolver). While served it answers every A question with the simulated access
 * point's address, with the same bytes as the device (modules/wifi/dns-message.ts):
 *
 *   dig @127.0.0.1 -p 8053 connectivitycheck.gstatic.com    ->  192.168.4.1
 *
 * Each serve() binds a socket and close() releases it; shutdown() closes every one (the
 * simulator's reboot). A port already in use rejects `ready` (the feature logs it).
 */

import { createSocket, type Socket } from "node:dgram";
import type { DnsAnswer, DnsServeOptions, DnsServer, DnsService } from "../../modules/host/dns-server";
import { dnsReply } from "../../modules/wifi/dns-message";

export interface NodeDnsServerOptions {
  /** UDP port; 0 picks a free one (ready says which). */
  port: number;
  /** Address to bind, 127.0.0.1 by default. */
  host?: string;
}

export class NodeDnsServer implements DnsServer {
  readonly #port: number;
  readonly #host: string;
  readonly #sockets = new Set<Socket>();

  constructor(options: NodeDnsServerOptions) {
    this.#port = options.port;
    this.#host = options.host ?? "127.0.0.1";
  }

  serve(answer: DnsAnswer, options: DnsServeOptions = {}): DnsService {
    const ttl = options.ttl ?? 30;
    const socket = createSocket({ type: this.#host.includes(":") ? "udp6" : "udp4" });
    this.#sockets.add(socket);
    let closed = false;
    socket.on("message", (message, peer) => {
      let reply: Uint8Array | undefined;
      try {
        reply = dnsReply(new Uint8Array(message.buffer, message.byteOffset, message.byteLength), answer, ttl);
      } catch {
        reply = undefined; // a datagram that breaks the parser gets no answer, never a crash
      }
      if (!reply || closed) return;
      try {
        // A send that fails (a peer on port 0, the socket going away) loses that one answer.
        socket.send(reply, peer.port, peer.address, () => undefined);
      } catch {
        // as above
      }
    });
    let bound = false;
    const ready = new Promise<{ host: string; port: number }>((resolve, reject) => {
      // Kept for the socket's whole life: before binding an error fails the start; after it,
      // one bad datagram must neither stop the portal's DNS nor, a second time, the process.
      socket.on("error", (e) => {
        if (bound) return;
        close();
        reject(e);
      });
      socket.bind(this.#port, this.#host, () => {
        bound = true;
        const address = socket.address();
        resolve({ host: address.address, port: address.port });
      });
    });
    // A rejected ready that nobody awaits must not take the simulator down.
    ready.catch(() => undefined);
    const close = (): void => {
      if (closed) return;
      closed = true;
      this.#sockets.delete(socket);
      try {
        socket.close();
      } catch {
        // already closed (bind failed)
      }
    };
    return { ready, close };
  }

  /** Closes every socket this server opened. */
  shutdown(): void {
    for (const socket of Array.from(this.#sockets)) {
      this.#sockets.delete(socket);
      try {
        socket.close();
      } catch {
        // already closed
      }
    }
  }
}
