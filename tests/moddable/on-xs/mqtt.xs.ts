/*
 * The core's MQTT client on the device's sockets: MqttClient over ModdableTcp (and the native text
 * codec) over the SDK socket stand-in, on XS, against the scripted broker listening on the same
 * ModdableTcp, on the stand-in machine's clock: connect with a will, subscribe and publish,
 * a 20 KB PUBLISH skipped without being held (lwIP hands it over in segments), keep-alive.
 */

import { TimerClock } from "hosts/moddable/clock";
import { ModdableTcp } from "hosts/moddable/tcp";
import { MODDABLE_TEXT_CODEC } from "hosts/moddable/text-codec";
import { MqttClient } from "../../../modules/mqtt/mqtt-client";
import * as assert from "../../support/assert";
import { MemoryBroker, publishPacket } from "../../support/memory-broker";
import { assertQuiet, machine, resetDevice } from "../standins/control";

describe("MqttClient over ModdableTcp (SDK socket stand-in)", () => {
  it("connects with its will, subscribes, publishes, skips what is too large, and keeps alive", async () => {
    resetDevice();
    const tcp = new ModdableTcp();
    const broker = new MemoryBroker(tcp, 1883);
    const events: string[] = [];
    const messages: string[] = [];
    const client = new MqttClient(
      {
        tcp,
        clock: new TimerClock(),
        text: MODDABLE_TEXT_CODEC,
        host: "127.0.0.1",
        port: 1883,
        clientId: "iot-240ac4123456",
        keepAliveSeconds: 10,
        will: { topic: "dev/status", payload: "offline", retain: true, qos: 1 },
      },
      {
        connected: () => void events.push("connected"),
        message: (topic, payload) => void messages.push(`${topic}=${MODDABLE_TEXT_CODEC.decode(payload)}`),
        oversized: (_type, length, topic) => void events.push(`oversized ${length} ${topic}`),
        closed: (error) => void events.push(`closed: ${error}`),
      },
    );
    await machine.until(() => events.includes("connected"), 5_000);
    assert.equal(broker.connects[0].will?.payload, "offline");
    assert.ok(client.subscribe(["dev/set/+"], 1));
    assert.ok(client.publish("dev/data/temperature", "21.5", true));
    await machine.advance(100);
    assert.deepEqual(broker.subscriptions[0].filters, ["dev/set/+"]);
    assert.equal(broker.retained.get("dev/data/temperature"), "21.5");
    broker.send(publishPacket("dev/set/x", new Uint8Array(20_000).fill(0x41), { qos: 1, id: 7 }));
    broker.send(publishPacket("dev/set/x", "1"));
    await machine.until(() => messages.length > 0, 5_000);
    assert.deepEqual(events, ["connected", "oversized 20013 dev/set/x"]);
    assert.deepEqual(messages, ["dev/set/x=1"]);
    assert.deepEqual(broker.acks, [[4, 7]]);
    await machine.advance(30_000);
    assert.ok(broker.pings >= 2, `pinged ${broker.pings} times in 30 s`);
    assert.ok(client.connected);
    client.close();
    await machine.advance(1_000);
    assert.equal(broker.disconnects, 1);
    assertQuiet();
  });
});
