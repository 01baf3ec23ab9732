/*
 * The simulator's captive-portal DNS over real UDP, queried with Node's own resolver (c-ares,
 * which sends EDNS): every A question answered with the AP address, AAAA answered empty at
 * once, the socket released by close(), a busy port reported through `ready`.
 */

import * as assert from "node:assert/strict";
import { Resolver } from "node:dns/promises";
import { NodeDnsServer } from "../../hosts/node/dns-server";

function resolverFor(port: number): Resolver {
  const resolver = new Resolver({ timeout: 1_000, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
  return resolver;
}

describe("NodeDnsServer", () => {
  const servers: NodeDnsServer[] = [];
  afterEach(() => servers.splice(0).forEach((s) => s.shutdown()));

  function server(port = 0): NodeDnsServer {
    const s = new NodeDnsServer({ port });
    servers.push(s);
    return s;
  }

  it("answers every A question with the access point's address", async () => {
    const asked: string[] = [];
    const service = server().serve((name) => (asked.push(name), "192.168.4.1"), { ttl: 10 });
    const { port, host } = await service.ready;
    assert.equal(host, "127.0.0.1");
    const resolver = resolverFor(port);
    for (const name of ["connectivitycheck.gstatic.com", "captive.apple.com", "www.msftconnecttest.com", "detectportal.firefox.com", "anything.example"]) {
      assert.deepEqual(await resolver.resolve4(name, { ttl: true }), [{ address: "192.168.4.1", ttl: 10 }], name);
    }
    assert.ok(asked.includes("captive.apple.com"));
  });

  it("answers AAAA at once with no record", async () => {
    const service = server().serve(() => "192.168.4.1");
    const { port } = await service.ready;
    const started = Date.now();
    await assert.rejects(resolverFor(port).resolve6("example.com"), (e: NodeJS.ErrnoException) => e.code === "ENODATA");
    assert.ok(Date.now() - started < 900, "no timeout");
  });

  it("releases the port on close(), and a second server on a busy port reports it", async () => {
    const first = server().serve(() => "192.168.4.1");
    const { port } = await first.ready;
    const busy = server(port).serve(() => "192.168.4.1");
    await assert.rejects(busy.ready, /EADDRINUSE/);
    first.close();
    const again = server(port).serve(() => "192.168.4.2");
    await again.ready;
    assert.deepEqual(await resolverFor(port).resolve4("example.com"), ["192.168.4.2"]);
  });
});
