/*
 * The Udp contract: the promises of modules/host/udp.ts, checked against every host's Udp:
 * MemoryUdp (the core's tests, on Node and XS), NodeUdp over real loopback sockets
 * (tests/node/udp.test.ts) and ModdableUdp over the SDK socket stand-in on XS
 * (tests/moddable/on-xs/udp.xs.ts). Two sockets of the host under test talk to each other over
 * its loopback, so both ends are that host's.
 * Engine-neutral: describe/it globals and tests/support/assert.ts only.
 */

import type { Udp, UdpSocket } from "../../modules/host/udp";
import * as assert from "../support/assert";

export interface UdpRig {
  readonly udp: Udp;
  /** Two ports to bind (0 where the host picks one and `ready` says which). */
  readonly ports: readonly [number, number];
  /** The address one socket of this host reaches another at ("127.0.0.1"). */
  readonly host: string;
  /** Lets time pass (virtual or real), delivering what is due. */
  wait(ms: number): Promise<void>;
  until(condition: () => boolean, ms: number): Promise<boolean>;
  stop(): Promise<void>;
}

interface Heard {
  bytes: number[];
  address: string;
  port: number;
}

function pattern(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 13 + seed) & 0xff;
  return out;
}

export function udpContract(name: string, makeRig: () => UdpRig): void {
  describe(`Udp contract: ${name}`, () => {
    let rig: UdpRig;
    let opened: UdpSocket[];

    function open(port: number, heard: Heard[] = []): UdpSocket {
      const socket = rig.udp.open({ port, host: rig.host }, (bytes, address, from) => {
        heard.push({ bytes: Array.from(bytes), address, port: from });
      });
      opened.push(socket);
      return socket;
    }

    beforeEach(() => {
      rig = makeRig();
      opened = [];
    });

    afterEach(async () => {
      for (const socket of opened) socket.close();
      await rig.stop();
    });

    it("binds the port asked for, and ready says which", async () => {
      const socket = open(rig.ports[0]);
      const port = await socket.ready;
      assert.ok(Number.isInteger(port) && port > 0, `bound port ${port}`);
      if (rig.ports[0] !== 0) assert.equal(port, rig.ports[0]);
    });

    it("delivers each datagram whole and in order, later, with the sender's address and port", async () => {
      const heard: Heard[] = [];
      const a = open(rig.ports[0], heard);
      const b = open(rig.ports[1]);
      const [pa, pb] = [await a.ready, await b.ready];
      const sizes = [1, 300, 1400];
      for (let i = 0; i < sizes.length; i++) b.send(pattern(sizes[i], i), rig.host, pa);
      assert.equal(heard.length, 0, "nothing from inside send()");
      assert.ok(await rig.until(() => heard.length === sizes.length, 3000), "every datagram arrived");
      for (let i = 0; i < sizes.length; i++) {
        assert.deepEqual(heard[i].bytes, Array.from(pattern(sizes[i], i)), `datagram ${i} whole`);
        assert.equal(heard[i].port, pb, "the sender's port");
        assert.ok(heard[i].address.length > 0, "the sender's address");
      }
    });

    it("copies what it sends: the caller may reuse its buffer at once", async () => {
      const heard: Heard[] = [];
      const a = open(rig.ports[0], heard);
      const b = open(rig.ports[1]);
      const pa = await a.ready;
      await b.ready;
      const buffer = pattern(64, 9);
      b.send(buffer, rig.host, pa);
      buffer.fill(0);
      assert.ok(await rig.until(() => heard.length === 1, 3000));
      assert.deepEqual(heard[0].bytes, Array.from(pattern(64, 9)));
    });

    it("refuses a port that is taken: ready rejects", async () => {
      const a = open(rig.ports[0]);
      const port = await a.ready;
      await assert.rejects(open(port).ready);
    });

    it("close() releases the port, delivers nothing more, and is harmless twice; sending to it never throws", async () => {
      const heard: Heard[] = [];
      const a = open(rig.ports[0], heard);
      const b = open(rig.ports[1]);
      const pa = await a.ready;
      await b.ready;
      a.close();
      a.close();
      b.send(pattern(10, 1), rig.host, pa);
      await rig.wait(100);
      assert.equal(heard.length, 0, "nothing after close()");
      const again: Heard[] = [];
      const reopened = open(pa, again);
      assert.equal(await reopened.ready, pa, "the port is free again");
      b.send(pattern(10, 2), rig.host, pa);
      assert.ok(await rig.until(() => again.length === 1, 3000));
    });
  });
}
