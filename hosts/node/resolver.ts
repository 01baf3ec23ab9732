/*
 * NodeResolver: host names to IPv4 addresses through the computer's resolver (node:dns lookup,
 * as getaddrinfo does), keeping modules/host/resolver.ts.
 */

import { lookup } from "node:dns/promises";
import type { Resolver } from "../../modules/host/resolver";

export class NodeResolver implements Resolver {
  async resolve(name: string): Promise<string> {
    try {
      return (await lookup(name, { family: 4 })).address;
    } catch (e) {
      throw new Error(`${name} does not resolve (${e instanceof Error ? e.message : String(e)})`);
    }
  }
}
