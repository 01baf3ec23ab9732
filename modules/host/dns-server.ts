/*
 * DnsServer: the captive portal's DNS (a UDP socket on port 53 on the device, a real DNS server
 * on its own loopback port in the simulator).
 *
 * While it serves, every A question is answered with the address answer() returns for the name
 * (the access point's address: every name leads to the portal). Other question types get an
 * empty NOERROR answer at once, so a phone asking for AAAA does not wait for a timeout before
 * it asks for A. Where it listens is the host's business (port 53 on the device).
 * Both hosts build their answers with modules/wifi/dns-message.ts.
 */

/** The IPv4 address to answer for a name, or undefined to answer with no address. */
export type DnsAnswer = (name: string) => string | undefined;

export interface DnsServeOptions {
  /** Seconds a client may cache an answer. */
  ttl?: number;
}

export interface DnsService {
  /** Resolves with the bound address once the server answers queries. */
  readonly ready: Promise<{ host: string; port: number }>;
  close(): void;
}

export interface DnsServer {
  serve(answer: DnsAnswer, options?: DnsServeOptions): DnsService;
}
