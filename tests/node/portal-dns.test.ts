/*
 * The captive portal's DNS (modules/wifi/portal-dns.ts) over the simulator's real UDP, queried
 * with Node's own resolver (c-ares, which sends EDNS): every A question answered with the AP
 * address, AAAA answered empty at once, the socket released by stop(), a busy port reported
 * through the start's promise.
 */

import * as assert from "node:assert/strict";
import { Resolver } from "node:dns/promises";
import { NodeUdp } from "../../hosts/node/udp";
import { PortalDns } from "../../modules/wifi/portal-dns";

function resolverFor(port: number): Resolver {
  const resolver = new Resolver({ timeout: 1_000, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
  return resolver;
}

describe("PortalDns over NodeUdp", () => {
  const udp = new NodeUdp();
  const servers: PortalDns[] = [];
  afterEach(() => servers.splice(0).forEach((s) => s.stop()));
  after(() => udp.shutdown());

  function serve(answer: (name: string) => string, options: { port?: number; ttl?: number } = {}): { dns: PortalDns; ready: Promise<number> } {
    const dns = new PortalDns();
    servers.push(dns);
    return { dns, ready: dns.start(udp, { port: options.port ?? 0, ttl: options.ttl ?? 30, answer }) };
  }

  it("answers every A question with the access point's address", async () => {
    const asked: string[] = [];
    const port = await serve((name) => (asked.push(name), "192.168.4.1"), { ttl: 10 }).ready;
    const resolver = resolverFor(port);
    for (const name of ["connectivitycheck.gstatic.com", "captive.apple.com", "www.msftconnecttest.com", "detectportal.firefox.com", "anything.example"]) {
      assert.deepEqual(await resolver.resolve4(name, { ttl: true }), [{ address: "192.168.4.1", ttl: 10 }], name);
    }
    assert.ok(asked.includes("captive.apple.com"));
  });

  it("answers AAAA at once with no record", async () => {
    const port = await serve(() => "192.168.4.1").ready;
    const started = Date.now();
    await assert.rejects(resolverFor(port).resolve6("example.com"), (e: NodeJS.ErrnoException) => e.code === "ENODATA");
    assert.ok(Date.now() - started < 900, "no timeout");
  });

  it("releases the port on stop(), and a second server on a busy port reports it", async () => {
    const first = serve(() => "192.168.4.1");
    const port = await first.ready;
    await assert.rejects(serve(() => "192.168.4.1", { port }).ready, /EADDRINUSE/);
    first.dns.stop();
    const again = await serve(() => "192.168.4.2", { port }).ready;
    assert.equal(again, port);
    assert.deepEqual(await resolverFor(port).resolve4("example.com"), ["192.168.4.2"]);
  });
});
