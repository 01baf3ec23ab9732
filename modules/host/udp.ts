/*
 * Udp: datagram sockets for the core's UDP protocols (the captive portal's DNS; later SNTP, mDNS,
 * SSDP). Moddable's socket with kind "UDP" on the device, node:dgram in the simulator.
 *
 * Promises every implementation keeps (tests/contract/udp-contract.ts checks them):
 * - open() returns at once; `ready` resolves with the bound port, or rejects when the socket
 *   cannot be bound (the port taken, no network) and the socket is then closed.
 * - Each datagram that arrives is delivered later, whole, to onMessage with the sender's address
 *   and port. The bytes are valid only during the call.
 * - send() queues one datagram and never throws for a peer that is gone; it throws for an
 *   address it cannot use.
 * - close() releases the port; nothing is delivered after it. Closing twice is harmless.
 */

export interface UdpOpenOptions {
  /** Local port; 0 or absent picks a free one (the device's socket cannot say which: its ready is 0). */
  port?: number;
  /** Address to bind; the device binds every interface and ignores it. */
  host?: string;
  /** A multicast group to join (mDNS, SSDP), on the interface the host serves. */
  multicast?: string;
  /** Time to live of multicast datagrams sent. */
  ttl?: number;
}

export type UdpListener = (bytes: Uint8Array, address: string, port: number) => void;

export interface UdpSocket {
  /** Resolves with the bound port; rejects when binding failed. */
  readonly ready: Promise<number>;
  send(bytes: Uint8Array, address: string, port: number): void;
  close(): void;
}

export interface Udp {
  open(options: UdpOpenOptions, onMessage: UdpListener): UdpSocket;
}
