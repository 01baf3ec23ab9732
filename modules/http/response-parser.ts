/*
 * ResponseParser: one HTTP/1.1 response (RFC 9112) from bytes as they arrive, for the core's
 * HTTP client. Bounded like the server's parser: the line being read grows to maxLineBytes and
 * no further (a redirect's Location can be a signed URL of a few kilobytes), the head as a whole
 * to maxHeadBytes; only the headers the caller asks to keep are kept.
 *
 * - The body is framed by Transfer-Encoding: chunked (decoded here; trailers are skipped), by
 *   Content-Length (exactly that many bytes; what follows is ignored), or by the connection's
 *   end. 1xx answers are skipped; 204, 304 and answers to HEAD have no body.
 * - push() calls onHead once the head is whole and onBody with body bytes as views into what
 *   arrived (valid during the call), in the order they come; it returns "end" once the body is
 *   whole, or an error ("malformed response: ..."). After either, further bytes are ignored.
 * - closed(): the connection ended; "end" when that ends a body without a length, else the
 *   error to report.
 */

import type { TextCodec } from "../host/text-codec";

export interface ResponseHead {
  readonly status: number;
  /** Content-Length, when the server sent one (a chunked body has none). */
  readonly contentLength?: number;
  /** The headers the caller asked for, lower-cased names. */
  readonly headers: Readonly<Record<string, string>>;
}

export interface ResponseLimits {
  /** Longest status or header line, in bytes. */
  readonly maxLineBytes: number;
  /** The whole head, in bytes. */
  readonly maxHeadBytes: number;
}

export type ResponseOutcome = "end" | { readonly error: string };

type Phase = "status" | "headers" | "body" | "chunk-size" | "chunk-data" | "chunk-end" | "trailer" | "done";

/** Made at run time, once per response: a preloaded regex corrupts XS 8.2.3's heap when it runs. */
function responseLinePatterns(): { status: RegExp; header: RegExp; chunkSize: RegExp; decimal: RegExp } {
  return {
    status: /^HTTP\/1\.[01] ([0-9]{3})(?: .*)?$/,
    header: /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*(.*?)[ \t]*$/,
    chunkSize: /^([0-9a-fA-F]{1,8})[ \t]*(?:;.*)?$/,
    decimal: /^[0-9]{1,15}$/,
  };
}
const LF = 0x0a;
const CR = 0x0d;

export class ResponseParser {
  readonly #limits: ResponseLimits;
  readonly #text: TextCodec;
  readonly #keep: readonly string[];
  readonly #noBody: boolean;
  readonly #onHead: (head: ResponseHead) => void;
  readonly #onBody: (bytes: Uint8Array) => void;
  readonly #patterns = responseLinePatterns();
  #phase: Phase = "status";
  #line: Uint8Array | undefined;
  #lineLength = 0;
  #headBytes = 0;
  #status = 0;
  #headers = Object.create(null) as Record<string, string>;
  #contentLength: number | undefined;
  #chunked = false;
  #left = 0;
  #head: ResponseHead | undefined;

  /**
   * @param keep lower-case names of the headers to keep (content-length, transfer-encoding and
   *   location are read anyway).
   * @param noBody true for an answer to HEAD.
   */
  constructor(options: {
    limits: ResponseLimits;
    text: TextCodec;
    keep?: readonly string[];
    noBody?: boolean;
    onHead: (head: ResponseHead) => void;
    onBody: (bytes: Uint8Array) => void;
  }) {
    this.#onHead = options.onHead;
    this.#limits = options.limits;
    this.#text = options.text;
    this.#keep = options.keep ?? [];
    this.#noBody = options.noBody ?? false;
    this.#onBody = options.onBody;
  }

  get head(): ResponseHead | undefined {
    return this.#head;
  }

  get done(): boolean {
    return this.#phase === "done";
  }

  /** Feeds what arrived; returns the outcome once the response is whole or broken. */
  push(bytes: Uint8Array): ResponseOutcome | undefined {
    let i = 0;
    while (i < bytes.length && this.#phase !== "done") {
      const phase = this.#phase;
      if (phase === "body" || phase === "chunk-data") {
        const n = this.#left < 0 ? bytes.length - i : Math.min(this.#left, bytes.length - i);
        if (n > 0) this.#onBody(bytes.subarray(i, i + n));
        i += n;
        if (this.#left >= 0) {
          this.#left -= n;
          if (this.#left === 0) {
            if (phase === "body") {
              this.#phase = "done";
              return "end";
            }
            this.#phase = "chunk-end";
          }
        }
        continue;
      }
      const lf = bytes.indexOf(LF, i);
      const stop = lf < 0 ? bytes.length : lf;
      if (this.#lineLength + (stop - i) > this.#limits.maxLineBytes) return this.#fail("a header line is too long");
      if (phase === "status" || phase === "headers") {
        this.#headBytes += stop - i + (lf < 0 ? 0 : 1);
        if (this.#headBytes > this.#limits.maxHeadBytes) return this.#fail("the response head is too large");
      }
      let line: Uint8Array;
      if (lf < 0) {
        this.#append(bytes.subarray(i, stop));
        break;
      }
      if (this.#lineLength === 0) line = bytes.subarray(i, stop);
      else {
        this.#append(bytes.subarray(i, stop));
        line = (this.#line as Uint8Array).subarray(0, this.#lineLength);
      }
      this.#lineLength = 0;
      i = lf + 1;
      const text = this.#lineText(line);
      if (text === undefined) return this.#fail("a line is not valid UTF-8");
      const failure = this.#completeLine(text);
      if (failure) return this.#fail(failure);
      if (this.done) return "end";
    }
    return undefined;
  }

  /** The connection ended: what that means for the response. */
  closed(): ResponseOutcome {
    if (this.#phase === "done") return "end";
    if (this.#phase === "body" && this.#left < 0) {
      this.#phase = "done";
      return "end";
    }
    this.#phase = "done";
    return { error: this.#head ? "connection dropped" : "connection closed before a response" };
  }

  #fail(why: string): ResponseOutcome {
    this.#phase = "done";
    this.#line = undefined;
    return { error: `malformed response: ${why}` };
  }

  #append(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const needed = this.#lineLength + bytes.length;
    let line = this.#line;
    if (!line || line.length < needed) {
      const most = this.#limits.maxLineBytes;
      let capacity = line ? line.length : Math.min(256, most);
      while (capacity < needed) capacity = Math.min(capacity * 2, Math.max(most, needed));
      const grown = new Uint8Array(capacity);
      if (line) grown.set(line.subarray(0, this.#lineLength));
      this.#line = line = grown;
    }
    line.set(bytes, this.#lineLength);
    this.#lineLength = needed;
  }

  /** A line's text without its CR (a bare LF is accepted from servers, as clients do). */
  #lineText(line: Uint8Array): string | undefined {
    const end = line.length > 0 && line[line.length - 1] === CR ? line.length - 1 : line.length;
    try {
      return this.#text.decode(end === line.length ? line : line.subarray(0, end));
    } catch {
      return undefined;
    }
  }

  /** Returns why the line is malformed, or undefined. */
  #completeLine(text: string): string | undefined {
    switch (this.#phase) {
      case "status": {
        const m = this.#patterns.status.exec(text);
        if (!m) return "not an HTTP/1.1 status line";
        this.#status = Number(m[1]);
        this.#phase = "headers";
        return undefined;
      }
      case "headers": {
        if (text === "") return this.#endOfHead();
        const m = this.#patterns.header.exec(text);
        if (!m) return "a header line is not name: value";
        const name = m[1].toLowerCase();
        if (name === "content-length") {
          if (!this.#patterns.decimal.test(m[2]) || (this.#contentLength !== undefined && this.#contentLength !== Number(m[2]))) return "invalid Content-Length";
          this.#contentLength = Number(m[2]);
        } else if (name === "transfer-encoding") {
          if (m[2].toLowerCase() !== "chunked") return `Transfer-Encoding ${m[2]} is not supported`;
          this.#chunked = true;
        }
        if (name === "location" || this.#keep.includes(name)) this.#headers[name] = m[2];
        return undefined;
      }
      case "chunk-size": {
        const m = this.#patterns.chunkSize.exec(text);
        if (!m) return "a chunk size is not hexadecimal";
        this.#left = parseInt(m[1], 16);
        this.#phase = this.#left === 0 ? "trailer" : "chunk-data";
        return undefined;
      }
      case "chunk-end":
        if (text !== "") return "a chunk does not end with CRLF";
        this.#phase = "chunk-size";
        return undefined;
      case "trailer":
        if (text === "") this.#phase = "done";
        return undefined;
      default:
        return undefined;
    }
  }

  #endOfHead(): string | undefined {
    if (this.#status < 200) {
      // 1xx (100 Continue, 103 Early Hints): another head follows.
      this.#phase = "status";
      this.#headers = Object.create(null) as Record<string, string>;
      this.#contentLength = undefined;
      this.#chunked = false;
      return undefined;
    }
    const head = (this.#head = Object.freeze({
      status: this.#status,
      contentLength: this.#chunked ? undefined : this.#contentLength,
      headers: this.#headers,
    }));
    this.#line = undefined;
    if (this.#noBody || this.#status === 204 || this.#status === 304 || (!this.#chunked && this.#contentLength === 0)) this.#phase = "done";
    else if (this.#chunked) this.#phase = "chunk-size";
    else {
      this.#phase = "body";
      this.#left = this.#contentLength ?? -1;
    }
    this.#onHead(head);
    return undefined;
  }
}
