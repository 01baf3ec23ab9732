/*
 * The device's HttpClient over Moddable's http Request, streaming: no `response` type is given,
 * so the body arrives as responseFragment messages and each fragment is read as it comes and
 * handed on; the image is never held whole.
 *
 * - Headers: only Content-Length and Location are kept (the core needs nothing else).
 * - response() is called at headersComplete, data() per fragment (at most the bytes the
 *   Request says are available), end() at responseComplete, error() for any error message.
 *   The Request gives no reason for an error, so the words say only what is known: whether it
 *   happened before the server answered (unreachable, refused, unknown host) or after.
 * - abort() closes the Request, which deletes its callback: nothing is called after it. A
 *   handler that throws aborts too; the exception never reaches the socket.
 * - Plain HTTP only (no TLS: the device has no room for it next to an image download).
 */

import { Request } from "http";
import type { HttpClient, HttpDownload, HttpDownloadHandler, HttpGetOptions } from "../../modules/host/http-client";
import type { RequestMessages } from "./types/http";
import type { RequestClass, RequestInstance } from "./types/http-request";

/** The message numbers as the runtime has them (the typings have some wrong). */
const MESSAGE: RequestMessages = Object.freeze({
  requestFragment: 0,
  status: 1,
  header: 2,
  headersComplete: 3,
  responseFragment: 4,
  responseComplete: 5,
  error: -2,
});

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

class ModdableDownload implements HttpDownload {
  readonly #handler: HttpDownloadHandler;
  #request: RequestInstance | undefined;
  #status = 0;
  #contentLength: number | undefined;
  #location: string | undefined;

  constructor(options: HttpGetOptions, handler: HttpDownloadHandler) {
    this.#handler = handler;
    const where = IPV4.test(options.host) ? { address: options.host } : { host: options.host };
    const request = new (Request as unknown as RequestClass)({ ...where, port: options.port, path: options.path, method: "GET" });
    this.#request = request;
    const download = this;
    request.callback = function (message, value, etc) {
      download.#message(message, value, etc);
    };
  }

  #message(message: number, value: unknown, etc: unknown): void {
    const request = this.#request;
    if (!request) return;
    try {
      switch (message) {
        case MESSAGE.status:
          this.#status = value as number;
          break;
        case MESSAGE.header: {
          const name = value as string; // lower-cased by the Request
          if (name === "content-length") {
            const n = Number(etc);
            this.#contentLength = Number.isInteger(n) && n >= 0 ? n : undefined;
          } else if (name === "location") this.#location = String(etc);
          break;
        }
        case MESSAGE.headersComplete:
          this.#handler.response({ status: this.#status, contentLength: this.#contentLength, location: this.#location });
          break;
        case MESSAGE.responseFragment: {
          // Read exactly what is announced: with a Content-Length, bytes past it are not body.
          const buffer = request.read(ArrayBuffer, value as number);
          if (buffer && buffer.byteLength) this.#handler.data(new Uint8Array(buffer));
          break;
        }
        case MESSAGE.responseComplete:
          this.#request = undefined;
          this.#handler.end();
          break;
        default:
          if (message < 0) {
            this.#request = undefined;
            this.#handler.error(this.#status ? "connection dropped" : "no connection (host unreachable, unknown or refusing)");
          }
      }
    } catch {
      this.abort();
    }
  }

  abort(): void {
    const request = this.#request;
    this.#request = undefined;
    request?.close();
  }
}

export class ModdableHttpClient implements HttpClient {
  get(options: HttpGetOptions, handler: HttpDownloadHandler): HttpDownload {
    return new ModdableDownload(options, handler);
  }
}
