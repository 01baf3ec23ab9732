/*
 * The Udp contract against the device host's ModdableUdp (hosts/moddable/udp.ts) over the SDK
 * socket stand-in's UDP, on XS. The device binds fixed ports: lwIP picks a port for port 0
 * but the SDK's socket cannot say which, so ModdableUdp's ready would answer 0 there.
 */

import { joinGroup } from "hosts/moddable/platform";
import { ModdableUdp } from "hosts/moddable/udp";
import { udpContract } from "../../contract/udp-contract";
import * as assert from "../../support/assert";
import { assertQuiet, ffi, machine, resetDevice, wire } from "../standins/control";

udpContract("ModdableUdp over the SDK socket stand-in", () => {
  resetDevice();
  return {
    udp: new ModdableUdp(),
    ports: [5300, 5301],
    host: "127.0.0.1",
    wait: (ms) => machine.advance(ms),
    until: (condition, ms) => machine.until(condition, ms),
    async stop() {
      await machine.advance(100);
      assertQuiet();
    },
  };
});

describe("ModdableUdp: multicast groups", () => {
  const GROUP = "239.255.255.250";
  const from = { address: "192.168.1.30", port: 50000 };
  const datagram = new Uint8Array([1, 2, 3]);

  it("with the esp32 join (native/multicast.c): hears the group while open, leaves it on close", async () => {
    resetDevice();
    const heard: string[] = [];
    const socket = new ModdableUdp({ joinGroup }).open({ port: 1900, multicast: GROUP, ttl: 2 }, (bytes, address) => heard.push(`${address} ${bytes.length}`));
    assert.equal(await socket.ready, 1900);
    assert.equal(ffi.calls.get("multicast_join"), 1);
    assert.equal(wire.sendUdp(datagram, { port: 1900, group: GROUP }, from), 1);
    assert.equal(wire.sendUdp(datagram, { port: 1900, group: "239.1.2.3" }, from), 0, "another group is not heard");
    await machine.advance(10);
    assert.deepEqual(heard, ["192.168.1.30 3"]);
    socket.close();
    assert.equal(wire.joined.size, 0, "left");
    assert.equal(wire.sendUdp(datagram, { port: 1900, group: GROUP }, from), 0);
  });

  it("refuses a group that is no multicast address, and joins none when multicast is off", async () => {
    resetDevice();
    const bad = new ModdableUdp({ joinGroup }).open({ port: 1901, multicast: "10.0.0.1" }, () => undefined);
    await assert.rejects(bad.ready, /no IPv4 multicast address/);
    assert.ok(!wire.udpSockets.size, "the port is released");
    const heard: number[] = [];
    const quiet = new ModdableUdp({ joinGroup, multicast: false }).open({ port: 1900, multicast: GROUP }, (bytes) => heard.push(bytes.length));
    await quiet.ready;
    assert.equal(wire.joined.size, 0);
    assert.equal(wire.sendUdp(datagram, { port: 1900, group: GROUP }, from), 0, "the group is not heard");
    assert.equal(wire.sendUdp(datagram, { port: 1900 }, from), 1, "unicast is");
    quiet.close();
  });
});
