/*
 * The Resolver contract: the promises of modules/host/resolver.ts, checked against every host's:
 * NodeResolver (the computer's resolver, names from /etc/hosts only: a test never asks a DNS
 * server outside this machine) and ModdableResolver over the SDK's net stand-in on XS.
 * Engine-neutral: describe/it globals and tests/support/assert.ts only.
 */

import type { Resolver } from "../../modules/host/resolver";
import * as assert from "../support/assert";

export interface ResolverRig {
  readonly resolver: Resolver;
  /** A name the host resolves, and its address. */
  readonly known: { name: string; address: string };
  /** A name that does not resolve, where the host can have one without asking the internet. */
  readonly unknown?: string;
  /** Lets time pass (a stand-in's run loop). */
  wait(ms: number): Promise<void>;
}

export function resolverContract(name: string, makeRig: () => ResolverRig): void {
  describe(`Resolver contract: ${name}`, () => {
    it("an IPv4 address resolves to itself", async () => {
      const rig = makeRig();
      const pending = rig.resolver.resolve("10.20.30.40");
      await rig.wait(10);
      assert.equal(await pending, "10.20.30.40");
    });

    it("a known name resolves to its address, later, never inside the call", async () => {
      const rig = makeRig();
      let settled = false;
      const pending = rig.resolver.resolve(rig.known.name).then((a) => {
        settled = true;
        return a;
      });
      assert.equal(settled, false);
      await rig.wait(20);
      assert.equal(await pending, rig.known.address);
    });

    it("a name that does not resolve rejects with an Error naming it", async function () {
      const rig = makeRig();
      if (rig.unknown === undefined) return;
      const unknown = rig.unknown;
      const pending = rig.resolver.resolve(unknown);
      await rig.wait(20);
      const error = await assert.rejects(pending);
      assert.ok(error.message.includes(unknown), error.message);
    });
  });
}
