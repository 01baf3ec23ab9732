/*
 * ImageServer: a local HTTP server for OTA tests that serves images well, slowly, chunked,
 * truncated, with a lying Content-Length, dropped or stalled mid-way, as 404/500, or as a
 * redirect. It speaks HTTP over a raw socket (node:net) so it can break the protocol the way
 * real servers and networks do, which node:http would not let it. Every connection it opened is
 * closed by close(), so a stalled download never keeps a test alive.
 */

import { createServer, type Server, type Socket } from "node:net";

export interface ImageRoute {
  /** Status code (default 200). */
  status?: number;
  /** The file served. */
  body?: Uint8Array;
  /** Content-Length to announce: the body's length by default; null sends none (read until close). */
  contentLength?: number | null;
  /** Send the body with Transfer-Encoding: chunked. */
  chunked?: boolean;
  /** Location header, for a redirect. */
  location?: string;
  /** Bytes per write (default 16 KB). */
  chunkBytes?: number;
  /** Pause between writes in ms (a slow server). */
  delayMs?: number;
  /** Send this many body bytes, then close the connection normally (FIN). */
  endAfter?: number;
  /** Send this many body bytes, then reset the connection (a dropped link). */
  destroyAfter?: number;
  /** Send this many body bytes, then send nothing more and keep the connection open. */
  stallAfter?: number;
  /** Accept the connection but never answer. */
  silent?: boolean;
}

const REASONS: Record<number, string> = { 200: "OK", 301: "Moved Permanently", 302: "Found", 307: "Temporary Redirect", 404: "Not Found", 500: "Internal Server Error" };

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class ImageServer {
  readonly #server: Server;
  readonly #routes = new Map<string, ImageRoute>();
  readonly #sockets = new Set<Socket>();
  readonly requests: string[] = [];
  #port = 0;

  constructor() {
    this.#server = createServer((socket) => this.#connection(socket));
  }

  /** Starts listening on 127.0.0.1 and a free port; resolves with the base URL. */
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    this.#port = (this.#server.address() as { port: number }).port;
    return this.url("");
  }

  get port(): number {
    return this.#port;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.#port}${path}`;
  }

  route(path: string, route: ImageRoute): this {
    this.#routes.set(path, route);
    return this;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #connection(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on("close", () => this.#sockets.delete(socket));
    socket.on("error", () => undefined);
    let head = "";
    const onData = (chunk: Buffer): void => {
      head += chunk.toString("latin1");
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      socket.off("data", onData);
      const [method, path] = head.slice(0, head.indexOf("\r\n")).split(" ");
      this.requests.push(`${method} ${path}`);
      void this.#answer(socket, this.#routes.get(path) ?? { status: 404, body: Buffer.from("not found\n") });
    };
    socket.on("data", onData);
  }

  async #answer(socket: Socket, route: ImageRoute): Promise<void> {
    if (route.silent) return;
    const status = route.status ?? 200;
    const body = route.body ?? new Uint8Array(0);
    const lines = [`HTTP/1.1 ${status} ${REASONS[status] ?? "Status"}`, "Connection: close", "Content-Type: application/octet-stream"];
    if (route.location !== undefined) lines.push(`Location: ${route.location}`);
    if (route.chunked) lines.push("Transfer-Encoding: chunked");
    else if (route.contentLength !== null) lines.push(`Content-Length: ${route.contentLength ?? body.length}`);
    socket.write(lines.join("\r\n") + "\r\n\r\n");
    const limit = Math.min(body.length, route.endAfter ?? route.destroyAfter ?? route.stallAfter ?? body.length);
    const step = route.chunkBytes ?? 16 * 1024;
    for (let at = 0; at < limit && !socket.destroyed; at += step) {
      const piece = body.subarray(at, Math.min(limit, at + step));
      if (route.chunked) socket.write(`${piece.length.toString(16)}\r\n`);
      socket.write(piece);
      if (route.chunked) socket.write("\r\n");
      if (route.delayMs) await sleep(route.delayMs);
    }
    if (socket.destroyed) return;
    if (route.destroyAfter !== undefined) return void socket.resetAndDestroy();
    if (route.stallAfter !== undefined) return;
    if (route.chunked && route.endAfter === undefined) socket.write("0\r\n\r\n");
    socket.end();
  }
}
