/*
 * MemoryBroker: a scripted MQTT 3.1.1 broker on a port of any Tcp (MemoryTcp, or the device's
 * ModdableTcp over the SDK stand-ins), for tests on any engine (XS included). Its reader is its own, written from the specification, not the device's,
 * so a mistake in the client's encoder cannot hide behind the same mistake here.
 *
 * It answers CONNECT with CONNACK (connackCode, default 0), SUBSCRIBE with SUBACK (granting the
 * QoS asked for), PINGREQ with PINGRESP (unless silent), records PUBLISH packets (retained ones
 * are kept per topic, as a broker holds them), and lets a test send raw bytes or whole packets.
 */

import type { TcpConnection } from "../../modules/host/tcp";
import { utf8Decode, utf8Encode } from "../../modules/text/utf8";
import type { Tcp } from "../../modules/host/tcp";

export interface BrokerPublish {
  readonly topic: string;
  readonly payload: string;
  readonly retain: boolean;
  readonly qos: number;
}

export interface BrokerConnect {
  readonly clientId: string;
  readonly username?: string;
  readonly password?: string;
  readonly keepAlive: number;
  readonly cleanSession: boolean;
  readonly will?: { topic: string; payload: string; retain: boolean; qos: number };
}

function str(body: Uint8Array, at: number): [string, number] {
  const n = (body[at] << 8) | body[at + 1];
  return [utf8Decode(body.subarray(at + 2, at + 2 + n)), at + 2 + n];
}

function lengthBytes(n: number): number[] {
  const out: number[] = [];
  do {
    let d = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) d |= 0x80;
    out.push(d);
  } while (n > 0);
  return out;
}

/** A PUBLISH as a broker sends it. */
export function publishPacket(topic: string, payload: Uint8Array | string, options: { qos?: number; retain?: boolean; id?: number } = {}): Uint8Array {
  const t = utf8Encode(topic);
  const p = typeof payload === "string" ? utf8Encode(payload) : payload;
  const qos = options.qos ?? 0;
  const body = [t.length >> 8, t.length & 0xff, ...t];
  if (qos > 0) body.push((options.id ?? 1) >> 8, (options.id ?? 1) & 0xff);
  const head = [0x30 | (qos << 1) | (options.retain ? 1 : 0), ...lengthBytes(body.length + p.length)];
  const out = new Uint8Array(head.length + body.length + p.length);
  out.set(head, 0);
  out.set(body, head.length);
  out.set(p, head.length + body.length);
  return out;
}

export class MemoryBroker {
  readonly port: number;
  connackCode = 0;
  /** When true, PINGREQ goes unanswered (a broker gone silent). */
  silent = false;
  /** When true, CONNECT goes unanswered. */
  mute = false;
  readonly connects: BrokerConnect[] = [];
  readonly published: BrokerPublish[] = [];
  readonly retained = new Map<string, string>();
  readonly subscriptions: { filters: string[]; qos: number[] }[] = [];
  /** Acknowledgements received from the client: [type, packet id]. */
  readonly acks: [number, number][] = [];
  pings = 0;
  disconnects = 0;
  connection: TcpConnection | undefined;
  #buffer: number[] = [];
  #pending: Uint8Array[] = [];

  constructor(tcp: Tcp, port = 1883) {
    this.port = port;
    tcp.listen({ port }, (connection) => {
      this.connection = connection;
      this.#buffer = [];
      this.#pending = [];
      connection.listen({
        data: (bytes) => this.#data(connection, bytes),
        writable: () => this.#flush(),
        closed: () => {
          if (this.connection === connection) this.connection = undefined;
        },
      });
    });
  }

  /** Sends bytes, as fast as the connection's send buffer takes them. */
  send(bytes: Uint8Array | number[]): void {
    const data = bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes);
    this.#pending.push(data);
    this.#flush();
  }

  #flush(): void {
    const c = this.connection;
    while (c && this.#pending.length) {
      const room = c.writable();
      if (room <= 0) return;
      const head = this.#pending[0];
      if (head.length <= room) {
        c.write(head);
        this.#pending.shift();
      } else {
        c.write(head.subarray(0, room));
        this.#pending[0] = head.subarray(room);
      }
    }
  }

  /** Bytes waiting for the connection's send buffer. */
  get pendingBytes(): number {
    let n = 0;
    for (const p of this.#pending) n += p.length;
    return n;
  }

  /** Drops the records (published, acks): a long test measuring memory keeps only the retained map. */
  forget(): void {
    this.published.length = 0;
    this.acks.length = 0;
    this.subscriptions.length = 0;
  }

  /** Ends the connection from the broker's side (a crash). */
  drop(): void {
    const c = this.connection;
    this.connection = undefined;
    c?.close();
  }

  /** The last payload published to topic, or undefined. */
  last(topic: string): BrokerPublish | undefined {
    for (let i = this.published.length - 1; i >= 0; i--) if (this.published[i].topic === topic) return this.published[i];
    return undefined;
  }

  count(topic: string): number {
    return this.published.filter((p) => p.topic === topic).length;
  }

  #data(connection: TcpConnection, bytes: Uint8Array): void {
    for (const b of bytes) this.#buffer.push(b);
    for (;;) {
      const buf = this.#buffer;
      if (buf.length < 2) return;
      let length = 0;
      let mult = 1;
      let i = 1;
      for (;;) {
        if (i >= buf.length) return;
        const d = buf[i++];
        length += (d & 0x7f) * mult;
        mult *= 128;
        if (!(d & 0x80)) break;
      }
      if (buf.length < i + length) return;
      const type = buf[0] >> 4;
      const flags = buf[0] & 15;
      const body = Uint8Array.from(buf.slice(i, i + length));
      this.#buffer = buf.slice(i + length);
      this.#packet(connection, type, flags, body);
    }
  }

  #packet(connection: TcpConnection, type: number, flags: number, body: Uint8Array): void {
    if (type === 1) {
      let at = 10;
      const connectFlags = body[7];
      const keepAlive = (body[8] << 8) | body[9];
      let clientId: string;
      [clientId, at] = str(body, at);
      let will: BrokerConnect["will"];
      if (connectFlags & 0x04) {
        let topic: string;
        let payload: string;
        [topic, at] = str(body, at);
        [payload, at] = str(body, at);
        will = { topic, payload, retain: (connectFlags & 0x20) !== 0, qos: (connectFlags >> 3) & 3 };
      }
      let username: string | undefined;
      let password: string | undefined;
      if (connectFlags & 0x80) [username, at] = str(body, at);
      if (connectFlags & 0x40) [password, at] = str(body, at);
      this.connects.push({ clientId, username, password, keepAlive, cleanSession: (connectFlags & 2) !== 0, will });
      if (!this.mute) this.send(Uint8Array.of(0x20, 2, 0, this.connackCode));
    } else if (type === 3) {
      const [topic, at] = str(body, 0);
      const qos = (flags >> 1) & 3;
      const payload = utf8Decode(body.subarray(at + (qos ? 2 : 0)));
      const retain = (flags & 1) === 1;
      this.published.push({ topic, payload, retain, qos });
      if (retain) {
        if (payload === "") this.retained.delete(topic);
        else this.retained.set(topic, payload);
      }
    } else if (type === 8) {
      const id = [body[0], body[1]];
      const filters: string[] = [];
      const qos: number[] = [];
      let at = 2;
      while (at < body.length) {
        let f: string;
        [f, at] = str(body, at);
        filters.push(f);
        qos.push(body[at++]);
      }
      this.subscriptions.push({ filters, qos });
      this.send(Uint8Array.of(0x90, 2 + qos.length, id[0], id[1], ...qos));
    } else if (type === 12) {
      this.pings++;
      if (!this.silent) this.send(Uint8Array.of(0xd0, 0));
    } else if (type === 14) {
      this.disconnects++;
    } else if (type === 4 || type === 5 || type === 7) {
      this.acks.push([type, (body[0] << 8) | body[1]]);
    }
  }
}
