/*
 * The Tcp contract: the promises of modules/host/tcp.ts, checked against every host's Tcp:
 * MemoryTcp (the core's tests, on Node and XS), NodeTcp over real loopback sockets
 * (tests/node/tcp.test.ts) and ModdableTcp over the SDK socket stand-in on XS
 * (tests/moddable/on-xs/tcp.xs.ts). Each test listens and connects on the Tcp under test, so
 * both ends are that host's: a server connection and a client connection.
 * Engine-neutral: describe/it globals and tests/support/assert.ts only.
 */

import type { Tcp, TcpClientEvents, TcpConnection, TcpEvents } from "../../modules/host/tcp";
import * as assert from "../support/assert";

export interface TcpRig {
  readonly tcp: Tcp;
  /** Where the client connects: the host the listener serves ("127.0.0.1"). */
  readonly host: string;
  /** The port to listen on (0 where the host picks one and `ready` says which). */
  readonly port: number;
  /** Lets time pass (virtual or real), delivering what is due. */
  wait(ms: number): Promise<void>;
  /** Waits until condition() holds, for at most ms; false if it never did. */
  until(condition: () => boolean, ms: number): Promise<boolean>;
  /** Releases everything the test left open. */
  stop(): Promise<void>;
}

interface Recorded {
  bytes: number[];
  events: string[];
  errors: (string | undefined)[];
}

function recorder(): Recorded & TcpClientEvents {
  const r: Recorded = { bytes: [], events: [], errors: [] };
  return Object.assign(r, {
    connected: () => void r.events.push("connected"),
    data: (bytes: Uint8Array) => {
      for (let i = 0; i < bytes.length; i++) r.bytes.push(bytes[i]);
      if (r.events.at(-1) !== "data") r.events.push("data");
    },
    writable: () => void r.events.push("writable"),
    closed: (error?: string) => {
      r.events.push("closed");
      r.errors.push(error);
    },
  });
}

function pattern(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff;
  return out;
}

export function tcpContract(name: string, makeRig: () => TcpRig): void {
  describe(`Tcp contract: ${name}`, () => {
    let rig: TcpRig;
    let inCall = false;
    const during: string[] = [];

    /** Runs f as "the call": an event delivered meanwhile breaks the first promise. */
    function call<T>(what: string, f: () => T): T {
      inCall = true;
      try {
        return f();
      } finally {
        inCall = false;
        void what;
      }
    }

    function watched(events: Recorded & TcpClientEvents, who: string): Recorded & TcpClientEvents {
      const guard = <A extends unknown[]>(event: string, f: (...args: A) => void) => (...args: A) => {
        if (inCall) during.push(`${who} ${event}`);
        f(...args);
      };
      return Object.assign(events, {
        connected: guard("connected", events.connected),
        data: guard("data", events.data),
        writable: guard("writable", events.writable),
        closed: guard("closed", events.closed),
      });
    }

    /** A listener and one connection to it: the server's end, recorded, and the client's. */
    async function pair(): Promise<{ server: TcpConnection; serverSide: Recorded; client: TcpConnection; clientSide: Recorded; close(): void }> {
      const accepted: TcpConnection[] = [];
      const serverSide = watched(recorder(), "server");
      const listener = rig.tcp.listen({ port: rig.port, host: rig.host }, (connection) => {
        connection.listen(serverSide);
        accepted.push(connection);
      });
      const { port } = await listener.ready;
      const clientSide = watched(recorder(), "client");
      const client = call("connect", () => rig.tcp.connect({ host: rig.host, port }, clientSide));
      assert.ok(await rig.until(() => accepted.length === 1 && clientSide.events.includes("connected"), 3000), "connected and accepted");
      return { server: accepted[0], serverSide, client, clientSide, close: () => listener.close() };
    }

    /** Writes bytes in pieces of `step`, waiting for room whenever the connection has none. */
    async function send(connection: TcpConnection, bytes: Uint8Array, step: number): Promise<void> {
      for (let at = 0; at < bytes.length; ) {
        const room = connection.writable();
        if (room === 0) {
          assert.ok(await rig.until(() => connection.writable() > 0, 3000), "room to write again");
          continue;
        }
        const n = Math.min(step, room, bytes.length - at);
        call("write", () => connection.write(bytes.subarray(at, at + n)));
        at += n;
      }
    }

    beforeEach(() => {
      rig = makeRig();
      during.length = 0;
    });

    afterEach(async () => {
      await rig.stop();
      assert.deepEqual(during, [], "no event was delivered from inside a call");
    });

    it("accepts a connection, says who the peer is, and reports connected later, never inside connect()", async () => {
      const p = await pair();
      assert.equal(typeof p.server.remoteAddress, "string");
      assert.deepEqual(p.clientSide.events, ["connected"]);
      assert.deepEqual(p.serverSide.events, [], "nothing happened on the server's end yet");
      p.client.close();
      p.server.close();
      p.close();
    });

    it("delivers bytes in order, whatever the pieces they were written in, both ways", async () => {
      const p = await pair();
      for (const [step, seed] of [[1, 1], [7, 2], [1460, 3]]) {
        const up = pattern(step === 1 ? 300 : 3000, seed);
        const down = pattern(step === 1 ? 300 : 7000, seed + 10);
        p.serverSide.bytes.length = 0;
        p.clientSide.bytes.length = 0;
        await send(p.client, up, step);
        await send(p.server, down, step);
        assert.ok(await rig.until(() => p.serverSide.bytes.length >= up.length && p.clientSide.bytes.length >= down.length, 5000), `all bytes arrived (pieces of ${step})`);
        assert.deepEqual(Uint8Array.from(p.serverSide.bytes), up, `client to server in pieces of ${step}`);
        assert.deepEqual(Uint8Array.from(p.clientSide.bytes), down, `server to client in pieces of ${step}`);
      }
      p.client.close();
      p.server.close();
      p.close();
    });

    it("copies what it writes: the caller may reuse its buffer at once", async () => {
      const p = await pair();
      const buffer = pattern(1000, 5);
      const expected = buffer.slice();
      call("write", () => p.server.write(buffer.subarray(0, 400), buffer.subarray(400)));
      buffer.fill(0xee);
      assert.ok(await rig.until(() => p.clientSide.bytes.length >= 1000, 3000));
      assert.deepEqual(Uint8Array.from(p.clientSide.bytes), expected);
      p.client.close();
      p.server.close();
      p.close();
    });

    it("takes at most writable() bytes: more throws and sends nothing; room frees and 'writable' follows", async () => {
      const p = await pair();
      const room = p.server.writable();
      assert.ok(room > 0, `a fresh connection takes bytes (writable() = ${room})`);
      assert.throws(() => p.server.write(new Uint8Array(room + 1)));
      assert.throws(() => p.server.write(new Uint8Array(room), new Uint8Array(1)), undefined, "the chunks together count");
      call("write", () => p.server.write(pattern(room, 9)));
      assert.ok(p.server.writable() < room, "the buffer holds what was written");
      assert.ok(await rig.until(() => p.serverSide.events.includes("writable"), 3000), "'writable' once the bytes left");
      assert.ok(p.server.writable() > 0, "room again");
      assert.ok(await rig.until(() => p.clientSide.bytes.length >= room, 3000));
      assert.equal(p.clientSide.bytes.length, room, "exactly what was taken arrived");
      p.client.close();
      p.server.close();
      p.close();
    });

    it("reports the peer's close once, after the data before it; close() itself is silent", async () => {
      const p = await pair();
      call("write", () => p.client.write(pattern(500, 4)));
      call("close", () => p.client.close());
      assert.ok(await rig.until(() => p.serverSide.events.includes("closed"), 3000), "the server saw the close");
      await rig.wait(50);
      assert.deepEqual(p.serverSide.events, ["data", "closed"]);
      assert.equal(p.serverSide.bytes.length, 500, "the data came first, whole");
      assert.equal(p.serverSide.errors[0], undefined, "a clean close carries no error");
      assert.ok(!p.clientSide.events.includes("closed"), "no closed() for the side that closed");
      assert.throws(() => p.client.write(new Uint8Array(1)), undefined, "writing after close() throws");
      assert.throws(() => p.server.write(new Uint8Array(1)), undefined, "writing after closed() throws");
      p.server.close();
      p.server.close();
      p.close();
    });

    it("sends what was written before close(), then ends the connection", async () => {
      const p = await pair();
      const answer = pattern(4000, 6);
      call("write", () => p.server.write(answer));
      call("close", () => p.server.close());
      assert.ok(await rig.until(() => p.clientSide.events.includes("closed"), 3000));
      assert.deepEqual(Uint8Array.from(p.clientSide.bytes), answer);
      assert.equal(p.server.writable(), 0, "nothing more is taken");
      await rig.wait(50);
      assert.ok(!p.serverSide.events.includes("closed"), "close() is silent");
      p.client.close();
      p.close();
    });

    it("abort(): what was written still arrives, the peer sees the end, and abort() is silent", async () => {
      const p = await pair();
      call("write", () => p.server.write(pattern(100, 7)));
      call("abort", () => p.server.abort());
      assert.ok(await rig.until(() => p.clientSide.events.includes("closed"), 3000), "the peer saw the end");
      assert.equal(p.clientSide.bytes.length, 100);
      await rig.wait(50);
      assert.ok(!p.serverSide.events.includes("closed"), "abort() is silent");
      p.server.abort();
      p.client.close();
      p.close();
    });

    it("a connection nobody accepts ends with closed(error) and never connected()", async () => {
      const listener = rig.tcp.listen({ port: rig.port, host: rig.host }, () => undefined);
      const { port } = await listener.ready;
      listener.close();
      const events = watched(recorder(), "client");
      call("connect", () => rig.tcp.connect({ host: rig.host, port }, events));
      assert.ok(await rig.until(() => events.events.includes("closed"), 5000), "the failure is reported");
      assert.deepEqual(events.events, ["closed"]);
      assert.equal(typeof events.errors[0], "string", "with words saying why");
    });

    it("refuses a second listener on a port that is taken", async () => {
      const first = rig.tcp.listen({ port: rig.port, host: rig.host }, () => undefined);
      const { port } = await first.ready;
      const second = rig.tcp.listen({ port, host: rig.host }, () => undefined);
      await assert.rejects(second.ready);
      first.close();
    });
  });
}
