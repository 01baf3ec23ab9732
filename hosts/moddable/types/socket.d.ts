/*
 * The Moddable `socket` module (the legacy Socket and Listener) as it behaves at run time, SDK
 * 8.2.3 (modules/network/socket/socket.js, lwip/modSocket.c, lin/modSocket.c), where
 * @moddable/typings is loose. A module-form file: host code casts the SDK's classes to these
 * once, in one place.
 *
 * - Callback messages: 1 connected, 2 data received (value: bytes available now), 3 data sent
 *   (value: bytes write() takes now), -1 disconnected, -2 error. A UDP socket's data message
 *   also passes the sender's address and port.
 * - read(ArrayBuffer) returns every byte available now (one lwIP pbuf; on Linux, what one recv
 *   got). Only during the data callback: the Linux simulator drops what was not read by then.
 * - write() with no argument answers how many bytes it takes now (lwIP's tcp_sndbuf; 1024 less
 *   what is unsent on Linux); write(...parts) takes ArrayBuffers, typed arrays, strings (their
 *   UTF-8) and bytes, all or nothing: "can't write all data" when they do not fit.
 * - A Listener calls its callback once per pending connection; the app accepts it with
 *   new Socket({listener}). A bind failure throws from the constructor ("socket bind").
 * - get("REMOTE_IP") is the peer's address.
 */

export type SocketMessage = -2 | -1 | 1 | 2 | 3;

export interface TcpSocketInstance {
  callback: (message: SocketMessage, value?: number) => void;
  read(type: typeof ArrayBuffer): ArrayBuffer | undefined;
  read(): number;
  write(): number;
  write(...parts: (ArrayBuffer | ArrayBufferView | string)[]): void;
  get(what: "REMOTE_IP"): string | undefined;
  close(): void;
}

export interface UdpSocketInstance {
  callback: (message: SocketMessage, value: number, address: string, port: number) => void;
  read(type: typeof ArrayBuffer, until?: number): ArrayBuffer;
  write(address: string, port: number, data: ArrayBuffer | ArrayBufferView): void;
  close(): void;
}

export interface SocketClass {
  new (options: { listener: ListenerInstance; noDelay?: boolean }): TcpSocketInstance;
  new (options: { host?: string; address?: string; port: number; noDelay?: boolean }): TcpSocketInstance;
}

export interface UdpSocketClass {
  new (options: { kind: "UDP"; port?: number; multicast?: string; ttl?: number }): UdpSocketInstance;
}

export interface ListenerInstance {
  callback: () => void;
  close(): void;
}

export interface ListenerClass {
  new (options: { port: number }): ListenerInstance;
}
