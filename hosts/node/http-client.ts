/*
 * NodeHttpClient: the simulator's HttpClient over node:http. One GET, no agent (a fresh
 * connection that closes, as the device's client does), no redirects followed and no timeouts
 * (the core does both). Errors are turned into the plain words the device would give: a refused
 * connection, an unknown host, a connection dropped before the whole body arrived. shutdown()
 * aborts every download, as a reset drops the device's connections.
 */

import { request, type ClientRequest, type IncomingMessage } from "node:http";
import type { HttpClient, HttpDownload, HttpDownloadHandler, HttpGetOptions } from "../../modules/host/http-client";

function plainError(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case "ECONNREFUSED":
      return "connection refused";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "host not found";
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "host unreachable";
    case "ETIMEDOUT":
      return "connection timed out";
    case "ECONNRESET":
      return "connection dropped";
    default:
      return e.code?.startsWith("HPE_") ? "the server sent a malformed HTTP response" : e.message;
  }
}

class NodeDownload implements HttpDownload {
  readonly #handler: HttpDownloadHandler;
  readonly #request: ClientRequest;
  readonly #live: Set<NodeDownload>;
  #message: IncomingMessage | undefined;
  #done = false;

  constructor(options: HttpGetOptions, handler: HttpDownloadHandler, live: Set<NodeDownload>) {
    this.#handler = handler;
    this.#live = live;
    live.add(this);
    this.#request = request({ host: options.host, port: options.port, path: options.path, method: "GET", agent: false, headers: { connection: "close" } });
    this.#request.on("response", (response) => this.#response(response));
    this.#request.on("error", (e: NodeJS.ErrnoException) => {
      // Bytes after a complete body (more than Content-Length) are a parse error to Node; the
      // device's client stops reading at Content-Length, so the body counts as ended.
      if (this.#message?.complete) this.#finish(() => this.#handler.end());
      else this.#finish(() => this.#handler.error(plainError(e)));
    });
    this.#request.end();
  }

  #response(response: IncomingMessage): void {
    this.#message = response;
    const length = response.headers["content-length"];
    const location = response.headers.location;
    const ok = this.#call(() =>
      this.#handler.response({
        status: response.statusCode ?? 0,
        contentLength: length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined,
        location,
      }),
    );
    if (!ok) return;
    response.on("data", (chunk: Buffer) => void this.#call(() => this.#handler.data(chunk)));
    response.on("error", () => undefined); // reported by "close" below
    response.on("close", () => {
      // complete: the parser saw the whole body (Content-Length reached, last chunk, or EOF for
      // a body without a length); otherwise the connection broke first.
      if (response.complete) this.#finish(() => this.#handler.end());
      else this.#finish(() => this.#handler.error("connection dropped"));
    });
  }

  /** Runs a handler call unless the download ended; a throwing handler aborts the download. */
  #call(f: () => void): boolean {
    if (this.#done) return false;
    try {
      f();
    } catch {
      this.abort();
      return false;
    }
    return !this.#done;
  }

  #finish(f: () => void): void {
    if (this.#done) return;
    this.#done = true;
    this.#live.delete(this);
    try {
      f();
    } catch {
      // The handler's own failure; the download is over either way.
    }
    this.#request.destroy();
  }

  abort(): void {
    if (this.#done) return;
    this.#done = true;
    this.#live.delete(this);
    this.#request.destroy();
  }
}

export class NodeHttpClient implements HttpClient {
  readonly #live = new Set<NodeDownload>();

  get(options: HttpGetOptions, handler: HttpDownloadHandler): HttpDownload {
    return new NodeDownload(options, handler, this.#live);
  }

  /** Aborts every download (the simulator's restart: a device reset drops its connections). */
  shutdown(): void {
    for (const download of this.#live) download.abort();
  }
}
