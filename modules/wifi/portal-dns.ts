/*
 * PortalDns: the captive portal's DNS server, over the host's Udp. While it serves, every A
 * question is answered with the access point's address (every name leads to the portal), other
 * questions with an empty NOERROR at once (dns-message.ts has the rules), so a phone that asks
 * for AAAA alongside A does not wait for a timeout before the portal opens.
 *
 * - Port 53 on the device; the simulator moves it (host.servicePorts.dns, --dns-port).
 * - start() opens the socket; its `ready` says which port, or why it could not bind (the
 *   feature logs either). stop() releases the port. A datagram the codec refuses, or that breaks it, gets no answer; a reply that cannot
 *   be sent is lost; neither stops the server.
 */

import type { Udp, UdpSocket } from "../host/udp";
import { dnsReply, type DnsAnswer } from "./dns-message";

export const DNS_PORT = 53;

export class PortalDns {
  #socket: UdpSocket | undefined;

  /** Starts answering; resolves with the bound port. */
  start(udp: Udp, options: { port: number; host?: string; ttl: number; answer: DnsAnswer }): Promise<number> {
    this.stop();
    const socket = udp.open({ port: options.port, host: options.host }, (bytes, address, port) => {
      let reply: Uint8Array | undefined;
      try {
        reply = dnsReply(bytes, options.answer, options.ttl);
      } catch {
        return; // one bad datagram must not take the portal down
      }
      if (!reply || this.#socket !== socket) return;
      try {
        socket.send(reply, address, port);
      } catch {
        // A reply that cannot be sent (a peer on port 0) is lost; the next query is answered.
      }
    });
    this.#socket = socket;
    return socket.ready;
  }

  stop(): void {
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.close();
  }
}
