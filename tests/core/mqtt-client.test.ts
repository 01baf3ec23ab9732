/*
 * MqttClient over MemoryTcp against a scripted broker (tests/support/memory-broker.ts): the bytes
 * of CONNECT, refusals in plain words, keep-alive and a silent broker, packets larger than the
 * device takes (skipped and acknowledged, the connection kept), a drop in the middle of a packet,
 * malformed packets, back-pressure, and the packet reader fed a byte at a time. Runs on Node and XS.
 */

import { MqttClient, type MqttClientHandler, type MqttClientOptions } from "../../modules/mqtt/mqtt-client";
import { encodeConnect, MqttPacketReader } from "../../modules/mqtt/mqtt-packet";
import { utf8Decode, utf8Encode } from "../../modules/text/utf8";
import * as assert from "../support/assert";
import { MemoryBroker, publishPacket } from "../support/memory-broker";
import { MemoryTcp, settle } from "../support/memory-tcp";
import { VirtualClock } from "../support/virtual-clock";

interface Recorder extends MqttClientHandler {
  events: string[];
  messages: { topic: string; payload: string; retained: boolean }[];
}

function recorder(): Recorder {
  const events: string[] = [];
  const messages: { topic: string; payload: string; retained: boolean }[] = [];
  return {
    events,
    messages,
    connected: () => void events.push("connected"),
    message: (topic, payload, retained) => void messages.push({ topic, payload: utf8Decode(payload), retained }),
    drained: () => void events.push("drained"),
    oversized: (type, length, topic) => void events.push(`oversized ${type} ${length} ${topic ?? "-"}`),
    closed: (error) => void events.push(`closed: ${error}`),
  };
}

function setup(options: Partial<MqttClientOptions> = {}): { tcp: MemoryTcp; clock: VirtualClock; broker: MemoryBroker; handler: Recorder; client: MqttClient } {
  const tcp = new MemoryTcp();
  const clock = new VirtualClock();
  const broker = new MemoryBroker(tcp);
  const handler = recorder();
  const client = new MqttClient({ tcp, clock, host: "broker", port: 1883, clientId: "iot-1", keepAliveSeconds: 60, ...options }, handler);
  return { tcp, clock, broker, handler, client };
}

describe("MQTT client", () => {
  it("writes CONNECT as MQTT 3.1.1 lays it out: clean session, will, user, password, keep-alive", () => {
    const bytes = encodeConnect({ clientId: "id", keepAliveSeconds: 30, username: "u", password: "p", will: { topic: "t/s", payload: "off", retain: true, qos: 1 } }, utf8Encode);
    const expected = [0x10, 30, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 0xee, 0, 30, 0, 2, 0x69, 0x64, 0, 3, 0x74, 0x2f, 0x73, 0, 3, 0x6f, 0x66, 0x66, 0, 1, 0x75, 0, 1, 0x70];
    assert.deepEqual([...bytes], expected);
  });

  it("connects, subscribes and publishes; the broker reads what the client meant", async () => {
    const { broker, handler, client } = setup({ username: "dev", password: "pw", will: { topic: "d/status", payload: "offline", retain: true, qos: 1 } });
    await settle();
    assert.deepEqual(handler.events, ["connected"]);
    assert.deepEqual(broker.connects[0], { clientId: "iot-1", username: "dev", password: "pw", keepAlive: 60, cleanSession: true, will: { topic: "d/status", payload: "offline", retain: true, qos: 1 } });
    assert.equal(client.subscribe(["d/set/+"], 1), true);
    assert.equal(client.publish("d/data/Küche", "21.5 °C", true), true);
    await settle();
    assert.deepEqual(broker.subscriptions, [{ filters: ["d/set/+"], qos: [1] }]);
    assert.deepEqual(broker.published, [{ topic: "d/data/Küche", payload: "21.5 °C", retain: true, qos: 0 }]);
  });

  it("says in plain words why the broker refused, once, and sends nothing more", async () => {
    const { broker, handler, client } = setup();
    broker.connackCode = 4;
    await settle();
    assert.deepEqual(handler.events, ["closed: the broker refused the user name or password"]);
    assert.equal(client.publish("x", "y"), false);
  });

  it("reports a broker that is not there", async () => {
    const tcp = new MemoryTcp();
    const handler = recorder();
    new MqttClient({ tcp, clock: new VirtualClock(), host: "nowhere", port: 1883, clientId: "x" }, handler);
    await settle();
    assert.equal(handler.events.length, 1);
    assert.match(handler.events[0], /^closed: connection refused/);
  });

  it("gives up on a broker that never answers CONNECT", async () => {
    const { clock, broker, handler } = setup({ connectTimeoutMs: 5000 });
    broker.mute = true;
    await settle();
    await clock.advance(4999);
    assert.deepEqual(handler.events, []);
    await clock.advance(1);
    assert.deepEqual(handler.events, ["closed: the broker did not answer CONNECT"]);
  });

  it("pings within the keep-alive, and closes on a broker silent for 1.5 times it", async () => {
    const { clock, broker, handler } = setup({ keepAliveSeconds: 20 });
    await settle();
    await clock.advance(15_000);
    assert.ok(broker.pings >= 1, "a ping by three quarters of the keep-alive");
    await clock.advance(60_000);
    assert.deepEqual(handler.events, ["connected"], "PINGRESP keeps it up");
    broker.silent = true;
    await clock.advance(31_000);
    assert.equal(handler.events.length, 2);
    assert.match(handler.events[1], /^closed: the broker was silent for 3\d s$/);
    assert.equal(clock.pending, 0, "every timer cleared");
  });

  it("skips a PUBLISH larger than it takes as it streams past, acknowledges it, and goes on", async () => {
    const { broker, handler } = setup({ maxPacketBytes: 1024 });
    await settle();
    const big = new Uint8Array(100 * 1024).fill(0x31);
    (broker.connection as unknown as { split: number }).split = 1000;
    broker.send(publishPacket("d/set/count", big, { qos: 1, id: 0x1234 }));
    broker.send(publishPacket("d/set/count", "7", { qos: 1, id: 0x1235 }));
    await settle(200);
    assert.deepEqual(handler.events, ["connected", `oversized 3 ${2 + 11 + 2 + big.length} d/set/count`]);
    assert.deepEqual(handler.messages, [{ topic: "d/set/count", payload: "7", retained: false }]);
    assert.deepEqual(broker.acks, [
      [4, 0x1234],
      [4, 0x1235],
    ]);
  });

  it("answers QoS 2 with PUBREC and PUBCOMP", async () => {
    const { broker, handler } = setup();
    await settle();
    broker.send(publishPacket("a", "b", { qos: 2, id: 9 }));
    await settle();
    broker.send([0x62, 2, 0, 9]); // PUBREL
    await settle();
    assert.deepEqual(handler.messages, [{ topic: "a", payload: "b", retained: false }]);
    assert.deepEqual(broker.acks, [
      [5, 9],
      [7, 9],
    ]);
  });

  it("reports a connection dropped in the middle of a packet, and delivers nothing of it", async () => {
    const { broker, handler } = setup();
    await settle();
    const packet = publishPacket("d/set/x", "a long enough payload");
    broker.send(packet.subarray(0, 10));
    await settle();
    broker.drop();
    await settle();
    assert.deepEqual(handler.messages, []);
    assert.deepEqual(handler.events, ["connected", "closed: the broker closed the connection"]);
  });

  it("closes on malformed packets, naming what was wrong", async () => {
    const cases: [number[], RegExp][] = [
      [[0x30, 0xff, 0xff, 0xff, 0xff, 0x7f], /packet length longer than four bytes/],
      [[0xf0, 0], /reserved type 15/],
      [[0x36, 4, 0, 1, 0x61, 0], /QoS 3/],
      [[0x30, 3, 0, 1, 0xff], /topic that is not UTF-8/],
      [[0x30, 3, 0, 1, 0], /topic holding NUL/],
      [[0x30, 2, 0, 9], /shorter than its topic/],
      [[0x20, 2, 0, 0], /second CONNACK/],
      [[0x10, 0], /only a client sends/],
    ];
    for (const [bytes, pattern] of cases) {
      const { broker, handler } = setup();
      await settle();
      broker.send(bytes);
      await settle();
      assert.equal(handler.events.length, 2, `${pattern}: ${handler.events.join(" | ")}`);
      assert.match(handler.events[1], pattern);
    }
  });

  it("queues at most maxQueueBytes, says no past that, and tells when it has drained", async () => {
    const tcp = new MemoryTcp({ sendBuffer: 512 });
    const clock = new VirtualClock();
    const broker = new MemoryBroker(tcp);
    const handler = recorder();
    const client = new MqttClient({ tcp, clock, host: "b", port: 1883, clientId: "x", maxQueueBytes: 2048 }, handler);
    await settle();
    let sent = 0;
    while (client.publish("t", "x".repeat(100))) sent++;
    assert.ok(sent >= 20 && sent <= 26, `about (512 + 2048) / 105 fit: ${sent}`);
    assert.ok(client.queued <= 2048);
    assert.throws(() => client.publish("t", "x".repeat(4096)), /larger than the 2048 this client sends/);
    await settle(200);
    assert.deepEqual(handler.events, ["connected", "drained"]);
    assert.equal(broker.count("t"), sent, "everything queued arrived, in order");
  });

  it("close() sends DISCONNECT and is silent", async () => {
    const { broker, handler, client, clock } = setup();
    await settle();
    client.close();
    await settle();
    assert.equal(broker.disconnects, 1);
    assert.deepEqual(handler.events, ["connected"]);
    assert.equal(clock.pending, 0);
  });

  it("reads packets the same in any pieces: a byte at a time, or all at once", () => {
    const stream = [...publishPacket("a/b", "one"), 0xd0, 0, ...publishPacket("c", "x".repeat(300), { qos: 1, id: 5 }), ...publishPacket("big", "y".repeat(600))];
    const read = (pieces: number): string[] => {
      const out: string[] = [];
      const reader = new MqttPacketReader(512, {
        onPacket: (type, flags, body) => void out.push(`${type}/${flags}/${body.length}`),
        onOversized: (type, _f, length, id, topic) => void out.push(`big ${type} ${length} ${id} ${topic ? utf8Decode(topic) : ""}`),
      });
      const bytes = Uint8Array.from(stream);
      for (let i = 0; i < bytes.length; i += pieces) reader.push(bytes.subarray(i, i + pieces));
      return out;
    };
    const whole = read(stream.length);
    assert.deepEqual(whole, ["3/0/8", "13/0/0", "3/2/305", "big 3 605 undefined big"]);
    for (const n of [1, 2, 3, 7, 100]) assert.deepEqual(read(n), whole, `pieces of ${n}`);
  });
});
