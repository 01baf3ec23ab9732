/*
 * Resolver: a host name to an IPv4 address, for the core's UDP clients (SNTP) whose servers may
 * be names. Net.resolve on the device, node:dns in the simulator.
 *
 * - resolve(name) settles later, never inside the call: with the address ("a.b.c.d"), or
 *   rejected with an Error naming the name when it does not resolve.
 * - A dotted IPv4 address resolves to itself.
 */

export interface Resolver {
  resolve(name: string): Promise<string>;
}
