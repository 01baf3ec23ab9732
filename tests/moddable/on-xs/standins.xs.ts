/*
 * The stand-ins themselves, checked against the SDK behaviour their headers promise, through the
 * SDK-shaped API only (the way the device host uses them): if a stand-in drifts from the SDK,
 * these fail before a host test passes for the wrong reason. Runs on XS.
 */

import { Listener, Socket } from "socket";
import Preference from "preference";
import Timer from "timer";
import Time from "time";
import * as assert from "../../support/assert";
import { machine, nvs, PowerCut, resetDevice, wire, type Peer } from "../standins/control";

type Message = [number, number | undefined];

function listen(port: number): { accepted: Socket[]; messages: Message[][]; listener: Listener } {
  const accepted: Socket[] = [];
  const messages: Message[][] = [];
  const listener = new Listener({ port });
  listener.callback = function () {
    const socket = new Socket({ listener });
    const log: Message[] = [];
    messages.push(log);
    socket.callback = function (message, value) {
      log.push([message, value]);
      if (message === 2) socket.read(ArrayBuffer);
    };
    accepted.push(socket);
  };
  return { accepted, messages, listener };
}

describe("stand-in: socket (lwIP)", () => {
  beforeEach(() => resetDevice());

  it("accepts a dialled connection later, sends 1 to the accepted socket, one data message per pbuf", async () => {
    const s = listen(80);
    const peer: Peer = wire.dial(80, { split: 7 });
    assert.equal(s.accepted.length, 0, "nothing inside dial()");
    peer.send("0123456789abcdefghij");
    await machine.settle();
    assert.equal(s.accepted.length, 1);
    assert.deepEqual(s.messages[0], [[1, undefined], [2, 7], [2, 7], [2, 6]]);
  });

  it("write(): no argument answers the free send buffer; parts go all or nothing", async () => {
    const s = listen(80);
    const peer = wire.dial(80);
    await machine.settle();
    const socket = s.accepted[0];
    assert.equal(socket.write(), 5744);
    assert.throws(() => socket.write(new Uint8Array(5000), "x".repeat(745)), /can't write all data/);
    assert.equal(socket.write(), 5744, "nothing was taken");
    socket.write(new Uint8Array(5000), "é", 65);
    assert.equal(socket.write(), 5744 - 5003);
    await machine.settle();
    assert.equal(peer.bytes().length, 5003);
    assert.deepEqual(Array.from(peer.bytes().subarray(5000)), [0xc3, 0xa9, 65]);
    assert.deepEqual(s.messages[0].at(-1), [3, 5744], "writable once everything was acked");
  });

  it("holds acks while the peer stalls: no writable message until it reads", async () => {
    const s = listen(80);
    const peer = wire.dial(80);
    await machine.settle();
    const socket = s.accepted[0];
    peer.stall();
    socket.write(new Uint8Array(5744));
    await machine.settle();
    assert.equal(socket.write(), 0);
    assert.ok(!s.messages[0].some(([m]) => m === 3));
    peer.resume();
    await machine.settle();
    assert.deepEqual(s.messages[0].at(-1), [3, 5744]);
  });

  it("read only during a data callback; unread bytes are dropped and recorded as a fault", async () => {
    const listener = new Listener({ port: 81 });
    let socket: Socket | undefined;
    listener.callback = () => {
      socket = new Socket({ listener });
      socket.callback = (message) => {
        if (message === 2) assert.equal((socket!.read(ArrayBuffer, 3) as ArrayBuffer).byteLength, 3);
      };
    };
    const peer = wire.dial(81);
    peer.send("hello");
    await machine.settle();
    assert.equal(machine.faults.length, 1);
    assert.match(machine.faults[0], /2 of 5 bytes left unread/);
    assert.throws(() => socket!.read(ArrayBuffer), /nothing to read/);
    assert.equal(socket!.read(), 0);
    machine.faults.length = 0;
  });

  it("the peer's FIN comes as -1 after its data; a reset as -2; close() with unread data resets", async () => {
    const s = listen(80);
    const a = wire.dial(80);
    a.send("bye");
    a.close();
    await machine.settle();
    assert.deepEqual(s.messages[0], [[1, undefined], [2, 3], [-1, undefined]]);
    const b = wire.dial(80);
    await machine.settle();
    b.abort();
    await machine.settle();
    assert.deepEqual(s.messages[1].at(-1), [-2, undefined]);
    assert.equal(s.accepted[1].get("REMOTE_IP"), undefined, "no pcb after a reset");
    // Closing when the first message comes, with the peer's bytes still waiting to be read.
    const closer = new Listener({ port: 83 });
    closer.callback = () => {
      const socket = new Socket({ listener: closer });
      socket.callback = (message) => {
        if (message === 1) socket.close();
      };
    };
    const c = wire.dial(83);
    c.send("unread");
    await machine.settle();
    assert.ok(c.closed && c.reset, "tcp_close with unread data sends a reset");
  });

  it("refuses a fifth waiting connection and more than 8 at once; binds a port once", async () => {
    const listener = new Listener({ port: 82 });
    const peers = [0, 1, 2, 3, 4].map(() => wire.dial(82));
    assert.deepEqual(peers.map((p) => p.reset), [false, false, false, false, true], "accept queue of 4");
    assert.throws(() => new Listener({ port: 82 }), /socket bind/);
    listener.callback = () => void new Socket({ listener });
    await machine.settle();
    const more = [0, 1, 2, 3, 4].map(() => wire.dial(82));
    await machine.settle();
    assert.deepEqual(more.map((p) => p.reset), [false, false, false, false, true], "CONFIG_LWIP_MAX_ACTIVE_TCP 8");
    assert.throws(() => new Socket({ address: "10.0.0.9", port: 80 }), /failed to allocate socket/);
    assert.throws(() => new Socket({ listener }), /no socket avaiable from listener/);
  });

  it("connects out: -2 for nothing there or a name that does not resolve; no network throws", async () => {
    const refused = new Socket({ address: "10.0.0.9", port: 80 });
    const log: number[] = [];
    refused.callback = (m) => void log.push(m);
    const unknown = new Socket({ host: "nowhere.example", port: 80 });
    unknown.callback = (m) => void log.push(m * 10);
    await machine.settle();
    assert.deepEqual(log, [-2, -20]);
    assert.throws(() => new Socket({ address: "300.1.1.1", port: 80 }), /invalid IP address/);
    wire.hosts.set("server.example", "10.0.0.7");
    let served: Peer | undefined;
    wire.serve("10.0.0.7", 8000, (peer) => void (served = peer));
    const out = new Socket({ host: "server.example", port: 8000 });
    const got: number[] = [];
    out.callback = (m) => void got.push(m);
    await machine.settle();
    assert.deepEqual(got, [1]);
    assert.ok(served);
  });

  it("UDP: callback(2, length, address, port), a queue of 6, multicast members only", async () => {
    const socket = new Socket({ kind: "UDP", port: 5353, multicast: "224.0.0.251", ttl: 255 });
    const seen: string[] = [];
    socket.callback = (message: number, length?: number, address?: string, port?: number) => {
      const bytes = new Uint8Array(socket.read(ArrayBuffer) as ArrayBuffer);
      seen.push(`${message} ${length} ${address} ${port} ${bytes[0]}`);
    };
    for (let i = 0; i < 8; i++) wire.sendUdp(new Uint8Array([i, 0, 0]), { port: 5353 }, { address: "192.168.1.9", port: 5353 });
    assert.equal(wire.sendUdp(new Uint8Array([9]), { port: 5353, group: "239.255.255.250" }, { address: "192.168.1.9", port: 1900 }), 0);
    await machine.settle();
    assert.deepEqual(seen, ["2 3 192.168.1.9 5353 2", "2 3 192.168.1.9 5353 3", "2 3 192.168.1.9 5353 4", "2 3 192.168.1.9 5353 5", "2 3 192.168.1.9 5353 6", "2 3 192.168.1.9 5353 7"]);
    socket.write("192.168.1.9", 5353, new Uint8Array([1, 2]));
    assert.deepEqual(Array.from(wire.sent[0].bytes), [1, 2]);
    assert.throws(() => socket.write("nowhere", 1, new Uint8Array(1)), /invalid IP address/);
    assert.throws(() => new Socket({ kind: "UDP", port: 5353 }), /socket bind failed/);
    assert.throws(() => new Socket({ kind: "UDP", port: 1, multicast: "x" }), /invalid multicast IP address/);
  });
});

describe("stand-in: timer and time", () => {
  beforeEach(() => resetDevice());

  it("fires one-shots once, repeats every repeat ms, in the order set; repeat 0 is a one-shot", () => {
    const fired: string[] = [];
    Timer.set(() => void fired.push(`a@${machine.now}`), 10);
    Timer.set(() => void fired.push(`b@${machine.now}`), 10, 0);
    const r = Timer.repeat(() => void fired.push(`r@${machine.now}`), 4);
    assert.deepEqual(fired, [], "never inside the call");
    machine.run(12);
    Timer.clear(r);
    Timer.clear(r);
    machine.run(100);
    assert.deepEqual(fired, ["r@4", "r@8", "a@10", "b@10", "r@12"]);
  });

  it("passes the timer to its callback; a fired one-shot is dead; schedule() needs a live one", () => {
    let got: unknown;
    const t = Timer.set((timer) => void (got = timer), 5);
    machine.run(5);
    assert.equal(got, t);
    Timer.clear(t);
    assert.throws(() => Timer.schedule(t, 5), /invalid/);
    Timer.clear(undefined);
  });

  it("Time.ticks is a signed 32-bit count that wraps", () => {
    resetDevice({ ticksAtBoot: 2 ** 31 - 10 });
    const before = Time.ticks;
    machine.run(20);
    assert.equal(before, 2 ** 31 - 10);
    assert.equal(Time.ticks, -(2 ** 31) + 10);
    assert.equal(Time.delta(before, Time.ticks), 20);
  });
});

describe("stand-in: Preference (NVS)", () => {
  beforeEach(() => resetDevice({ format: true }));

  it("keeps booleans, int32s, strings and ArrayBuffers; refuses floats before touching the key", () => {
    Preference.set("d", "b", true);
    Preference.set("d", "i", -5);
    Preference.set("d", "s", "Küche");
    Preference.set("d", "a", new Uint8Array([1, 2]).buffer);
    assert.equal(Preference.get("d", "b"), true);
    assert.equal(Preference.get("d", "i"), -5);
    assert.equal(Preference.get("d", "s"), "Küche");
    assert.deepEqual(new Uint8Array(Preference.get("d", "a") as ArrayBuffer), new Uint8Array([1, 2]));
    assert.throws(() => Preference.set("d", "i", 1.5), /float unsupported/);
    assert.throws(() => Preference.set("d", "i", 2 ** 31), /float unsupported/);
    assert.equal(Preference.get("d", "i"), -5);
    assert.throws(() => Preference.set("d", "v", new Uint8Array(2) as unknown as ArrayBuffer), /unsupported type/);
  });

  it("erases before it writes: a value NVS refuses, or a power cut, loses the old one", () => {
    Preference.set("d", "k", "old");
    assert.throws(() => Preference.set("d", "k", "x".repeat(4000)), /nvs set fail/);
    assert.equal(Preference.get("d", "k"), undefined, "erased, then refused");
    Preference.set("d", "k", "old");
    nvs.cutAfterErase();
    assert.ok(assert.throws(() => Preference.set("d", "k", "new"), /power cut/) instanceof PowerCut);
    assert.equal(Preference.get("d", "k"), undefined);
  });

  it("names of 15 characters at most; keys listed in write order, a rewritten key last", () => {
    assert.throws(() => Preference.set("a-sixteen-chars!", "k", 1), /nvs_open fail/);
    assert.throws(() => Preference.set("d", "a-sixteen-chars!", 1), /nvs set fail/);
    assert.equal(Preference.get("a-sixteen-chars!", "k"), undefined);
    Preference.set("d", "x", 1);
    Preference.set("d", "y", 2);
    Preference.set("d", "x", 3);
    assert.deepEqual(Preference.keys("d"), ["y", "x"]);
    Preference.delete("d", "never");
    Preference.delete("nowhere", "k");
    assert.deepEqual(Preference.keys("nowhere"), []);
  });

  it("a full partition refuses the write (after the erase)", () => {
    nvs.capacityEntries = 10;
    Preference.set("d", "small", 1);
    assert.throws(() => Preference.set("d", "big", "y".repeat(500)), /nvs set fail/);
    assert.equal(Preference.get("d", "small"), 1);
  });
});
