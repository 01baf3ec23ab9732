/*
 * ModdableResolver: host names to IPv4 addresses over Net.resolve (lwIP's DNS client on ESP32),
 * keeping modules/host/resolver.ts: the callback comes later with the address, or with none
 * when the name does not resolve; an address resolves to itself without asking.
 */

import Net from "net";
import type { Resolver } from "../../modules/host/resolver";
import { ipv4Bytes } from "../../modules/dns/dns-packet";

type NetResolve = (name: string, callback: (name: string, address?: string) => void) => void;

export class ModdableResolver implements Resolver {
  resolve(name: string): Promise<string> {
    if (ipv4Bytes(name)) return Promise.resolve(name);
    return new Promise((resolve, reject) => {
      try {
        (Net as unknown as { resolve: NetResolve }).resolve(name, (_name, address) => {
          if (address) resolve(address);
          else reject(new Error(`${name} does not resolve`));
        });
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  }
}
