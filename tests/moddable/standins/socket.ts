/*
 * Stand-in of the SDK module "socket": the legacy Socket and Listener of
 * modules/network/socket/socket.js over lwip/modSocket.c (SDK 8.2.3, the ESP32 build), on the
 * stand-in stack (lwip.ts, which says how bytes travel) and run loop (machine.ts).
 *
 * Kept from the SDK (its messages, limits and quirks):
 * - callback(message, value): 1 connected, 2 data received (value: the bytes of one pbuf),
 *   3 data sent (value: the free send buffer; only once everything written was acked),
 *   -1 disconnected (the peer's FIN, after the data before it was read), -2 error (reset,
 *   refused, name not found). Always later, from the run loop; never inside a call. An accepted
 *   socket gets 1 too. Nothing is called after close().
 * - read(): the bytes left in the current pbuf; read(ArrayBuffer[, count]) takes them (or
 *   count); read(String) as text, read(Number) one byte; only during a data callback: outside
 *   one, read(type) throws "nothing to read". Bytes still unread when the callback returns are
 *   dropped and recorded as a fault (the lin port drops them; lwIP would stall the connection).
 * - write() with no argument: the free send buffer (tcp_sndbuf; 0 once the connection is
 *   gone). write(...parts) takes strings (their UTF-8 bytes), numbers (one byte each),
 *   ArrayBuffers and views, all of them or none: "can't write all data". While the peer's FIN
 *   or reset is pending, a write is traced and dropped ("write on closed socket"), as lwIP
 *   does; after -1 was delivered writes go out again (half-closed); after a reset they are
 *   dropped, and once the VM was told of it that is also a fault.
 * - close() is silent and final; read/write/get after it throw (the host data is gone).
 * - get("REMOTE_IP") is the peer's address while the connection exists, undefined after a reset.
 * - new Socket(...) throws "no network" with no network interface up; an invalid address
 *   "invalid IP address"; no host or address "invalid dictionary"; with every pcb in use
 *   "failed to allocate socket".
 * - Listener({port}): "socket bind" when the port is taken; callback() once per connection
 *   waiting, with the listener as `this`; new Socket({listener}) takes the oldest, or throws
 *   "no socket avaiable from listener" (sic). close() refuses the ones not yet accepted.
 * - UDP: new Socket({kind: "UDP", port, multicast, ttl}); "socket bind failed" when the port is
 *   taken, "invalid multicast IP address"; callback(2, length, address, port) per datagram;
 *   read(ArrayBuffer[, count]) as above; write(address, port, bytes) ("invalid IP address").
 * Not kept: RAW sockets, suspend(), keepalive, the debugger, IPv6.
 */

import { utf8Decode, utf8Encode } from "../../../modules/text/utf8";
import { machine } from "./machine";
import { stackOptions, validIpv4, VmEnd, wire, type ListenerRecord, type UdpRecord, Peer } from "./lwip";

export type SocketCallback = (message: number, value?: number, address?: string, port?: number) => void;

type Writable = string | number | ArrayBuffer | ArrayBufferView;

function bytesOf(part: unknown, what: string): Uint8Array {
  if (typeof part === "string") return utf8Encode(part);
  if (typeof part === "number") return new Uint8Array([part & 0xff]);
  if (part instanceof ArrayBuffer) return new Uint8Array(part);
  if (ArrayBuffer.isView(part)) return new Uint8Array(part.buffer, part.byteOffset, part.byteLength);
  throw new Error(what);
}

function readAs(bytes: Uint8Array, type: unknown): unknown {
  if (type === null) return bytes.length;
  if (type === ArrayBuffer) return bytes.slice().buffer;
  if (type === String) {
    try {
      return utf8Decode(bytes);
    } catch {
      return String.fromCharCode(...bytes);
    }
  }
  throw new Error("unsupported output type");
}

interface Pbuf {
  readonly bytes: Uint8Array;
  pos: number;
  /** UDP: who sent it. */
  readonly address?: string;
  readonly port?: number;
}

function isLoopback(address: string): boolean {
  return address === "127.0.0.1" || address === stackOptions.address;
}

export class Socket {
  callback: SocketCallback | undefined;
  readonly #kind: "TCP" | "UDP";
  #end: VmEnd | undefined;
  #udp: UdpRecord | undefined;
  #closed = false;
  /** Accepted, or connected: messages may flow. */
  #open = false;
  readonly #queue: Pbuf[] = [];
  #current: Pbuf | undefined;
  #dataPosted = false;
  #fin = false;
  /** A FIN or reset is pending (the VM not told yet), or the pcb is gone: writes are dropped. */
  #ending = false;
  /** The VM was told the connection ended (-1 or -2). */
  #told = false;
  #unacked = 0;

  constructor(dictionary: {
    listener?: Listener;
    host?: string;
    address?: string;
    port?: number;
    kind?: string;
    multicast?: string;
    ttl?: number;
    noDelay?: boolean;
  }) {
    machine.native("new Socket");
    if (!stackOptions.up) throw new Error("no network");
    if (dictionary.listener !== undefined) {
      const record = listenerRecords.get(dictionary.listener);
      const end = record?.accept.shift();
      if (!end) throw new Error("no socket avaiable from listener");
      this.#kind = "TCP";
      this.#attach(end);
      this.#open = true;
      this.#post(() => this.#call(1));
      if (this.#queue.length) this.#postData();
      else if (this.#fin) this.#postEnd(-1);
      return;
    }
    const kind = dictionary.kind ?? "TCP";
    if (kind === "UDP") {
      this.#kind = "UDP";
      const groups: string[] = [];
      if (dictionary.multicast !== undefined) {
        if (!validIpv4(String(dictionary.multicast))) throw new Error("invalid multicast IP address");
        if (dictionary.multicast !== "255.255.255.255") groups.push(String(dictionary.multicast));
      }
      const record = wire.bindUdp(Number(dictionary.port ?? 0) | 0, groups, (bytes, address, port) => this.#datagram(bytes, address, port));
      if (!record) throw new Error("socket bind failed");
      this.#udp = record;
      this.#open = true;
      return;
    }
    if (kind !== "TCP") throw new Error("invalid socket kind");
    this.#kind = "TCP";
    if (wire.active >= stackOptions.maxActive) throw new Error("failed to allocate socket");
    const port = Number(dictionary.port ?? 0) | 0;
    let address: string | undefined;
    if (dictionary.host !== undefined) {
      const host = String(dictionary.host);
      address = validIpv4(host) ? host : wire.hosts.get(host);
    } else if (dictionary.address !== undefined) {
      address = String(dictionary.address);
      if (!validIpv4(address)) throw new Error("invalid IP address");
    } else throw new Error("invalid dictionary");
    const end = new VmEnd(address ?? "");
    wire.active++;
    this.#attach(end);
    machine.after(0, () => this.#dial(end, address, port));
  }

  #attach(end: VmEnd): void {
    this.#end = end;
    end.hooks = {
      receive: (bytes) => this.#received(bytes),
      acked: (n) => this.#acked(n),
      finished: () => this.#finished(),
      resetByPeer: () => this.#reset(),
    };
  }

  /** The native side of connect: a listener of this device, a server on the wire, or nothing. */
  #dial(end: VmEnd, address: string | undefined, port: number): void {
    if (this.#closed) return;
    if (address === undefined) return this.#reset();
    if (isLoopback(address) && wire.listeners.has(port)) {
      const server = new VmEnd(stackOptions.address);
      if (!wire.offer(port, server)) return this.#reset();
      end.other = server;
      server.other = end;
    } else {
      const serve = wire.servers.get(`${address}:${port}`);
      if (!serve) {
        wire.refused++;
        return this.#reset();
      }
      const peer = new Peer(stackOptions.address, 1460);
      end.other = peer;
      peer.other = end;
      serve(peer);
    }
    this.#open = true;
    this.#post(() => this.#call(1));
  }

  #post(deliver: () => void): void {
    machine.post(() => {
      if (!this.#closed) deliver();
    });
  }

  #call(message: number, value?: number, address?: string, port?: number): void {
    const callback = this.callback;
    if (typeof callback !== "function") return;
    machine.call(`socket callback (${message})`, () => {
      if (address === undefined) callback.call(this, message, value);
      else callback.call(this, message, value, address, port);
    });
  }

  #received(bytes: Uint8Array): void {
    if (this.#closed) return;
    this.#queue.push({ bytes, pos: 0 });
    if (this.#open) this.#postData();
  }

  #datagram(bytes: Uint8Array, address: string, port: number): void {
    if (this.#closed) return;
    if (this.#queue.length >= stackOptions.readQueue) this.#queue.shift();
    this.#queue.push({ bytes, pos: 0, address, port });
    this.#postData();
  }

  #postData(): void {
    if (this.#dataPosted || this.#current) return;
    this.#dataPosted = true;
    this.#post(() => this.#deliverData());
  }

  /** socketMsgDataReceived: one pbuf, one callback; what is unread afterwards is lost. */
  #deliverData(): void {
    this.#dataPosted = false;
    const pbuf = this.#queue.shift();
    if (!pbuf) return;
    this.#current = pbuf;
    if (this.#kind === "UDP") this.#call(2, pbuf.bytes.length, pbuf.address, pbuf.port);
    else this.#call(2, pbuf.bytes.length);
    this.#current = undefined;
    if (this.#closed) return;
    if (pbuf.pos < pbuf.bytes.length) machine.fault(`socket: ${pbuf.bytes.length - pbuf.pos} of ${pbuf.bytes.length} bytes left unread in a data callback (dropped)`);
    // tcp_recved: the sender's bytes are acked once read.
    const other = this.#end?.other;
    if (other) machine.after(0, () => other.acked(pbuf.bytes.length));
    if (this.#queue.length) this.#postData();
    else if (this.#fin) this.#postEnd(-1);
  }

  #acked(n: number): void {
    this.#unacked -= n;
    if (this.#unacked === 0 && !this.#closed && this.#end) this.#post(() => this.#call(3, this.write()));
  }

  #finished(): void {
    if (this.#closed || this.#fin) return;
    this.#fin = true;
    this.#ending = true;
    if (this.#open && !this.#queue.length && !this.#current && !this.#dataPosted) this.#postEnd(-1);
  }

  #reset(): void {
    if (this.#closed) return;
    this.#ending = true;
    this.#queue.length = 0;
    this.#releasePcb();
    this.#postEnd(-2);
  }

  #postEnd(message: -1 | -2): void {
    this.#post(() => {
      if (this.#told) return;
      this.#told = true;
      // Once -1 is delivered the pending bit is clear and the pcb (in CLOSE_WAIT) takes writes
      // again, as modSocket.c's write() checks only the pending bits; after -2 it is gone.
      if (message === -1 && this.#end) this.#ending = false;
      this.#call(message);
    });
  }

  #releasePcb(): void {
    if (!this.#end) return;
    this.#end.hooks = undefined;
    this.#end = undefined;
    wire.active--;
  }

  #valid(): void {
    if (this.#closed) throw new TypeError("invalid socket: closed");
  }

  read(type?: unknown, limit?: number | string): unknown {
    this.#valid();
    const pbuf = this.#current;
    if (!pbuf || pbuf.pos >= pbuf.bytes.length) {
      if (arguments.length === 0) return 0;
      throw new Error("nothing to read");
    }
    let available = pbuf.bytes.length - pbuf.pos;
    if (arguments.length === 0) return available;
    if (typeof limit === "number") available = Math.min(available, Math.max(0, limit | 0));
    else if (typeof limit === "string" && limit.length) {
      const code = limit.charCodeAt(0);
      const at = pbuf.bytes.indexOf(code, pbuf.pos);
      if (at >= 0) available = Math.min(available, at - pbuf.pos + 1);
    }
    if (type === Number) {
      const byte = pbuf.bytes[pbuf.pos];
      pbuf.pos += 1;
      return byte;
    }
    const taken = pbuf.bytes.subarray(pbuf.pos, pbuf.pos + available);
    const result = readAs(taken, type);
    pbuf.pos += available;
    return result;
  }

  write(...parts: Writable[]): number | undefined {
    this.#valid();
    if (this.#kind === "UDP") return this.#sendDatagram(parts[0], parts[1], parts[2]);
    const end = this.#end;
    if (!end || this.#ending) {
      if (parts.length === 0) return 0;
      machine.traced.push("write on closed socket\n");
      if (this.#told) machine.fault("socket: write after the VM was told the connection was reset");
      return undefined;
    }
    const free = stackOptions.sndBuf - this.#unacked;
    if (parts.length === 0) return this.#open ? free : 0;
    const chunks = parts.map((part) => bytesOf(part, "unsupported type for write"));
    let total = 0;
    for (const chunk of chunks) total += chunk.length;
    if (total > free) throw new Error("can't write all data");
    const all = new Uint8Array(total);
    let at = 0;
    for (const chunk of chunks) {
      all.set(chunk, at);
      at += chunk.length;
    }
    this.#unacked += total;
    end.transmit(all);
    return undefined;
  }

  #sendDatagram(address: unknown, port: unknown, data: unknown): undefined {
    const to = String(address);
    if (!validIpv4(to)) throw new Error("invalid IP address");
    const bytes = bytesOf(data, "unsupported type for write").slice();
    const from = this.#udp?.port ?? 0;
    const toPort = Number(port) | 0;
    wire.sent.push({ from, address: to, port: toPort, bytes });
    if (isLoopback(to)) machine.after(0, () => wire.sendUdp(bytes, { port: toPort }, { address: stackOptions.address, port: from }));
    return undefined;
  }

  get(name: string): string | undefined {
    this.#valid();
    if (name === "REMOTE_IP" && this.#end) return this.#end.remoteAddress;
    return undefined;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#udp) {
      wire.udpSockets.delete(this.#udp);
      this.#udp = undefined;
    }
    const end = this.#end;
    if (!end) return;
    // lwIP's tcp_close answers with a reset when received data is still waiting to be read.
    if (this.#queue.length || this.#dataPosted) end.sendReset();
    else end.sendFin();
    this.#releasePcb();
  }
}

const listenerRecords = new WeakMap<Listener, ListenerRecord>();

export class Listener {
  callback: (() => void) | undefined;
  #closed = false;

  constructor(dictionary: { port?: number; address?: string }) {
    machine.native("new Listener");
    const port = Number(dictionary.port ?? 0) | 0;
    if (dictionary.address !== undefined && !validIpv4(String(dictionary.address))) throw new Error("invalid IP address");
    if (wire.listeners.has(port)) throw new Error("socket bind");
    let posted = false;
    const record: ListenerRecord = {
      port,
      accept: [],
      notify: () => {
        if (posted) return;
        posted = true;
        machine.post(() => {
          posted = false;
          if (this.#closed) return;
          // listenerMsgNew: one call per connection waiting.
          const waiting = record.accept.length;
          for (let i = 0; i < waiting && !this.#closed; i++) {
            const callback = this.callback;
            if (typeof callback === "function") machine.call("listener callback", () => callback.call(this));
          }
        });
      },
    };
    listenerRecords.set(this, record);
    wire.listeners.set(port, record);
  }

  close(): void {
    if (this.#closed) {
      machine.traced.push("close on closed listener");
      return;
    }
    this.#closed = true;
    const record = listenerRecords.get(this);
    if (!record) return;
    if (wire.listeners.get(record.port) === record) wire.listeners.delete(record.port);
    for (const end of record.accept.splice(0)) {
      end.sendReset();
      wire.active--;
    }
  }
}

export default Object.freeze({ Socket, Listener });
