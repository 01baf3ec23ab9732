/*
 * The Moddable `dns/server` module (modules/network/dns/dnsserver.js, SDK 8.2.3) as it behaves at
 * run time. Map it yourself in the manifest ("dns/server": "$(MODULES)/network/dns/dnsserver");
 * the SDK has no manifest for it. A module-form file: the device's DNS server casts the SDK's
 * class to DnsServerClass once.
 *
 * Corrections over typings/dns/server.d.ts: the constructor takes a second argument
 * {port (default 53), ttl (seconds, default 60)}, and the callback may answer undefined (no
 * reply). The server answers A questions only: any other type is ignored, unanswered. It is a
 * UDP Socket subclass; close() releases it.
 */

/** message is 1 (resolve); return the IPv4 address for name, or undefined to stay silent. */
export type DnsServerCallback = (message: number, name: string) => string | undefined;

export interface DnsServerInstance {
  close(): void;
}

export interface DnsServerClass {
  new (callback: DnsServerCallback, options?: { port?: number; ttl?: number }): DnsServerInstance;
  readonly resolve: 1;
}
