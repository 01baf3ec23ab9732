/*
 * NodeHttpServer: the simulator's HttpServer over node:http, held to the device's limits
 * (HTTP_LIMITS) so that what the device refuses, the simulator refuses the same way:
 * - request line over the limit 414, head over the limit 431, body over the limit 413,
 *   a chunked request body 411 (the device's server cannot read one), malformed 400, a request
 *   not complete in time 408;
 * - more than maxConnections connections at once: the extra one is answered 503 with
 *   Retry-After and closed, the others are served;
 * - every response closes its connection (the device's server has no keep-alive), string
 *   bodies go out as UTF-8 with an exact Content-Length, fragment bodies as they come with
 *   the socket's backpressure respected.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { HttpBody, HttpHandler, HttpResponse, HttpServer, HttpServerOptions, HttpService } from "../../modules/host/http-server";
import { HTTP_LIMITS, type HttpLimits } from "../../modules/http/limits";
import { STATUS_TEXT, jsonError } from "../../modules/http/response";

const decoder = new TextDecoder("utf-8", { fatal: true });

/** Writes a whole response straight to a socket: for refusals made before node:http parsed. */
function writeRaw(socket: Socket, response: HttpResponse): void {
  if (socket.destroyed || !socket.writable) return;
  const body = Buffer.from(typeof response.body === "string" ? response.body : "");
  let head = `HTTP/1.1 ${response.status} ${STATUS_TEXT[response.status] ?? ""}\r\n`;
  for (const [name, value] of Object.entries(response.headers ?? {})) head += `${name}: ${value}\r\n`;
  head += `content-length: ${body.length}\r\nconnection: close\r\n\r\n`;
  socket.end(Buffer.concat([Buffer.from(head), body]));
}

async function sendBody(res: ServerResponse, body: HttpBody | undefined): Promise<void> {
  if (body === undefined || typeof body === "string" || body instanceof Uint8Array) {
    const bytes = body === undefined ? Buffer.alloc(0) : typeof body === "string" ? Buffer.from(body, "utf8") : Buffer.from(body);
    res.setHeader("content-length", bytes.length);
    res.end(bytes);
    return;
  }
  // Fragments are produced as they are sent: one that throws is past the manager's guard, and
  // its status line is already out, so the connection is cut (a truncated chunked body).
  try {
    for (const fragment of body) {
      if (res.destroyed) return;
      if (!res.write(fragment, "utf8")) await new Promise<void>((resolve) => res.once("drain", resolve).once("close", resolve));
    }
  } catch {
    res.destroy();
    return;
  }
  res.end();
}

export class NodeHttpServer implements HttpServer {
  readonly #defaultPort: number;
  readonly #defaultHost: string;
  readonly #limits: HttpLimits;
  readonly #servers = new Set<Server>();
  #first: Promise<{ host: string; port: number }> | undefined;
  #settleFirst: ((ready: Promise<{ host: string; port: number }>) => void) | undefined;
  /** Settles with the outcome of the first server the app starts, whenever it starts one. */
  readonly firstServed = new Promise<{ host: string; port: number }>((resolve) => {
    this.#settleFirst = resolve;
  });

  /** limits: the device's by default; the simulator may change them (--max-connections, tests). */
  constructor(defaults: { port: number; host: string; limits?: Partial<HttpLimits> }) {
    this.#defaultPort = defaults.port;
    this.#defaultHost = defaults.host;
    this.#limits = Object.freeze({ ...HTTP_LIMITS, ...defaults.limits });
    this.firstServed.catch(() => undefined); // observed by the simulator's boot; never unhandled
  }

  serve(options: HttpServerOptions, handler: HttpHandler): HttpService {
    const limits = this.#limits;
    const sockets = new Set<Socket>();
    const server = createServer({
      // node:http's limit covers the request line and the headers together.
      maxHeaderSize: limits.maxRequestLineBytes + limits.maxHeaderBytes,
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: limits.requestTimeoutMs,
      // node:http only looks for overdue requests this often (30 s by default).
      connectionsCheckingInterval: Math.max(100, Math.min(1000, limits.requestTimeoutMs / 4)),
      keepAliveTimeout: 1,
    });
    this.#servers.add(server);

    server.on("connection", (socket: Socket) => {
      if (sockets.size >= limits.maxConnections) {
        writeRaw(socket, jsonError(503, "too many connections; try again shortly", { "retry-after": "1" }));
        socket.destroySoon();
        return;
      }
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
    });

    server.on("clientError", (err: NodeJS.ErrnoException, socket: Socket) => {
      const code = err.code ?? "";
      const response =
        code === "HPE_HEADER_OVERFLOW"
          ? jsonError(431, "request headers too large")
          : code === "ERR_HTTP_REQUEST_TIMEOUT"
            ? jsonError(408, "request not received in time")
            : code === "HPE_INVALID_METHOD"
              ? jsonError(501, "method not implemented")
              : jsonError(400, "malformed request");
      // The slot is free once the last answer is written, not when the socket has fully
      // closed a moment later: a client that saw the end may already be connecting again.
      sockets.delete(socket);
      writeRaw(socket, response);
      socket.destroySoon();
    });

    server.on("request", (req: IncomingMessage, res: ServerResponse) => {
      res.once("finish", () => sockets.delete(req.socket));
      this.#serveOne(req, res, handler).catch(() => res.destroy());
    });

    const ready = new Promise<{ host: string; port: number }>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? this.#defaultPort, options.host ?? this.#defaultHost, () => {
        server.off("error", reject);
        const address = server.address();
        if (address && typeof address === "object") resolve({ host: address.address, port: address.port });
        else reject(new Error("server has no address"));
      });
    });
    ready.catch(() => undefined);
    if (!this.#first) {
      this.#first = ready;
      this.#settleFirst?.(ready);
    }

    return {
      ready,
      close: () => {
        this.#servers.delete(server);
        server.close();
        for (const socket of sockets) socket.destroy();
      },
    };
  }

  async #serveOne(req: IncomingMessage, res: ServerResponse, handler: HttpHandler): Promise<void> {
    const limits = this.#limits;
    const reply = async (response: HttpResponse): Promise<void> => {
      if (res.headersSent || res.destroyed) return;
      res.statusCode = response.status;
      for (const [name, value] of Object.entries(response.headers ?? {})) res.setHeader(name, value);
      res.setHeader("connection", "close");
      await sendBody(res, req.method === "HEAD" ? "" : response.body);
    };
    const url = req.url ?? "/";
    const method = req.method ?? "GET";
    if (method.length + url.length + 10 > limits.maxRequestLineBytes) return reply(jsonError(414, "request line too long"));
    if (req.headers["transfer-encoding"] !== undefined)
      return reply(jsonError(411, "chunked request bodies are not accepted; send a Content-Length"));
    // node:http's own limit counts the request line and the headers together; the device
    // counts the header lines alone ("name: value\r\n" each).
    let headerBytes = 0;
    for (let i = 0; i < req.rawHeaders.length; i += 2) headerBytes += req.rawHeaders[i].length + req.rawHeaders[i + 1].length + 4;
    if (headerBytes > limits.maxHeaderBytes) return reply(jsonError(431, "request headers too large"));
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > limits.maxBodyBytes) return reply(jsonError(413, `request body larger than ${limits.maxBodyBytes} bytes`));

    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > limits.maxBodyBytes) return reply(jsonError(413, `request body larger than ${limits.maxBodyBytes} bytes`));
        chunks.push(chunk);
      }
    } catch {
      return; // The client went away mid-body.
    }
    let body: string;
    try {
      body = decoder.decode(Buffer.concat(chunks));
    } catch {
      return reply(jsonError(400, "request body is not valid UTF-8"));
    }
    const q = url.indexOf("?");
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(", ") : (value ?? "");
    let response: HttpResponse;
    try {
      response = handler({
        method,
        path: q < 0 ? url : url.slice(0, q),
        query: q < 0 ? "" : url.slice(q + 1),
        headers,
        body,
        remote: req.socket.remoteAddress,
      });
    } catch (e) {
      response = jsonError(500, "internal error");
    }
    await reply(response);
  }

  /** Settles with the outcome of the first server the app started. */
  async whenServing(): Promise<{ host: string; port: number }> {
    // The app calls serve() from run(), synchronously in its top level, so it exists by now.
    if (!this.#first) throw new Error("the app did not start a web server (did main.ts call run()?)");
    return this.#first;
  }

  /** Closes every server this host started (the simulator's reboot). */
  shutdown(): void {
    for (const server of this.#servers) {
      server.close();
      server.closeAllConnections();
    }
    this.#servers.clear();
  }
}
