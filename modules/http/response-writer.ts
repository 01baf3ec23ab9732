/*
 * ResponseWriter: one HttpResponse onto a Tcp connection, as fast as the connection takes it and
 * no faster, holding at most one socket's worth of encoded bytes.
 *
 * - The head is "HTTP/1.1 <status> <reason>", the handler's headers, then the server's own:
 *   content-length (a fixed body) or transfer-encoding: chunked (fragments), and
 *   connection: close. content-length, transfer-encoding and connection from the handler are
 *   dropped. A status outside 100-599, a header name that is not a token, or a value with a
 *   line break or NUL throws ResponseError at construction: the caller answers 500 instead.
 * - A string body goes out as its UTF-8 bytes, a Uint8Array as it is. A 204 or 304 has no body
 *   and no content-length (a 304's would have to be the 200's length).
 * - An Iterable<string | Uint8Array> body goes out chunked. pump() takes fragments until they
 *   fill what the connection takes now (writable()) and writes them as one chunk: neighbouring
 *   strings are joined and encoded once, bytes (a page's fixed markup, made once and kept in
 *   flash) go out as they are, never copied or encoded again. So a page of fifty fragments
 *   leaves in a few TCP segments, not fifty. If the iterator throws, what it
 *   produced before goes out, then the head of a chunk that never comes, and pump() throws
 *   (FragmentError): the caller aborts the connection, and the client sees a broken response
 *   (some clients take a connection closed between chunks for a whole one; inside one, none do).
 * - An HttpStream body (http-message.ts) goes out as it comes, without a length: the head has
 *   neither content-length nor transfer-encoding, and the body ends when the connection closes.
 *   The stream is opened once the head is out; pump() pulls from it only when everything it
 *   pulled before has been written, so the writer holds at most one pull's bytes. keepAlive()
 *   queues the stream's keep-alive text when it has nothing pending. The stream is closed
 *   exactly once, whatever ends it (it ends itself, abandon(), a HEAD request, a bad header).
 * - HEAD: the same head, no body; the fragments are never produced.
 * - abandon() lets go of the fragments (a generator runs its finally blocks).
 */

import type { TcpConnection } from "../host/tcp";
import type { TextCodec } from "../host/text-codec";
import { isHttpStream, type HttpResponse, type HttpStream } from "./http-message";
import { STATUS_TEXT } from "./response";
import { isToken } from "./request-parser";

export class ResponseError extends Error {
  override readonly name = "ResponseError";
}

/** The body's fragments failed while being sent; the message says what they threw. */
export class FragmentError extends Error {
  override readonly name = "FragmentError";
}

/**
 * What a server's writers share, made once per server: `checked` remembers the frozen header
 * objects (the routes' constant tables) already found valid, with their lines as the head
 * carries them, so those are checked and rendered once, not per response (walking an object's
 * keys is the costliest part of a small answer's head on XS). A Map, not a WeakMap: XS keeps a
 * weak collection's entries on the key object itself, which it cannot do to a preloaded one (in
 * flash on the device: "WeakSet.prototype.add: value: read-only"). Bounded (CHECKED_TABLES), so
 * a handler that freezes a new table per answer holds no more; made with its first entry, so an
 * idle server that has answered nothing holds none. A header's name and value are checked by
 * scans (isToken, hasLineBreak), not by regular expressions held per server.
 */
export interface ResponsePatterns {
  checked: Map<object, string> | undefined;
}

/** How many frozen header tables a server remembers as checked: the routes' constants. */
const CHECKED_TABLES = 32;

export function responsePatterns(): ResponsePatterns {
  return { checked: undefined };
}

/** A header value that would end its line or the head: CR, LF or NUL (three native searches, no regex). */
function hasLineBreak(value: string): boolean {
  return value.includes("\r") || value.includes("\n") || value.includes("\0");
}
const SET_BY_SERVER: readonly string[] = Object.freeze(["content-length", "transfer-encoding", "connection"]);
/** Before a chunk's data: "\r\n" ending the previous chunk, its size in hex (at most "ffff"), "\r\n". */
const CHUNK_FRAMING = 8;
/** A chunk is at most this long, so its size fits the framing above. */
const MAX_CHUNK = 0xffff;

type Stage = "head" | "fixed" | "chunks" | "last" | "stream" | "done";

/**
 * A fragment body's state, made only for one (most answers are a string or bytes, and every
 * field a writer has costs each response its construction on XS).
 */
class Chunked {
  readonly fragments: Iterator<string | Uint8Array>;
  /** Still taking fragments. */
  open = true;
  /** The fragments taken and not yet written, in order, as bytes; the first from pieceOffset. */
  pieces: Uint8Array[] = [];
  pieceOffset = 0;
  /** Bytes in pieces still to write. */
  queued = 0;
  /** Chunks written so far. */
  count = 0;
  /** What the fragments threw; raised once what they produced before it has been written. */
  failure: string | undefined = undefined;
  constructor(fragments: Iterator<string | Uint8Array>) {
    this.fragments = fragments;
  }
}

export class ResponseWriter {
  readonly status: number;
  readonly #text: TextCodec;
  #stage: Stage = "head";
  /** Bytes being written, from #offset: the head or the fixed body. */
  #bytes: Uint8Array | undefined;
  #offset = 0;
  /** The fixed body, written after the head. */
  #fixed: Uint8Array | undefined;
  /** A fragment body's state. */
  #chunked: Chunked | undefined;
  #written = 0;
  /** The stream body, until it is closed. */
  #stream: HttpStream | undefined;
  readonly #wake: (() => void) | undefined;
  #pumping = false;

  /** wake: what the stream calls when it has more to say (the server pumps this writer then). */
  constructor(response: HttpResponse, head: boolean, text: TextCodec, patterns: ResponsePatterns = responsePatterns(), wake?: () => void) {
    const body = response.body ?? "";
    // A string body (most answers) is not even asked.
    const stream = typeof body === "object" && isHttpStream(body) ? body : undefined;
    this.#wake = wake;
    const status = response.status;
    let lines = "";
    try {
      if (!Number.isInteger(status) || status < 100 || status > 599) throw new ResponseError(`invalid status ${String(status)}`);
      lines = `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? "Unknown"}\r\n`;
      const headers = response.headers;
      if (headers) {
        // A frozen table cannot change once checked: its lines are made once.
        const checked = patterns.checked;
        const known = checked?.get(headers);
        if (known !== undefined) lines += known;
        else {
          let own = "";
          for (const name in headers) {
            const value = String(headers[name]);
            if (!isToken(name)) throw new ResponseError(`invalid header name ${JSON.stringify(name)}`);
            if (hasLineBreak(value)) throw new ResponseError(`header ${name} has a line break`);
            if (!SET_BY_SERVER.includes(name.toLowerCase())) own += name + ": " + value + "\r\n";
          }
          lines += own;
          if ((checked === undefined || checked.size < CHECKED_TABLES) && Object.isFrozen(headers)) (patterns.checked ??= new Map()).set(headers, own);
        }
      }
    } catch (e) {
      // The response is never sent: a stream it carried is released all the same.
      closeStream(stream);
      throw e;
    }
    this.status = status;
    this.#text = text;
    if (stream) {
      // Delimited by the close: no length to announce, and no chunk framing to pay per event.
      if (head) closeStream(stream);
      else this.#stream = stream;
    } else if (status === 204 || status === 304) {
      // No body, whatever the handler gave: the fragments are never asked for.
    } else if (typeof body === "string" || body instanceof Uint8Array) {
      const bytes = typeof body === "string" ? text.encode(body) : body;
      lines += `content-length: ${bytes.length}\r\n`;
      if (!head && bytes.length > 0) this.#fixed = bytes;
    } else {
      lines += "transfer-encoding: chunked\r\n";
      // HEAD: the fragments are never asked for (a generator's body never even starts).
      if (!head) this.#chunked = new Chunked((body as Iterable<string | Uint8Array>)[Symbol.iterator]());
    }
    this.#bytes = text.encode(`${lines}connection: close\r\n\r\n`);
  }

  /** True once every byte of the response has been handed to the connection. */
  get done(): boolean {
    return this.#stage === "done";
  }

  /** Bytes handed to the connection so far. */
  get written(): number {
    return this.#written;
  }

  /** True while a stream body is being sent (its head is out). */
  get streaming(): boolean {
    return this.#stage === "stream";
  }

  /**
   * Queues the stream's keep-alive text, when it is streaming and has nothing pending; true if
   * it did. The caller pumps afterwards.
   */
  keepAlive(): boolean {
    const stream = this.#stream;
    if (this.#stage !== "stream" || this.#bytes || !stream || stream.keepAlive === "") return false;
    this.#bytes = this.#text.encode(stream.keepAlive);
    this.#offset = 0;
    return true;
  }

  /**
   * Writes what the connection takes now; returns true when it wrote anything. Throws
   * FragmentError when the body's fragments fail, or whatever the connection's write throws.
   */
  pump(connection: TcpConnection): boolean {
    // A stream that wakes the server from inside pull() must not write in the middle of a
    // write; nothing else can call back in (only a stream has a wake).
    if (!this.#stream) return this.#pump(connection);
    if (this.#pumping) return false;
    this.#pumping = true;
    try {
      return this.#pump(connection);
    } finally {
      this.#pumping = false;
    }
  }

  #pump(connection: TcpConnection): boolean {
    let wrote = false;
    for (;;) {
      const stage = this.#stage;
      if (stage === "done") return wrote;
      const space = connection.writable();
      if (stage === "head" || stage === "fixed") {
        const bytes = this.#bytes;
        if (!bytes) {
          this.#next();
          continue;
        }
        if (space <= 0) return wrote;
        const n = Math.min(bytes.length - this.#offset, space);
        const fixed = this.#fixed;
        if (stage === "head" && fixed && this.#offset === 0 && n === bytes.length && fixed.length <= space - n) {
          // A small answer leaves in one write, head and body together: one segment, not two.
          connection.write(bytes, fixed);
          this.#written += n + fixed.length;
          this.#bytes = undefined;
          this.#fixed = undefined;
          this.#stage = "done";
          return true;
        }
        connection.write(this.#offset === 0 && n === bytes.length ? bytes : bytes.subarray(this.#offset, this.#offset + n));
        this.#advance(n);
        wrote = true;
      } else if (stage === "stream") {
        if (space <= 0) return wrote;
        if (!this.#bytes) {
          const stream = this.#stream as HttpStream;
          const next = stream.pull(space);
          if (next === undefined) {
            this.#endStream();
            this.#stage = "done";
            continue;
          }
          if (next === "") return wrote;
          this.#bytes = this.#text.encode(next);
          this.#offset = 0;
        }
        const bytes = this.#bytes;
        const n = Math.min(bytes.length - this.#offset, space);
        connection.write(this.#offset === 0 && n === bytes.length ? bytes : bytes.subarray(this.#offset, this.#offset + n));
        this.#advance(n);
        wrote = true;
      } else if (stage === "chunks") {
        const c = this.#chunked as Chunked;
        if (space <= CHUNK_FRAMING) return wrote;
        if (c.queued === 0 && c.failure !== undefined) this.#fail(connection, c);
        if (c.queued === 0 && !this.#produce(c, space - CHUNK_FRAMING)) {
          if (c.failure !== undefined) this.#fail(connection, c);
          this.#stage = "last";
          continue;
        }
        const n = Math.min(c.queued, space - CHUNK_FRAMING, MAX_CHUNK);
        const framing = this.#text.encode(`${c.count++ ? "\r\n" : ""}${n.toString(16)}\r\n`);
        connection.write(framing, ...take(c, n));
        this.#written += framing.length + n;
        wrote = true;
      } else {
        const last = (this.#chunked as Chunked).count ? "\r\n0\r\n\r\n" : "0\r\n\r\n";
        if (space < last.length) return wrote;
        connection.write(this.#text.encode(last));
        this.#written += last.length;
        this.#stage = "done";
        wrote = true;
      }
    }
  }

  /** Opens a chunk that never comes (there is room: the caller checked), then throws. */
  #fail(connection: TcpConnection, c: Chunked): never {
    const open = this.#text.encode(`${c.count ? "\r\n" : ""}1\r\n`);
    connection.write(open);
    this.#written += open.length;
    this.#stage = "done";
    throw new FragmentError(c.failure as string);
  }

  /** The stage after the head (or the fixed body) has gone out. */
  #next(): void {
    if (this.#stage === "head" && this.#fixed) {
      this.#stage = "fixed";
      this.#bytes = this.#fixed;
      this.#fixed = undefined;
    } else if (this.#stage === "head" && this.#stream) {
      this.#stage = "stream";
      // From here on the stream may wake the server; it is pulled at once, in this pump.
      const wake = this.#wake;
      this.#stream.open(wake ?? noWake);
    } else this.#stage = this.#stage === "head" && this.#chunked ? "chunks" : "done";
  }

  /** Closes the stream body, once. */
  #endStream(): void {
    const stream = this.#stream;
    this.#stream = undefined;
    closeStream(stream);
  }

  #advance(n: number): void {
    this.#offset += n;
    this.#written += n;
    if (this.#bytes && this.#offset >= this.#bytes.length) {
      this.#bytes = undefined;
      this.#offset = 0;
    }
  }

  /**
   * Takes fragments until they make at least `target` bytes (a string's UTF-16 length is at
   * most its UTF-8 length) and queues them as bytes: neighbouring strings joined and encoded
   * once, bytes as they are. False when the fragments have ended and nothing is queued.
   */
  #produce(c: Chunked, target: number): boolean {
    if (!c.open) return false;
    const iterator = c.fragments;
    let strings: string[] | undefined;
    let length = 0;
    while (length < target) {
      let step: IteratorResult<string | Uint8Array>;
      try {
        step = iterator.next();
      } catch (e) {
        // What came before the failure still goes out: the client sees the page up to there,
        // then a connection closed before the last chunk.
        c.open = false;
        c.failure = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        break;
      }
      if (step.done) {
        c.open = false;
        break;
      }
      const value = step.value;
      if (typeof value === "string") {
        if (value.length === 0) continue;
        (strings ??= []).push(value);
        length += value.length;
      } else if (value instanceof Uint8Array) {
        if (value.length === 0) continue;
        if (strings) this.#queueText(c, strings);
        strings = undefined;
        c.pieces.push(value);
        c.queued += value.length;
        length += value.length;
      } else {
        this.abandon();
        throw new FragmentError("a body fragment is neither a string nor bytes");
      }
    }
    if (strings) this.#queueText(c, strings);
    return c.queued > 0;
  }

  #queueText(c: Chunked, strings: string[]): void {
    const bytes = this.#text.encode(strings.length === 1 ? strings[0] : strings.join(""));
    c.pieces.push(bytes);
    c.queued += bytes.length;
  }

  /** Stops: lets go of the fragments (a generator runs its finally blocks). */
  abandon(): void {
    const c = this.#chunked;
    const fragments = c?.open ? c.fragments : undefined;
    if (c) {
      c.open = false;
      c.pieces = [];
      c.queued = 0;
    }
    this.#bytes = undefined;
    this.#fixed = undefined;
    this.#stage = "done";
    this.#endStream();
    try {
      fragments?.return?.();
    } catch {
      // A generator that throws while closing has nothing more to send anyway.
    }
  }
}

/** The next n queued bytes, as views on the pieces (no copy); they leave the queue. */
function take(c: Chunked, n: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  const pieces = c.pieces;
  let left = n;
  while (left > 0) {
    const piece = pieces[0];
    const from = c.pieceOffset;
    const size = Math.min(piece.length - from, left);
    out.push(from === 0 && size === piece.length ? piece : piece.subarray(from, from + size));
    left -= size;
    if (from + size === piece.length) {
      pieces.shift();
      c.pieceOffset = 0;
    } else c.pieceOffset = from + size;
  }
  c.queued -= n;
  return out;
}

function noWake(): void {
  // A writer made without a wake: the stream is pulled only when the connection has room.
}

/** Closes a stream body; what its close() throws is its own business, never the server's. */
function closeStream(stream: HttpStream | undefined): void {
  try {
    stream?.close();
  } catch {
    // The stream is done with either way.
  }
}
