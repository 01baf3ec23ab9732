/*
 * MQTT 3.1.1 packets: the bytes the client writes, and a bounded reader for what a broker sends.
 * Written once, engine-neutral, so the device and the simulator speak the same bytes.
 *
 * - The encoders build one Uint8Array per packet (fixed header, remaining length, variable
 *   header, payload). Strings are UTF-8 with a 16-bit length: a topic, client id, user name or
 *   password over 65,535 bytes is refused with a RangeError before anything is written.
 * - MqttPacketReader takes the broker's bytes in pieces of any size and calls onPacket once per
 *   whole packet with its type, its flags and its body (the view is valid during the call).
 *   It never holds more than maxPacketBytes of one packet: a larger one is skipped as it
 *   streams past and reported through onOversized (with the packet id of a QoS 1 or 2 PUBLISH,
 *   read on the way, so the client can still acknowledge it and the broker does not hold it in
 *   flight). A malformed header (a remaining length of more than four bytes, a reserved packet
 *   type) throws an MqttProtocolError in plain words: the connection cannot be read past it.
 */

export const PACKET = Object.freeze({
  CONNECT: 1,
  CONNACK: 2,
  PUBLISH: 3,
  PUBACK: 4,
  PUBREC: 5,
  PUBREL: 6,
  PUBCOMP: 7,
  SUBSCRIBE: 8,
  SUBACK: 9,
  UNSUBSCRIBE: 10,
  UNSUBACK: 11,
  PINGREQ: 12,
  PINGRESP: 13,
  DISCONNECT: 14,
});

/** The CONNACK return codes of MQTT 3.1.1, in plain words. */
export const CONNACK_REASONS: readonly string[] = Object.freeze([
  "accepted",
  "the broker refused the protocol version (it wants MQTT 3.1.1)",
  "the broker refused the client id",
  "the broker is unavailable",
  "the broker refused the user name or password",
  "the broker says this client is not authorized",
]);

export class MqttProtocolError extends Error {}
Object.defineProperty(MqttProtocolError.prototype, "name", { value: "MqttProtocolError", writable: true, configurable: true });

/** Largest remaining length MQTT can express (four length bytes). */
const MAX_REMAINING = 268_435_455;

export interface MqttWill {
  readonly topic: string;
  readonly payload: string;
  readonly retain?: boolean;
  readonly qos?: 0 | 1;
}

export interface ConnectFields {
  readonly clientId: string;
  readonly keepAliveSeconds: number;
  readonly username?: string;
  readonly password?: string;
  readonly will?: MqttWill;
}

type Encode = (text: string) => Uint8Array;

function remainingLengthSize(length: number): number {
  return length < 128 ? 1 : length < 16384 ? 2 : length < 2097152 ? 3 : 4;
}

/** A packet of the given type and flags with room for `length` body bytes; returns it and where the body starts. */
function packet(type: number, flags: number, length: number): { bytes: Uint8Array; at: number } {
  if (length > MAX_REMAINING) throw new RangeError(`an MQTT packet holds at most ${MAX_REMAINING} bytes`);
  const size = remainingLengthSize(length);
  const bytes = new Uint8Array(1 + size + length);
  bytes[0] = (type << 4) | flags;
  let n = length;
  let at = 1;
  do {
    let digit = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) digit |= 0x80;
    bytes[at++] = digit;
  } while (n > 0);
  return { bytes, at };
}

function checkString(what: string, bytes: Uint8Array): Uint8Array {
  if (bytes.length > 0xffff) throw new RangeError(`the ${what} is ${bytes.length} bytes; MQTT allows at most 65535`);
  return bytes;
}

function putString(out: Uint8Array, at: number, bytes: Uint8Array): number {
  out[at] = bytes.length >> 8;
  out[at + 1] = bytes.length & 0xff;
  out.set(bytes, at + 2);
  return at + 2 + bytes.length;
}

export function encodeConnect(fields: ConnectFields, encode: Encode): Uint8Array {
  const id = checkString("client id", encode(fields.clientId));
  const user = fields.username ? checkString("user name", encode(fields.username)) : undefined;
  const password = fields.password ? checkString("password", encode(fields.password)) : undefined;
  const will = fields.will;
  const willTopic = will ? checkString("will topic", encode(will.topic)) : undefined;
  const willPayload = will ? checkString("will payload", encode(will.payload)) : undefined;
  let length = 10 + 2 + id.length;
  if (willTopic && willPayload) length += 4 + willTopic.length + willPayload.length;
  if (user) length += 2 + user.length;
  if (password) length += 2 + password.length;
  const { bytes, at: start } = packet(PACKET.CONNECT, 0, length);
  let at = start;
  bytes.set([0, 4, 0x4d, 0x51, 0x54, 0x54, 4], at); // "MQTT", level 4 (3.1.1)
  at += 7;
  let flags = 0x02; // clean session: the device republishes its state on every connection
  if (will) flags |= 0x04 | ((will.qos ?? 0) << 3) | (will.retain ? 0x20 : 0);
  if (password) flags |= 0x40;
  if (user) flags |= 0x80;
  bytes[at++] = flags;
  const keepAlive = Math.max(0, Math.min(0xffff, Math.floor(fields.keepAliveSeconds)));
  bytes[at++] = keepAlive >> 8;
  bytes[at++] = keepAlive & 0xff;
  at = putString(bytes, at, id);
  if (willTopic && willPayload) {
    at = putString(bytes, at, willTopic);
    at = putString(bytes, at, willPayload);
  }
  if (user) at = putString(bytes, at, user);
  if (password) putString(bytes, at, password);
  return bytes;
}

/** The size of a PUBLISH of this topic and payload, to check room before building it. */
export function publishSize(topicBytes: number, payloadBytes: number, qos: number): number {
  const length = 2 + topicBytes + (qos > 0 ? 2 : 0) + payloadBytes;
  return 1 + remainingLengthSize(length) + length;
}

export function encodePublish(topic: Uint8Array, payload: Uint8Array, retain: boolean, qos: 0 | 1, packetId: number, duplicate = false): Uint8Array {
  checkString("topic", topic);
  const length = 2 + topic.length + (qos > 0 ? 2 : 0) + payload.length;
  const { bytes, at: start } = packet(PACKET.PUBLISH, (duplicate ? 8 : 0) | (qos << 1) | (retain ? 1 : 0), length);
  let at = putString(bytes, start, topic);
  if (qos > 0) {
    bytes[at++] = packetId >> 8;
    bytes[at++] = packetId & 0xff;
  }
  bytes.set(payload, at);
  return bytes;
}

export function encodeSubscribe(filters: readonly Uint8Array[], qos: 0 | 1, packetId: number): Uint8Array {
  let length = 2;
  for (const filter of filters) length += 3 + checkString("topic filter", filter).length;
  const { bytes, at: start } = packet(PACKET.SUBSCRIBE, 2, length);
  let at = start;
  bytes[at++] = packetId >> 8;
  bytes[at++] = packetId & 0xff;
  for (const filter of filters) {
    at = putString(bytes, at, filter);
    bytes[at++] = qos;
  }
  return bytes;
}

/** PUBACK, PUBREC, PUBREL (flags 2) and PUBCOMP: a type and a packet id. */
export function encodeAck(type: number, packetId: number): Uint8Array {
  return Uint8Array.of((type << 4) | (type === PACKET.PUBREL ? 2 : 0), 2, packetId >> 8, packetId & 0xff);
}

export function encodeEmpty(type: number): Uint8Array {
  return Uint8Array.of(type << 4, 0);
}

export interface ReaderHandler {
  /** A whole packet; body is valid only during the call. */
  onPacket(type: number, flags: number, body: Uint8Array): void;
  /**
   * A packet larger than maxPacketBytes went past unread. For a PUBLISH: its topic (when it is
   * at most MAX_TOPIC_KEPT bytes) and, at QoS 1 or 2, its packet id.
   */
  onOversized(type: number, flags: number, length: number, packetId: number | undefined, topic: Uint8Array | undefined): void;
}

/** The longest topic an oversized PUBLISH is reported with. */
export const MAX_TOPIC_KEPT = 256;

export class MqttPacketReader {
  readonly #max: number;
  readonly #handler: ReaderHandler;
  /** 0: waiting for a fixed header byte; 1: reading the remaining length; 2: the body; 3: skipping. */
  #state = 0;
  #type = 0;
  #flags = 0;
  #length = 0;
  #multiplier = 1;
  #lengthBytes = 0;
  #body: Uint8Array | undefined;
  #filled = 0;
  /** Skipping: bytes of the oversized packet seen so far, its topic length and packet id. */
  #offset = 0;
  #topicLength = 0;
  #packetId = 0;
  #topic: Uint8Array | undefined;

  constructor(maxPacketBytes: number, handler: ReaderHandler) {
    this.#max = maxPacketBytes;
    this.#handler = handler;
  }

  /** Bytes of the packet being read (0 between packets): what the reader holds. */
  get holding(): number {
    return this.#state === 2 ? this.#filled : 0;
  }

  push(bytes: Uint8Array): void {
    let i = 0;
    const n = bytes.length;
    while (i < n) {
      const state = this.#state;
      if (state === 0) {
        const byte = bytes[i++];
        this.#type = byte >> 4;
        this.#flags = byte & 15;
        if (this.#type === 0 || this.#type === 15) throw new MqttProtocolError(`the broker sent a packet of reserved type ${this.#type}`);
        this.#length = 0;
        this.#multiplier = 1;
        this.#lengthBytes = 0;
        this.#state = 1;
      } else if (state === 1) {
        const byte = bytes[i++];
        this.#length += (byte & 0x7f) * this.#multiplier;
        this.#multiplier *= 128;
        if (++this.#lengthBytes > 4) throw new MqttProtocolError("the broker sent a packet length longer than four bytes");
        if (byte & 0x80) continue;
        this.#begin();
      } else if (state === 2) {
        const body = this.#body as Uint8Array;
        const take = Math.min(n - i, this.#length - this.#filled);
        body.set(bytes.subarray(i, i + take), this.#filled);
        this.#filled += take;
        i += take;
        if (this.#filled === this.#length) this.#deliver(body);
      } else {
        i = this.#skip(bytes, i);
      }
    }
  }

  #begin(): void {
    if (this.#length === 0) {
      this.#state = 0;
      this.#handler.onPacket(this.#type, this.#flags, new Uint8Array(0));
    } else if (this.#length <= this.#max) {
      this.#body = new Uint8Array(this.#length);
      this.#filled = 0;
      this.#state = 2;
    } else {
      this.#offset = 0;
      this.#topicLength = 0;
      this.#packetId = 0;
      this.#topic = undefined;
      this.#state = 3;
    }
  }

  #deliver(body: Uint8Array): void {
    this.#body = undefined;
    this.#state = 0;
    this.#handler.onPacket(this.#type, this.#flags, body);
  }

  /** Passes over an oversized packet, reading only a PUBLISH's topic and packet id. */
  #skip(bytes: Uint8Array, i: number): number {
    const n = bytes.length;
    const publish = this.#type === PACKET.PUBLISH;
    const qos = publish ? (this.#flags >> 1) & 3 : 0;
    while (i < n && this.#offset < this.#length) {
      const at = this.#offset;
      const topicEnd = 2 + this.#topicLength;
      if (publish && at < 2) {
        this.#topicLength = (this.#topicLength << 8) | bytes[i++];
        this.#offset++;
        if (this.#offset === 2 && this.#topicLength <= MAX_TOPIC_KEPT) this.#topic = new Uint8Array(this.#topicLength);
        continue;
      }
      if (publish && at < topicEnd && this.#topic) {
        const take = Math.min(n - i, topicEnd - at);
        this.#topic.set(bytes.subarray(i, i + take), at - 2);
        i += take;
        this.#offset += take;
        continue;
      }
      if (qos > 0 && (at === topicEnd || at === topicEnd + 1)) {
        this.#packetId = (this.#packetId << 8) | bytes[i++];
        this.#offset++;
        continue;
      }
      // Jump to the next byte worth reading, or the end of the packet.
      const next = publish && at < topicEnd ? topicEnd : this.#length;
      const step = Math.min(n - i, next - at);
      i += step;
      this.#offset += step;
    }
    if (this.#offset === this.#length) {
      this.#state = 0;
      const topic = this.#topic;
      this.#topic = undefined;
      this.#handler.onOversized(this.#type, this.#flags, this.#length, qos > 0 ? this.#packetId : undefined, topic);
    }
    return i;
  }
}
