/*
 * The stand-in device's TCP/IP stack (what lwIP does under the SDK's socket module) and its
 * test side, the `wire`: peers that dial the device's listeners, servers the device's sockets
 * connect to, datagrams in and out. socket.ts is the SDK-shaped API over this; tests reach the
 * wire through control.ts. Follows modules/network/socket/lwip/modSocket.c (SDK 8.2.3) and the
 * ESP32 lwIP settings in build/devices/esp32/xsProj-esp32/sdkconfig.defaults.
 *
 * TCP, as the device's sockets see it:
 * - A connection's two ends are a VM socket (socket.ts) and a test Peer, or two VM sockets
 *   (the device connecting to its own listener). Bytes travel as segments: a VM socket sends
 *   in segments of at most `mss` (1436) bytes; a Peer in the splits it is given (1, 7, 1460).
 *   Each segment is one pbuf, and each pbuf one data message (2, its length) to the VM.
 * - The send buffer holds `sndBuf` bytes (lwIP's TCP_SND_BUF; 5744 is 4 x MSS): write() with
 *   no argument answers what is free; written bytes stay counted until the other end acks
 *   them. A Peer acks what arrives at once unless stalled; a VM socket acks a pbuf when it has
 *   been read (tcp_recved). Message 3 (writable) comes when everything written has been acked,
 *   with the free space, as didSend does (outstandingSent reaching 0).
 * - The other end's FIN reaches the VM as -1 only after the data before it was read
 *   (disconnectedWhileReading); a reset is -2 at once and what was queued is lost. A connect
 *   that fails (nothing listening, a name that does not resolve) is -2 too.
 * - A VM socket that closes with received data still unread makes lwIP send a reset instead of
 *   a FIN (tcp_close with data pending): the peer sees `reset`. What it wrote before still
 *   arrives first.
 * - Listeners: a connection waits in an accept queue of `listenerQueue` (4) until the VM
 *   accepts it with new Socket({listener}); a fifth is aborted (reset). Bytes that arrive
 *   before the accept are held and delivered after it. One listener message calls back once
 *   per connection waiting. At most `maxActive` (8, CONFIG_LWIP_MAX_ACTIVE_TCP) connections
 *   are open at once; the next dial is reset, a new client socket fails to allocate.
 * UDP: sockets bound to a port (0 picks one from 49152), a read queue of `readQueue` (6)
 * datagrams per socket (a seventh drops the oldest, as didReceiveUDP does), multicast groups
 * joined at construction, or for the whole interface (igmp_joingroup through the esp32 FFI
 * stand-in: every socket bound on the port then hears the group, as lwIP delivers it), datagrams
 * sent recorded on the wire (and delivered when they are for another socket of the device).
 * What the SDK punishes less visibly than a throw is recorded in machine.faults: data left
 * unread when a data callback returns (the lin port drops it; lwIP stalls the connection), a
 * write after the VM was told the connection ended (lwIP traces and drops it).
 * Not modelled: IPv6, TIME_WAIT, Nagle and delayed acks, window sizes beyond the send buffer,
 * retransmission, the debugger's network pauses.
 */

import { utf8Decode, utf8Encode } from "../../../modules/text/utf8";
import { machine } from "./machine";

export const stackOptions = {
  sndBuf: 5744,
  mss: 1436,
  listenerQueue: 4,
  maxActive: 8,
  readQueue: 6,
  /** A default network interface exists (Wi-Fi started or a link up): without it sockets throw "no network". */
  up: true,
  /** The device's own address, as a loopback connection's REMOTE_IP. */
  address: "192.168.1.50",
};

const DEFAULTS = Object.freeze({ ...stackOptions });

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function validIpv4(text: string): boolean {
  const m = IPV4.exec(text);
  return m !== null && m.slice(1).every((part) => Number(part) <= 255);
}

/** One end of a TCP connection. */
export abstract class TcpEnd {
  other: TcpEnd | undefined;
  /** Bytes written and not yet acked by the other end. */
  unacked = 0;
  /** This end has sent its FIN or reset, or been reset: it sends nothing more. */
  done = false;
  abstract readonly remoteAddress: string;
  abstract segmentSize(): number;
  /** A segment arrived from the other end. */
  abstract receive(bytes: Uint8Array): void;
  /** The other end acked n bytes. */
  abstract acked(n: number): void;
  /** The other end's FIN arrived. */
  abstract finished(): void;
  /** The other end reset the connection. */
  abstract resetByPeer(): void;

  /** Sends bytes to the other end, in segments, later (a native event at this instant). */
  transmit(bytes: Uint8Array): void {
    const other = this.other;
    const step = Math.max(1, this.segmentSize());
    for (let at = 0; at < bytes.length; at += step) {
      const segment = bytes.slice(at, Math.min(bytes.length, at + step));
      machine.after(0, () => other?.receive(segment));
    }
  }

  sendFin(): void {
    if (this.done) return;
    this.done = true;
    const other = this.other;
    machine.after(0, () => other?.finished());
  }

  sendReset(): void {
    if (this.done) return;
    this.done = true;
    const other = this.other;
    machine.after(0, () => other?.resetByPeer());
  }
}

/** The test's end of a connection. */
export class Peer extends TcpEnd {
  readonly remoteAddress: string;
  split: number;
  readonly #received: number[] = [];
  #stalled = false;
  #held = 0;
  /** The device sent its FIN (closed cleanly), or reset, or refused the connection. */
  closed = false;
  reset = false;
  /** Called with each segment that arrives (a scripted server answers from here). */
  onData: ((bytes: Uint8Array) => void) | undefined;
  onClosed: (() => void) | undefined;

  constructor(remoteAddress: string, split: number) {
    super();
    this.remoteAddress = remoteAddress;
    this.split = split;
  }

  segmentSize(): number {
    return this.split;
  }

  /** Sends text (as UTF-8) or bytes, in segments of `split` bytes (default: the peer's). */
  send(data: string | Uint8Array, split?: number): void {
    if (this.done || this.closed) return;
    if (split !== undefined) this.split = split;
    this.transmit(typeof data === "string" ? utf8Encode(data) : data.slice());
  }

  /** Everything the device sent so far. */
  bytes(): Uint8Array {
    return Uint8Array.from(this.#received);
  }

  text(): string {
    return utf8Decode(this.bytes());
  }

  /** Stops acking (a slow reader): the device's send buffer fills. */
  stall(): void {
    this.#stalled = true;
  }

  /** Acks what was held back. */
  resume(): void {
    this.#stalled = false;
    const n = this.#held;
    this.#held = 0;
    const other = this.other;
    if (n) machine.after(0, () => other?.acked(n));
  }

  /** The peer hangs up (FIN). */
  close(): void {
    this.sendFin();
  }

  /** The peer resets the connection (a dropped link). */
  abort(): void {
    this.sendReset();
    this.closed = true;
    this.reset = true;
  }

  receive(bytes: Uint8Array): void {
    if (this.closed) return;
    for (let i = 0; i < bytes.length; i++) this.#received.push(bytes[i]);
    if (this.#stalled) this.#held += bytes.length;
    else {
      const other = this.other;
      machine.after(0, () => other?.acked(bytes.length));
    }
    this.onData?.(bytes);
  }

  acked(n: number): void {
    this.unacked -= n;
  }

  finished(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClosed?.();
  }

  resetByPeer(): void {
    if (this.closed) return;
    this.closed = true;
    this.reset = true;
    this.done = true;
    this.onClosed?.();
  }
}

/** What socket.ts implements for a VM socket's end. */
export interface VmEndHooks {
  receive(bytes: Uint8Array): void;
  acked(n: number): void;
  finished(): void;
  resetByPeer(): void;
}

export class VmEnd extends TcpEnd {
  readonly remoteAddress: string;
  #hooks: VmEndHooks | undefined;
  /** What arrived before the VM accepted the connection (lwIP holds it: didReceiveWait). */
  readonly #held: (() => void)[] = [];

  constructor(remoteAddress: string) {
    super();
    this.remoteAddress = remoteAddress;
  }

  get hooks(): VmEndHooks | undefined {
    return this.#hooks;
  }

  /** Attaches the VM socket; what was held is handed over first, in order. */
  set hooks(hooks: VmEndHooks | undefined) {
    this.#hooks = hooks;
    if (hooks) for (const replay of this.#held.splice(0)) replay();
  }

  segmentSize(): number {
    return stackOptions.mss;
  }

  receive(bytes: Uint8Array): void {
    if (this.#hooks) this.#hooks.receive(bytes);
    else this.#held.push(() => this.#hooks?.receive(bytes));
  }

  acked(n: number): void {
    this.#hooks?.acked(n);
  }

  finished(): void {
    if (this.#hooks) this.#hooks.finished();
    else this.#held.push(() => this.#hooks?.finished());
  }

  resetByPeer(): void {
    this.done = true;
    if (this.#hooks) this.#hooks.resetByPeer();
    else this.#held.push(() => this.#hooks?.resetByPeer());
  }
}

export interface ListenerRecord {
  readonly port: number;
  /** Connections waiting for new Socket({listener}). */
  readonly accept: VmEnd[];
  /** Asks the VM to call the listener back (at most one message pending). */
  notify(): void;
}

export interface UdpRecord {
  readonly port: number;
  readonly groups: readonly string[];
  receive(bytes: Uint8Array, address: string, port: number): void;
}

export interface SentDatagram {
  readonly from: number;
  readonly address: string;
  readonly port: number;
  readonly bytes: Uint8Array;
}

type ServerHandler = (peer: Peer) => void;

class Wire {
  readonly listeners = new Map<number, ListenerRecord>();
  readonly servers = new Map<string, ServerHandler>();
  readonly hosts = new Map<string, string>();
  readonly udpSockets = new Set<UdpRecord>();
  readonly sent: SentDatagram[] = [];
  /** Groups the interface has joined (igmp_joingroup), with lwIP's use counts. */
  readonly joined = new Map<string, number>();
  /** VM sockets holding a pcb now. */
  active = 0;
  /** Connections the stack refused or aborted (limit reached, queue full, nothing listening). */
  refused = 0;
  #nextUdpPort = 49152;

  reset(): void {
    this.listeners.clear();
    this.servers.clear();
    this.hosts.clear();
    this.udpSockets.clear();
    this.sent.length = 0;
    this.joined.clear();
    this.active = 0;
    this.refused = 0;
    this.#nextUdpPort = 49152;
    Object.assign(stackOptions, DEFAULTS);
  }

  /**
   * A test peer connects to the device's listener on `port` from `remote` (default 10.0.0.2),
   * sending in segments of `split` bytes (default 1460). A connection the stack refuses comes
   * back closed and reset.
   */
  dial(port: number, options: { remote?: string; split?: number } = {}): Peer {
    const peer = new Peer(options.remote ?? "10.0.0.2", options.split ?? 1460);
    const end = new VmEnd(peer.remoteAddress);
    if (!this.offer(port, end)) {
      peer.closed = true;
      peer.reset = true;
      peer.done = true;
      return peer;
    }
    peer.other = end;
    end.other = peer;
    return peer;
  }

  /** Puts a connection in a listener's accept queue; false when the stack refuses it. */
  offer(port: number, end: VmEnd): boolean {
    const listener = this.listeners.get(port);
    if (!listener || this.active >= stackOptions.maxActive || listener.accept.length >= stackOptions.listenerQueue) {
      this.refused++;
      return false;
    }
    this.active++;
    listener.accept.push(end);
    listener.notify();
    return true;
  }

  /** A server at address:port outside the device: the device's connections to it arrive here. */
  serve(address: string, port: number, onConnection: ServerHandler): void {
    this.servers.set(`${address}:${port}`, onConnection);
  }

  /** A datagram from address:port to the device's port `to` (to a group: only its members). */
  sendUdp(bytes: Uint8Array, to: { port: number; group?: string }, from: { address: string; port: number }): number {
    let delivered = 0;
    for (const socket of this.udpSockets) {
      if (socket.port !== to.port) continue;
      if (to.group !== undefined && !socket.groups.includes(to.group) && !this.joined.get(to.group)) continue;
      socket.receive(bytes.slice(), from.address, from.port);
      delivered++;
    }
    return delivered;
  }

  /** The interface joins (or leaves) a group: lwIP counts joins; the last leave drops it. */
  joinGroup(group: string, join: boolean): void {
    const n = (this.joined.get(group) ?? 0) + (join ? 1 : -1);
    if (n > 0) this.joined.set(group, n);
    else this.joined.delete(group);
  }

  /** Binds a UDP port (0 picks one); undefined when another socket has it. */
  bindUdp(port: number, groups: readonly string[], receive: UdpRecord["receive"]): UdpRecord | undefined {
    const chosen = port === 0 ? this.#nextUdpPort++ : port;
    for (const socket of this.udpSockets) if (socket.port === chosen) return undefined;
    const bound: UdpRecord = { port: chosen, groups, receive };
    this.udpSockets.add(bound);
    return bound;
  }
}

export const wire = new Wire();
