/* The Tcp contract against the simulator's NodeTcp, over real loopback sockets and real time; and how its close() lets a socket go. */

import { connect, type Socket } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { NodeTcp, SEND_BUFFER } from "../../hosts/node/tcp";
import type { TcpConnection } from "../../modules/host/tcp";
import * as assert from "../support/assert";
import { tcpContract } from "../contract/tcp-contract";

tcpContract("NodeTcp over loopback", () => {
  const tcp = new NodeTcp();
  return {
    tcp,
    host: "127.0.0.1",
    port: 0,
    wait: (ms) => delay(ms),
    async until(condition, ms) {
      const deadline = Date.now() + ms;
      while (!condition()) {
        if (Date.now() > deadline) return false;
        await delay(5);
      }
      return true;
    },
    async stop() {
      tcp.shutdown();
    },
  };
});

describe("NodeTcp: close() lets the socket go", () => {
  it("once its FIN is with the kernel, and within a few seconds when the peer stopped reading", async function () {
    this.timeout(15_000);
    const tcp = new NodeTcp();
    const accepted: TcpConnection[] = [];
    const listener = tcp.listen({ port: 0, host: "127.0.0.1" }, (c) => {
      c.listen({ data: () => undefined, writable: () => undefined, closed: () => undefined });
      accepted.push(c);
    });
    const { port } = await listener.ready;
    const socketOf = (c: TcpConnection): Socket => (c as unknown as { socket: Socket }).socket;
    try {
      // A peer that reads: the socket is gone as soon as the answer and the FIN are out.
      const reader = connect(port, "127.0.0.1");
      reader.resume();
      await until(() => accepted.length === 1);
      accepted[0].write(new Uint8Array(100));
      accepted[0].close();
      assert.ok(await until(() => socketOf(accepted[0]).destroyed, 1000), "destroyed once its FIN was out");
      reader.destroy();

      // A peer that stopped reading: what is written never all reaches the kernel, and 'finish' never comes.
      const staller = connect(port, "127.0.0.1");
      staller.pause();
      await until(() => accepted.length === 2);
      const stalled = accepted[1];
      const chunk = new Uint8Array(SEND_BUFFER);
      // Written until the kernel's buffers on both sides are full and Node has held bytes for a second.
      for (let held = 0; held < 100; ) {
        const room = stalled.writable();
        if (room > 0) stalled.write(chunk.subarray(0, room));
        held = socketOf(stalled).writableLength > 0 && room === 0 ? held + 1 : 0;
        await delay(room > 0 ? 0 : 10);
      }
      stalled.close();
      await delay(500);
      assert.equal(socketOf(stalled).destroyed, false, "still trying to send at first");
      assert.ok(await until(() => socketOf(stalled).destroyed, 5000), "destroyed within a few seconds all the same");
      staller.destroy();
    } finally {
      listener.close();
      tcp.shutdown();
    }
  });
});

async function until(condition: () => boolean, ms = 2000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await delay(5);
  }
  return true;
}
