/*
 * SocketDnsServer: the device's captive-portal DNS, a UDP socket (Moddable's `socket`) on port
 * 53 that answers with modules/wifi/dns-message.ts, the same bytes as the simulator.
 *
 * Why not the SDK's `dns/server` (modules/network/dns/dnsserver.js): it copies the whole query
 * into its reply and appends the answer, so a query carrying an EDNS OPT record (systemd-resolved,
 * dig, many stub resolvers) gets the OPT record where the answer should be; and it leaves every
 * non-A question unanswered, so a client that asks for AAAA alongside A waits for its timeout
 * before the portal can open. The core's codec answers both properly; only the socket is native.
 *
 * serve() binds at once (lwIP binds synchronously); a bind failure throws, and the feature logs
 * it. close() releases the port. A datagram the codec refuses gets no answer.
 */

import { Socket } from "socket";
import type { DnsAnswer, DnsServeOptions, DnsServer, DnsService } from "../../modules/host/dns-server";
import { dnsReply } from "../../modules/wifi/dns-message";

/** Socket's UDP side as it behaves at run time: the callback also gets the sender's address. */
interface UdpSocket {
  callback: (message: number, value: number, address: string, port: number) => void;
  read(type: typeof ArrayBuffer, until?: number): ArrayBuffer;
  write(address: string, port: number, data: ArrayBuffer): void;
  close(): void;
}

/** Socket message: a datagram arrived (value is its length). */
const DATA_RECEIVED = 2;

export class SocketDnsServer implements DnsServer {
  readonly #port: number;

  constructor(options: { port?: number } = {}) {
    this.#port = options.port ?? 53;
  }

  serve(answer: DnsAnswer, options: DnsServeOptions = {}): DnsService {
    const ttl = options.ttl ?? 30;
    const socket = new Socket({ kind: "UDP", port: this.#port }) as unknown as UdpSocket;
    let open = true;
    socket.callback = (message, value, address, port) => {
      if (message !== DATA_RECEIVED || !open) return;
      try {
        const reply = dnsReply(new Uint8Array(socket.read(ArrayBuffer, value)), answer, ttl);
        // The codec returns a fresh array of exactly the reply, so its buffer is the reply.
        if (reply) socket.write(address, port, reply.buffer as ArrayBuffer);
      } catch {
        // One bad datagram (or a full send queue) must not take the portal down.
      }
    };
    return {
      ready: Promise.resolve({ host: "0.0.0.0", port: this.#port }),
      close(): void {
        if (!open) return;
        open = false;
        socket.close();
      },
    };
  }
}
