/*
 * MemoryUdp: a Udp that never opens a socket, for the core's tests on any engine. Sockets bind
 * ports of one in-memory network; a test sends a datagram to a bound port with deliver() and
 * reads what the socket sent back. Binding a port twice fails the second `ready`, as a real
 * stack does. A datagram one socket sends to LOOPBACK ("127.0.0.1") reaches the socket bound to
 * that port a promise turn later, copied, as from 127.0.0.1 (the Udp contract's two sockets).
 */

import type { Udp, UdpListener, UdpOpenOptions, UdpSocket } from "../../modules/host/udp";

export interface SentDatagram {
  readonly bytes: Uint8Array;
  readonly address: string;
  readonly port: number;
}

interface Bound {
  readonly listener: UdpListener;
  readonly sent: SentDatagram[];
}

export const LOOPBACK = "127.0.0.1";

export class MemoryUdp implements Udp {
  readonly #bound = new Map<number, Bound>();
  #next = 50000;
  /** Sockets opened, and closed, so far, by port. */
  readonly opened: number[] = [];
  readonly closed: number[] = [];

  open(options: UdpOpenOptions, onMessage: UdpListener): UdpSocket {
    const port = options.port || this.#next++;
    const taken = this.#bound.has(port);
    const entry: Bound = { listener: onMessage, sent: [] };
    if (!taken) this.#bound.set(port, entry);
    this.opened.push(port);
    let open = !taken;
    const ready = taken ? Promise.reject(new Error(`UDP port ${port} is in use`)) : Promise.resolve(port);
    ready.catch(() => undefined);
    return {
      ready,
      send: (bytes, address, to) => {
        if (!open) return;
        const copy = bytes.slice();
        entry.sent.push({ bytes: copy, address, port: to });
        if (address === LOOPBACK)
          void Promise.resolve().then(() => this.#bound.get(to)?.listener(copy.slice(), LOOPBACK, port));
      },
      close: () => {
        if (!open) return;
        open = false;
        this.#bound.delete(port);
        this.closed.push(port);
      },
    };
  }

  /** Every datagram the socket bound on `port` has sent so far (answers sent later, after a delay). */
  sentFrom(port: number): readonly SentDatagram[] {
    return this.#bound.get(port)?.sent ?? [];
  }

  /** True while a socket is bound to port. */
  isBound(port: number): boolean {
    return this.#bound.has(port);
  }

  /** Sends a datagram to the socket bound on `port`; returns what it sent back to the sender. */
  deliver(port: number, bytes: Uint8Array, from = { address: "192.168.4.2", port: 5353 }): SentDatagram[] {
    const bound = this.#bound.get(port);
    if (!bound) throw new Error(`nothing listens on UDP port ${port}`);
    const before = bound.sent.length;
    bound.listener(bytes, from.address, from.port);
    return bound.sent.slice(before).filter((d) => d.address === from.address && d.port === from.port);
  }
}
