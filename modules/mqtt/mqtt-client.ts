/*
 * MqttClient: one MQTT 3.1.1 connection over the host's Tcp, written once for every host (the
 * device's lwIP socket, node:net in the simulator, MemoryTcp in the tests), so the same bytes,
 * limits and failure handling are tested on Node and on XS.
 *
 * What it promises:
 * - It connects at construction and sends CONNECT (clean session, the will, the keep-alive).
 *   handler.connected() follows the broker's CONNACK; a refusal closes with its reason in plain
 *   words ("the broker refused the user name or password").
 * - handler.closed(error) is called exactly once when the connection ends for any reason other
 *   than close()/abort() (which are silent): refused, dropped, broker silent past 1.5 times the
 *   keep-alive, no CONNACK within connectTimeoutMs, or a malformed packet. After it, nothing.
 * - Incoming packets are read with a bound: at most maxPacketBytes (default 4096) of one packet
 *   are held. A larger PUBLISH is skipped as it streams past, acknowledged when its QoS asks for
 *   it, and reported through handler.oversized(); the connection goes on.
 * - Outgoing bytes go to the socket as far as writable() allows; the rest waits in a queue of at
 *   most maxQueueBytes (default 8192). publish() returns false instead of queueing past that,
 *   and handler.drained() follows once the queue has emptied: the caller keeps what it still
 *   has to say (the MQTT feature keeps a set of changed keys, never a queue of messages).
 *   Acknowledgements and pings are always queued: they are four bytes or fewer.
 * - Publishes are QoS 0 (the device republishes its whole retained state on every connection,
 *   which is what QoS 1's redelivery would buy). Subscriptions may ask for QoS 1: incoming QoS 1
 *   messages are acknowledged (PUBACK) and QoS 2 ones answered (PUBREC, then PUBCOMP on PUBREL)
 *   after handler.message() has run.
 * - Topics received must be valid UTF-8 without NUL; anything else is a malformed packet.
 * - Timers (connect timeout, keep-alive) are the Clock's and are cleared when it ends.
 */

import type { Clock, TimerId } from "../host/clock";
import type { Tcp, TcpConnection } from "../host/tcp";
import type { TextCodec } from "../host/text-codec";
import { JS_TEXT_CODEC } from "../text/js-text-codec";
import {
  CONNACK_REASONS,
  MqttPacketReader,
  MqttProtocolError,
  PACKET,
  encodeAck,
  encodeConnect,
  encodeEmpty,
  encodePublish,
  encodeSubscribe,
  publishSize,
  type MqttWill,
} from "./mqtt-packet";

export interface MqttClientOptions {
  readonly tcp: Tcp;
  readonly clock: Clock;
  readonly text?: TextCodec;
  readonly host: string;
  readonly port: number;
  readonly clientId: string;
  readonly username?: string;
  readonly password?: string;
  readonly will?: MqttWill;
  /** Seconds; 0 turns keep-alive off. Default 60. */
  readonly keepAliveSeconds?: number;
  /** Largest incoming packet held, in bytes (default 4096). */
  readonly maxPacketBytes?: number;
  /** Bytes queued beyond what the socket takes at once (default 8192); also the largest PUBLISH. */
  readonly maxQueueBytes?: number;
  /** Time allowed for TCP connect plus CONNACK (default 10 s). */
  readonly connectTimeoutMs?: number;
}

export interface MqttClientHandler {
  connected(): void;
  /** payload is valid only during the call. */
  message(topic: string, payload: Uint8Array, retained: boolean): void;
  /** The queue emptied after publish() had returned false. */
  drained?(): void;
  /** A packet larger than maxPacketBytes was skipped (topic: a PUBLISH's, when short and UTF-8). */
  oversized?(type: number, length: number, topic: string | undefined): void;
  /** The broker refused some of the filters of a SUBSCRIBE (SUBACK 0x80). */
  subscribeRefused?(count: number): void;
  closed(error: string): void;
}

const DEFAULTS = Object.freeze({ keepAliveSeconds: 60, maxPacketBytes: 4096, maxQueueBytes: 8192, connectTimeoutMs: 10_000 });

export class MqttClient {
  readonly #handler: MqttClientHandler;
  readonly #clock: Clock;
  readonly #text: TextCodec;
  readonly #connection: TcpConnection;
  readonly #reader: MqttPacketReader;
  readonly #keepAliveMs: number;
  readonly #maxQueue: number;
  #queue: Uint8Array[] = [];
  #queued = 0;
  /** publish() said no: drained() is owed. */
  #full = false;
  #up = false;
  #acknowledged = false;
  #done = false;
  #nextId = 1;
  #lastSent = 0;
  #lastReceived = 0;
  #timer: TimerId | undefined;
  #connect: Uint8Array | undefined;

  constructor(options: MqttClientOptions, handler: MqttClientHandler) {
    this.#handler = handler;
    this.#clock = options.clock;
    this.#text = options.text ?? JS_TEXT_CODEC;
    this.#keepAliveMs = (options.keepAliveSeconds ?? DEFAULTS.keepAliveSeconds) * 1000;
    this.#maxQueue = options.maxQueueBytes ?? DEFAULTS.maxQueueBytes;
    this.#reader = new MqttPacketReader(options.maxPacketBytes ?? DEFAULTS.maxPacketBytes, {
      onPacket: (type, flags, body) => this.packet(type, flags, body),
      onOversized: (type, flags, length, packetId, topicBytes) => {
        let topic: string | undefined;
        try {
          topic = topicBytes ? this.#text.decode(topicBytes) : undefined;
        } catch {
          topic = undefined;
        }
        try {
          this.#handler.oversized?.(type, length, topic);
        } finally {
          if (packetId !== undefined && !this.#done) this.ack(flags, packetId);
        }
      },
    });
    this.#connect = encodeConnect(
      {
        clientId: options.clientId,
        keepAliveSeconds: this.#keepAliveMs / 1000,
        username: options.username,
        password: options.password,
        will: options.will,
      },
      (t) => this.#text.encode(t),
    );
    const timeout = options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs;
    this.#timer = this.#clock.set(() => this.fail(this.#up ? "the broker did not answer CONNECT" : "no connection to the broker (timed out)"), timeout);
    this.#connection = options.tcp.connect(
      { host: options.host, port: options.port },
      {
        connected: () => {
          if (this.#done) return;
          this.#up = true;
          this.#lastReceived = this.#clock.now();
          const connect = this.#connect as Uint8Array;
          this.#connect = undefined;
          this.send(connect);
        },
        writable: () => this.flush(),
        data: (bytes) => {
          if (this.#done) return;
          this.#lastReceived = this.#clock.now();
          try {
            this.#reader.push(bytes);
          } catch (e) {
            this.fail(e instanceof MqttProtocolError ? e.message : `the broker's packet could not be read: ${e instanceof Error ? e.message : String(e)}`);
          }
        },
        closed: (error) => {
          if (this.#done) return;
          this.fail(this.#acknowledged ? (error ?? "the broker closed the connection") : this.#up ? "the broker closed the connection before CONNACK" : (error ?? "no connection to the broker"));
        },
      },
    );
  }

  /** True between CONNACK and the end. */
  get connected(): boolean {
    return this.#acknowledged && !this.#done;
  }

  /** Bytes waiting to be written. */
  get queued(): number {
    return this.#queued;
  }

  /**
   * Publishes at QoS 0. False when the queue has no room for it now (drained() follows);
   * throws a RangeError for a packet larger than maxQueueBytes, which could never be sent.
   */
  publish(topic: string, payload: string | Uint8Array, retain = false): boolean {
    if (!this.connected) return false;
    const topicBytes = this.#text.encode(topic);
    const body = typeof payload === "string" ? this.#text.encode(payload) : payload;
    const size = publishSize(topicBytes.length, body.length, 0);
    if (size > this.#maxQueue) throw new RangeError(`a PUBLISH of ${size} bytes to ${topic.slice(0, 80)} is larger than the ${this.#maxQueue} this client sends`);
    if (!this.room(size)) return false;
    this.send(encodePublish(topicBytes, body, retain, 0, 0));
    return true;
  }

  /** Subscribes to filters at qos; false when the queue has no room now. */
  subscribe(filters: readonly string[], qos: 0 | 1): boolean {
    if (!this.connected) return false;
    const bytes = encodeSubscribe(
      filters.map((f) => this.#text.encode(f)),
      qos,
      this.takeId(),
    );
    if (!this.room(bytes.length)) return false;
    this.send(bytes);
    return true;
  }

  /** True when a packet of `bytes` can be queued now; otherwise drained() is owed. */
  private room(bytes: number): boolean {
    if (this.#queued === 0 && this.#connection.writable() >= bytes) return true;
    if (this.#queued + bytes <= this.#maxQueue) return true;
    this.#full = true;
    return false;
  }

  /** Sends DISCONNECT (the will is not published) and closes. Silent. */
  close(): void {
    if (this.#done) return;
    if (this.#acknowledged) {
      try {
        this.send(encodeEmpty(PACKET.DISCONNECT));
      } catch {
        // Going away anyway.
      }
    }
    this.end();
    try {
      this.#connection.close();
    } catch {
      // Already closed.
    }
  }

  /** Ends the connection without DISCONNECT: the broker publishes the will. Silent. */
  abort(): void {
    if (this.#done) return;
    this.end();
    try {
      this.#connection.abort();
    } catch {
      // Already closed.
    }
  }

  private takeId(): number {
    const id = this.#nextId;
    this.#nextId = id === 0xffff ? 1 : id + 1;
    return id;
  }

  private send(bytes: Uint8Array): void {
    if (this.#done) return;
    this.#lastSent = this.#clock.now();
    this.#queue.push(bytes);
    this.#queued += bytes.length;
    this.flush();
  }

  private flush(): void {
    if (this.#done || !this.#up) return;
    try {
      while (this.#queue.length) {
        const room = this.#connection.writable();
        if (room <= 0) return;
        const head = this.#queue[0];
        if (head.length <= room) {
          this.#connection.write(head);
          this.#queue.shift();
          this.#queued -= head.length;
        } else {
          this.#connection.write(head.subarray(0, room));
          this.#queue[0] = head.subarray(room);
          this.#queued -= room;
          return;
        }
      }
    } catch {
      this.fail("the connection to the broker dropped");
      return;
    }
    if (this.#full && this.#queued === 0) {
      this.#full = false;
      this.#handler.drained?.();
    }
  }

  private packet(type: number, flags: number, body: Uint8Array): void {
    if (this.#done) return;
    if (!this.#acknowledged) {
      if (type !== PACKET.CONNACK || body.length !== 2) return this.fail(`the broker answered CONNECT with a packet of type ${type}`);
      const code = body[1];
      if (code !== 0) return this.fail(CONNACK_REASONS[code] ?? `the broker refused the connection (code ${code})`);
      this.#acknowledged = true;
      this.#clock.clear(this.#timer);
      this.#timer = undefined;
      if (this.#keepAliveMs > 0) this.#timer = this.#clock.set(() => this.keepAlive(), Math.max(250, this.#keepAliveMs / 4), Math.max(250, this.#keepAliveMs / 4));
      this.#handler.connected();
      return;
    }
    if (type === PACKET.PUBLISH) return this.publishReceived(flags, body);
    if (type === PACKET.PUBREL) {
      if (body.length >= 2) this.send(encodeAck(PACKET.PUBCOMP, (body[0] << 8) | body[1]));
      return;
    }
    if (type === PACKET.SUBACK) {
      let refused = 0;
      for (let i = 2; i < body.length; i++) if (body[i] === 0x80) refused++;
      if (refused) this.#handler.subscribeRefused?.(refused);
      return;
    }
    if (type === PACKET.CONNACK) return this.fail("the broker sent a second CONNACK");
    if (type === PACKET.CONNECT || type === PACKET.SUBSCRIBE || type === PACKET.UNSUBSCRIBE || type === PACKET.PINGREQ || type === PACKET.DISCONNECT)
      return this.fail(`the broker sent a packet only a client sends (type ${type})`);
    // PINGRESP, PUBACK, PUBREC, PUBCOMP, UNSUBACK: nothing to do; arriving counted as life.
  }

  private publishReceived(flags: number, body: Uint8Array): void {
    const qos = (flags >> 1) & 3;
    if (qos === 3) return this.fail("the broker sent a PUBLISH with QoS 3");
    if (body.length < 2) return this.fail("the broker sent a PUBLISH without a topic");
    const topicLength = (body[0] << 8) | body[1];
    const idBytes = qos > 0 ? 2 : 0;
    if (2 + topicLength + idBytes > body.length) return this.fail("the broker sent a PUBLISH shorter than its topic");
    const topicBytes = body.subarray(2, 2 + topicLength);
    let topic: string;
    try {
      topic = this.#text.decode(topicBytes);
    } catch {
      return this.fail("the broker sent a topic that is not UTF-8");
    }
    if (topic.includes("\0")) return this.fail("the broker sent a topic holding NUL");
    const packetId = qos > 0 ? (body[2 + topicLength] << 8) | body[3 + topicLength] : 0;
    try {
      this.#handler.message(topic, body.subarray(2 + topicLength + idBytes), (flags & 1) === 1);
    } finally {
      if (qos > 0 && !this.#done) this.ack(flags, packetId);
    }
  }

  private ack(flags: number, packetId: number): void {
    const qos = (flags >> 1) & 3;
    if (qos === 1) this.send(encodeAck(PACKET.PUBACK, packetId));
    else if (qos === 2) this.send(encodeAck(PACKET.PUBREC, packetId));
  }

  private keepAlive(): void {
    const now = this.#clock.now();
    if (now - this.#lastReceived >= this.#keepAliveMs * 1.5) return this.fail(`the broker was silent for ${Math.round((now - this.#lastReceived) / 1000)} s`);
    if (now - this.#lastSent >= this.#keepAliveMs * 0.75 || now - this.#lastReceived >= this.#keepAliveMs * 0.75) this.send(encodeEmpty(PACKET.PINGREQ));
  }

  private end(): void {
    this.#done = true;
    this.#clock.clear(this.#timer);
    this.#timer = undefined;
    this.#queue = [];
    this.#queued = 0;
  }

  private fail(error: string): void {
    if (this.#done) return;
    this.end();
    try {
      this.#connection.close();
    } catch {
      // Already closed.
    }
    this.#handler.closed(error);
  }
}
