/*
 * RequestParser: one HTTP/1.1 request (RFC 9112) from bytes as they arrive, held to HttpLimits.
 * The same code reads every request on every host, so the device and the simulator refuse the
 * same bytes with the same answer, and what a client can make the device hold is bounded:
 *
 * - The line being read is kept in one buffer that grows to the budget of its part and no
 *   further: a request line over maxRequestLineBytes is 414 and a header line that would take
 *   the headers over maxHeaderBytes is 431 the moment its bytes arrive, line end or not.
 * - More than maxHeaderCount header lines is 431. The blank line that ends them is not counted.
 * - Lines end in CRLF; a bare LF or CR, a control character, a space before a header's colon,
 *   a folded line, a malformed request line or header name is 400 ("malformed request").
 * - The method must be one the server implements (501 otherwise); CONNECT and TRACE are 405.
 *   HTTP/1.0 and HTTP/1.1 are served, other versions are 505. An HTTP/1.1 request needs a Host.
 *   An absolute-form target ("http://name/path") is read as its path, with its authority as
 *   the Host (RFC 9112, 3.2.2).
 * - Host, Content-Length, Content-Type, Authorization and Origin may appear once (400).
 *   Another repeated header keeps its last value.
 * - Any Transfer-Encoding is 411 (send a Content-Length; with one too it is 400). A
 *   Content-Length that is not a decimal number is 400; one over maxBodyBytes is 413 as soon as
 *   the headers end, before any body is read. The body is then exactly Content-Length bytes.
 * - Once there is an outcome (a request, or a refusal), every further byte is counted and
 *   dropped: one request per connection, and what follows it is never executed.
 * Header names come out lower-cased, values trimmed. Text is decoded as UTF-8 (host codec);
 * a header that is not valid UTF-8 is 400.
 * - Only the headers someone reads are kept (KEPT_HEADERS, and the names a server adds for its
 *   features); the others are checked and counted against the limits like any, then dropped.
 *   On XS a property name is interned for good (the device's XS collects no keys), so a header
 *   object that took every name a client makes up would grow the heap by each new name, and
 *   stay grown, across requests: the limits bound one request, not the names of a thousand.
 *
 * Cost, on the device's interpreter (bench, "XS compute"; bench/xs/profile-data.ts): a head
 * that arrives in one piece and is all ASCII, as a browser's and curl's do, is decoded once and
 * read in one pass: one sticky regular expression checks the request line and every header line
 * (linear in the head: no part can match two ways), the engine splits the lines, and only the
 * headers kept have their values cut out (1,702 meter units for curl's head, 2,795 line by
 * line). Anything else takes the careful path, line by line or byte by byte, with the same rules
 * (tests/core/request-parser-whole-head.test.ts, request-parser-fuzz.test.ts). A Uint8Array's
 * indexOf walks element by element through the generic property path on XS: the byte path is
 * for heads in pieces only.
 */

import type { TextCodec } from "../host/text-codec";
import type { HttpResponse } from "./http-message";
import { HTTP_LIMITS, type HttpLimits } from "./limits";
import { jsonError, methodNotAllowed } from "./response";

export interface ParsedRequest {
  readonly method: string;
  /** The request target as sent, or the path of an absolute-form target. */
  readonly target: string;
  readonly version: "HTTP/1.0" | "HTTP/1.1";
  readonly headers: Record<string, string>;
  /** Exactly Content-Length bytes; undefined when there is no body. */
  readonly body: Uint8Array | undefined;
}

export type ParseOutcome =
  | { readonly kind: "request"; readonly request: ParsedRequest }
  | { readonly kind: "refused"; readonly response: HttpResponse };

export type ParsePhase = "line" | "headers" | "body" | "done";

/*
 * Name checks are switches, not tables: a client's string used as a property key (`table[name]`,
 * `name in table`) becomes a key in XS's key table, which the device never frees, so a client
 * making up names would grow the heap for good. A switch compares strings, holds nothing at run
 * time, and its code is in flash. (A Set made per server holds four slots and one per name.)
 */

/** Methods the server implements; anything else is 501. */
function isMethod(method: string): boolean {
  switch (method) {
    case "GET":
    case "HEAD":
    case "POST":
    case "PUT":
    case "DELETE":
    case "PATCH":
    case "OPTIONS":
      return true;
    default:
      return false;
  }
}

/** Methods a device must never act on (a proxy tunnel, a request echo): 405. */
function isRefusedMethod(method: string): boolean {
  return method === "CONNECT" || method === "TRACE";
}

/**
 * The request headers the framework (and a handler) may read: every other one is dropped. A
 * feature that reads another names it in its requestHeaders (feature.ts).
 */
export const KEPT_HEADERS: readonly string[] = Object.freeze([
  "accept", "accept-encoding", "accept-language", "authorization", "cache-control", "connection", "content-length",
  "content-type", "cookie", "expect", "host", "if-match", "if-modified-since", "if-none-match", "last-event-id",
  "origin", "range", "referer", "transfer-encoding", "upgrade", "user-agent",
]);

/**
 * Whether `name` (lower-cased) is one of KEPT_HEADERS: the same list as a switch on the name's
 * length first, so a name costs one or two string comparisons, not up to 21 (a test checks the
 * switch and the list agree).
 */
export function isKeptHeader(name: string): boolean {
  switch (name.length) {
    case 4:
      return name === "host";
    case 5:
      return name === "range";
    case 6:
      return name === "accept" || name === "origin" || name === "cookie" || name === "expect";
    case 7:
      return name === "referer" || name === "upgrade";
    case 8:
      return name === "if-match";
    case 10:
      return name === "user-agent" || name === "connection";
    case 12:
      return name === "content-type";
    case 13:
      return name === "authorization" || name === "cache-control" || name === "if-none-match" || name === "last-event-id";
    case 14:
      return name === "content-length";
    case 15:
      return name === "accept-encoding" || name === "accept-language";
    case 17:
      return name === "if-modified-since" || name === "transfer-encoding";
    default:
      return false;
  }
}

/**
 * What the parser knows, made at run time, once per server and shared by its connections: the
 * one regular expression it keeps, for whole heads (a preloaded, module-level regex corrupts XS
 * 8.2.3's heap when it runs: tests/node/preload-lint.ts says why), and the names of the headers
 * its features read beyond KEPT_HEADERS (the framework's own names are checked by switches:
 * nothing held at run time). The other checks (a header name, a value's characters, a
 * Content-Length) are scans below, not expressions: a compiled regex holds about 300 to 1,400 B
 * of the device's heap for as long as the server lives, and compiling one when it is needed
 * costs about 100 us, more than the scan of a header line.
 */
export interface RequestPatterns {
  /**
   * A request line, and from the line end, when the head is all there, every header line and the
   * blank line after them (sticky, so it reads from lastIndex: at most maxHeaderCount lines). Each
   * part is a class of its own characters followed by the character that ends it, so the method
   * and target take no space, and no part of it can match two ways.
   */
  readonly requestLine: RegExp;
  /** Lower-cased names of the headers a request keeps beyond KEPT_HEADERS (the server's features'), if any. */
  readonly more: ReadonlySet<string> | undefined;
}

/** Whether a request keeps the header `name` (lower-cased): KEPT_HEADERS or the server's own. */
function kept(patterns: RequestPatterns, name: string): boolean {
  return isKeptHeader(name) || (patterns.more !== undefined && patterns.more.has(name));
}

/**
 * The parser's tables and regular expressions, made at run time (a preloaded, module-level regex
 * corrupts XS 8.2.3's heap when it runs: tests/node/preload-lint.ts says why), once per server
 * and shared by its connections; a Set of the headers the server's features read beyond
 * KEPT_HEADERS only when there are some. limits: those the server's parsers are held
 * to (the header block takes at most maxHeaderCount lines, so a head of many short lines is
 * refused line by line, without first being split).
 */
export function requestPatterns(moreHeaders: readonly string[] = [], limits: HttpLimits = HTTP_LIMITS): RequestPatterns {
  let more: Set<string> | undefined;
  for (const name of moreHeaders) {
    const lower = name.toLowerCase();
    if (!isKeptHeader(lower)) (more ??= new Set()).add(lower);
  }
  const count = Math.max(0, Math.floor(limits.maxHeaderCount));
  return Object.freeze({
    // ASCII classes only, and no negated ones: XS's go wrong when their ranges touch (there,
    // [^\x00-\x1f ] matches a line end).
    requestLine: new RegExp(`([!#$%&'*+\\-.^_\`|~0-9A-Za-z]+) ([\\x21-\\x7e]+) (HTTP\\/[0-9]\\.[0-9])(?:\\r\\n((?:[!#$%&'*+\\-.^_\`|~0-9A-Za-z]+:[\\t\\x20-\\x7e]*\\r\\n){0,${count}})\\r\\n)?`, "y"),
    more,
  });
}

/**
 * A header that may appear once (400 otherwise): its bit among the parser's singletons seen,
 * else 0. A switch, not a table: it costs no memory, and runs only for the headers kept.
 */
function singletonBit(name: string): number {
  switch (name) {
    case "host":
      return 1;
    case "content-length":
      return 2;
    case "content-type":
      return 4;
    case "authorization":
      return 8;
    case "origin":
      return 16;
    default:
      return 0;
  }
}

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HTAB = 0x09;

/** Whether the character (or byte) c is a tchar (RFC 9110, 5.6.2): !#$%&'*+-.^_`|~, a digit or a letter. */
function isTokenChar(c: number): boolean {
  if (c >= 0x61) return c <= 0x7a || c === 0x7c || c === 0x7e; // a-z | ~
  if (c >= 0x41) return c <= 0x5a || c >= 0x5e; // A-Z ^ _ `
  if (c >= 0x30) return c <= 0x39;
  return c === 0x21 || (c >= 0x23 && c <= 0x27) || c === 0x2a || c === 0x2b || c === 0x2d || c === 0x2e;
}

/**
 * Whether text is a token: a header name. For the short names an app or a feature writes (the
 * response writer's, the HTTP client's): charCodeAt(i) walks the string from its start on the
 * device (XS keeps no string-offset cache there), so what a client sends is checked as bytes.
 */
export function isToken(text: string): boolean {
  const n = text.length;
  if (n === 0) return false;
  for (let i = 0; i < n; i++) if (!isTokenChar(text.charCodeAt(i))) return false;
  return true;
}

/**
 * Where the name of the header line in bytes (its content, without CR) ends: the index of its
 * colon, when what precedes it is a token; -1 otherwise. Linear in the line: a client's odd name
 * costs no more than its first bad byte (a non-ASCII byte is not a tchar).
 */
function headerNameEnd(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let i = 0; i < n; i++) {
    const c = bytes[i];
    if (c === 0x3a) return i === 0 ? -1 : i;
    if (!isTokenChar(c)) return -1;
  }
  return -1;
}

/**
 * Whether bytes from `from` on hold a control character a header value may not: C0 but HTAB,
 * DEL, or U+2028/U+2029 (E2 80 A8/A9 in UTF-8; JSON allows them, the scripts that read values
 * may not). Bytes, not charCodeAt: linear on the device whatever the value's length.
 */
function hasControlByte(bytes: Uint8Array, from: number): boolean {
  const n = bytes.length;
  for (let i = from; i < n; i++) {
    const c = bytes[i];
    if (c < 0x20 ? c !== HTAB : c === 0x7f) return true;
    if (c === 0xe2 && bytes[i + 1] === 0x80 && (bytes[i + 2] === 0xa8 || bytes[i + 2] === 0xa9)) return true;
  }
  return false;
}

/** Whether text is a Content-Length the parser takes: 1 to 10 ASCII digits. */
function isDecimal(text: string): boolean {
  const n = text.length;
  if (n === 0 || n > 10) return false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** The first size of the line buffer; it doubles up to the budget of the part being read. */
const FIRST_LINE_CAPACITY = 256;

function malformed(): ParseOutcome {
  return { kind: "refused", response: jsonError(400, "malformed request") };
}

function refuse(status: number, message: string): ParseOutcome {
  return { kind: "refused", response: jsonError(status, message) };
}

/** text without the space and tab at either end (a header value's OWS). */
function trimOws(text: string): string {
  let start = 0;
  let end = text.length;
  let c = 0;
  while (start < end && ((c = text.charCodeAt(start)) === SP || c === HTAB)) start++;
  while (end > start && ((c = text.charCodeAt(end - 1)) === SP || c === HTAB)) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

export class RequestParser {
  readonly #limits: HttpLimits;
  readonly #text: TextCodec;
  readonly #patterns: RequestPatterns;
  #phase: ParsePhase = "line";
  #line: Uint8Array | undefined;
  #lineLength = 0;
  #headerBytes = 0;
  #headerCount = 0;
  #method = "";
  #target = "";
  #version: ParsedRequest["version"] = "HTTP/1.1";
  /** The headers kept so far; let go once the outcome is known (a request carries them on). */
  #headers: Record<string, string> | undefined = Object.create(null) as Record<string, string>;
  /** The singleton headers seen so far, as their bits (singletonBit); Host may also come from an absolute-form target. */
  #seen = 0;
  #hostFromTarget = false;
  #body: Uint8Array | undefined;
  #bodyFill = 0;
  #outcome: ParseOutcome | undefined;
  #extra = 0;

  constructor(limits: HttpLimits, text: TextCodec, patterns: RequestPatterns = requestPatterns()) {
    this.#limits = limits;
    this.#text = text;
    this.#patterns = patterns;
  }

  /** "line" and "headers": the client is still sending its request head. */
  get phase(): ParsePhase {
    return this.#phase;
  }

  /** The request's method, once its request line has been read ("" before). */
  get method(): string {
    return this.#method;
  }

  /** Bytes that arrived after the outcome (a pipelined request, a refused body): dropped. */
  get extraBytes(): number {
    return this.#extra;
  }

  /** Feeds what arrived; returns the outcome once (a request, or a refusal), else undefined. */
  push(bytes: Uint8Array): ParseOutcome | undefined {
    if (this.#outcome) {
      this.#extra += bytes.length;
      return undefined;
    }
    const length = bytes.length;
    // A head that starts with this piece: its lines are read from its text when it is ASCII.
    let i = this.#lineLength === 0 && this.#phase !== "body" ? this.#pushText(bytes) : 0;
    while (i < length && !this.#outcome) {
      if (this.#phase === "body") {
        const body = this.#body as Uint8Array;
        const n = Math.min(body.length - this.#bodyFill, length - i);
        body.set(i === 0 && n === length ? bytes : bytes.subarray(i, i + n), this.#bodyFill);
        this.#bodyFill += n;
        i += n;
        if (this.#bodyFill === body.length) this.#finish(this.#request(body));
      } else {
        const lf = bytes.indexOf(LF, i);
        const stop = lf < 0 ? length : lf;
        const refusal = this.#budget(stop - i, lf >= 0);
        if (refusal) this.#finish(refusal);
        else if (lf < 0) {
          this.#append(bytes.subarray(i, stop));
          i = stop;
        } else {
          // The line without its LF: a view on what arrived when it arrived whole, else the buffer.
          let line: Uint8Array;
          if (this.#lineLength === 0) line = bytes.subarray(i, stop);
          else {
            this.#append(bytes.subarray(i, stop));
            line = (this.#line as Uint8Array).subarray(0, this.#lineLength);
          }
          this.#lineLength = 0;
          i = lf + 1;
          const outcome = this.#completeLine(line);
          if (outcome) this.#finish(outcome);
        }
      }
    }
    if (this.#outcome) {
      this.#extra += length - i;
      return this.#outcome;
    }
    return undefined;
  }

  /**
   * Reads head lines from bytes' text, when bytes are valid UTF-8 and all ASCII (byte offsets
   * are then text offsets); returns where it stopped: the end of the head, the start of the line
   * an outcome came from, or the end of bytes. 0 when the text cannot be used.
   */
  #pushText(bytes: Uint8Array): number {
    let text: string;
    try {
      text = this.#text.decode(bytes);
    } catch {
      return 0;
    }
    const length = bytes.length;
    if (text.length !== length) return 0;
    let i = this.#phase === "line" ? this.#wholeHead(text) : 0;
    if (i < 0) i = 0;
    else if (this.#outcome || this.#phase === "body") return i;
    while (i < length) {
      const lf = text.indexOf("\n", i);
      const stop = lf < 0 ? length : lf;
      const refusal = this.#budget(stop - i, lf >= 0);
      if (refusal) {
        this.#finish(refusal);
        return i;
      }
      if (lf < 0) {
        this.#append(bytes.subarray(i, stop));
        return length;
      }
      const line = text.slice(i, lf);
      const outcome = this.#completeText(line, bytes.subarray(i, lf));
      i = lf + 1;
      if (outcome) {
        this.#finish(outcome);
        return i;
      }
      if (this.#phase === "body") return i;
    }
    return i;
  }

  /**
   * Reads a head that is all in `text` (ASCII), from its start, in one pass: returns where the
   * head ended (or, refused at its request line, where that line ended), having come to the same
   * outcome as line by line; -1 when it cannot (a head in pieces, a line the expression does not
   * take, a limit reached), and then nothing has changed.
   */
  #wholeHead(text: string): number {
    const patterns = this.#patterns;
    const head = patterns.requestLine;
    head.lastIndex = 0;
    const m = head.exec(text);
    if (m === null) return -1;
    const lines = m[4];
    if (lines === undefined) return -1;
    const limits = this.#limits;
    // The request line without its CRLF; the header lines with theirs (the blank line is free).
    const lineEnd = m[1].length + m[2].length + m[3].length + 2;
    if (lineEnd > limits.maxRequestLineBytes || this.#headerBytes + lines.length > limits.maxHeaderBytes) return -1;
    // The last of the pieces is the "" after the last line's CRLF.
    const each = lines.split("\r\n");
    const count = each.length - 1;
    if (this.#headerCount + count > limits.maxHeaderCount) return -1;
    let outcome = this.#requestParts(m[1], m[2], m[3]);
    if (outcome) {
      this.#finish(outcome);
      return lineEnd + 2;
    }
    this.#headerBytes += lines.length;
    this.#headerCount += count;
    const headers = this.#headers as Record<string, string>;
    const more = patterns.more;
    for (let k = 0; k < count; k++) {
      const line = each[k];
      const colon = line.indexOf(":");
      const raw = line.slice(0, colon);
      const name = raw.toLowerCase();
      // kept(), inlined: a call costs about 11 meter units on XS, and this runs per header line.
      if (!isKeptHeader(name) && (more === undefined || !more.has(name))) continue;
      // The value is all tab and printable ASCII here: trim() takes exactly its OWS.
      const value = line.slice(colon + 1).trim();
      const bit = singletonBit(name);
      if (bit === 0) {
        headers[name] = value;
        continue;
      }
      outcome = this.#keep(name, raw, bit, value);
      if (outcome) {
        // Refused at this line: what follows it is extra, as line by line.
        this.#finish(outcome);
        let end = lineEnd + 2;
        for (let j = 0; j <= k; j++) end += each[j].length + 2;
        return end;
      }
    }
    outcome = this.#endOfHeaders();
    if (outcome) this.#finish(outcome);
    return head.lastIndex;
  }

  #finish(outcome: ParseOutcome): void {
    this.#outcome = outcome;
    this.#phase = "done";
    // Nothing of the head is needed any more: the request (or the refusal) carries what is.
    this.#line = undefined;
    this.#body = undefined;
    if (outcome.kind === "refused") this.#headers = undefined;
  }

  /** Charges `count` more bytes of the current line (and its LF) to its part's budget. */
  #budget(count: number, ended: boolean): ParseOutcome | undefined {
    const limits = this.#limits;
    if (this.#phase === "line") {
      // The line's bytes so far, its CR included; a CR is allowed beyond the limit, nothing else.
      if (this.#lineLength + count > limits.maxRequestLineBytes + 1) return refuse(414, "request line too long");
      return undefined;
    }
    // The line's bytes so far, its CR included; #headerBytes holds the lines before it. The
    // blank line that ends the headers ("\r" and its LF) is not a header line: it costs nothing,
    // and so a line's lone first byte, which may be that CR, is charged once more arrives
    // (however the head is split, the same head is within the limit or not).
    const line = this.#lineLength + count;
    if (line <= 1) return undefined;
    if (!ended) return this.#headerBytes + line > limits.maxHeaderBytes ? refuse(431, "request headers too large") : undefined;
    this.#headerBytes += line + 1;
    if (this.#headerBytes > limits.maxHeaderBytes) return refuse(431, "request headers too large");
    return undefined;
  }

  #append(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const needed = this.#lineLength + bytes.length;
    let line = this.#line;
    if (!line || line.length < needed) {
      // Doubling, but never past the part's budget (what #budget lets through, CR included).
      const limits = this.#limits;
      const most = this.#phase === "line" ? limits.maxRequestLineBytes + 1 : limits.maxHeaderBytes;
      let capacity = line ? line.length : Math.min(FIRST_LINE_CAPACITY, most);
      while (capacity < needed) capacity = Math.min(capacity * 2, Math.max(most, needed));
      const grown = new Uint8Array(capacity);
      if (line) grown.set(line.subarray(0, this.#lineLength));
      this.#line = line = grown;
    }
    line.set(bytes, this.#lineLength);
    this.#lineLength = needed;
  }

  /** A line of bytes without its LF. */
  #completeLine(raw: Uint8Array): ParseOutcome | undefined {
    if (raw.length === 0 || raw[raw.length - 1] !== CR) return malformed();
    const content = raw.subarray(0, raw.length - 1);
    if (this.#phase === "line") {
      // RFC 9112 2.2: empty lines before the request line are ignored.
      if (content.length === 0) return undefined;
      const text = this.#decode(content);
      return text === undefined ? malformed() : this.#requestLine(text);
    }
    if (content.length === 0) return this.#endOfHeaders();
    // A line that starts with white space continues the previous one (obs-fold): refused.
    if (content[0] === SP || content[0] === HTAB) return malformed();
    const text = this.#decode(content);
    if (text === undefined) return refuse(400, "a request header is not valid UTF-8");
    return this.#headerLine(text, content);
  }

  /** A line of text (decoded already, ASCII: its bytes are at the same offsets) without its LF. */
  #completeText(raw: string, bytes: Uint8Array): ParseOutcome | undefined {
    if (!raw.endsWith("\r")) return malformed();
    if (this.#phase === "line") {
      if (raw.length === 1) return undefined;
      return this.#requestLine(raw.slice(0, -1));
    }
    if (raw.length === 1) return this.#endOfHeaders();
    // A line that starts with white space continues the previous one (obs-fold): refused.
    if (bytes[0] === SP || bytes[0] === HTAB) return malformed();
    return this.#headerLine(raw.slice(0, -1), bytes.subarray(0, bytes.length - 1));
  }

  #decode(bytes: Uint8Array): string | undefined {
    try {
      return this.#text.decode(bytes);
    } catch {
      return undefined;
    }
  }

  #requestLine(text: string): ParseOutcome | undefined {
    const line = this.#patterns.requestLine;
    line.lastIndex = 0;
    const m = line.exec(text);
    if (!m || line.lastIndex !== text.length) return malformed();
    // Indexed, not destructured: destructuring walks the match with an iterator on XS.
    return this.#requestParts(m[1], m[2], m[3]);
  }

  /** A request line's method, target and version, each of the right characters already. */
  #requestParts(method: string, target: string, version: string): ParseOutcome | undefined {
    const patterns = this.#patterns;
    if (version !== "HTTP/1.1" && version !== "HTTP/1.0") return refuse(505, "HTTP version not supported; use HTTP/1.1");
    if (isRefusedMethod(method)) return { kind: "refused", response: methodNotAllowed(["GET", "HEAD", "POST"]) };
    if (!isMethod(method)) return refuse(501, "method not implemented");
    this.#method = method;
    this.#version = version;
    if (target.startsWith("/")) this.#target = target;
    else {
      // Rare (a proxy's form): made here, when it is needed, not held by every server.
      const absolute = /^[hH][tT][tT][pP][sS]?:\/\/([^/?#]*)([^#]*)/.exec(target);
      if (absolute) {
        this.#target = absolute[2] === "" ? "/" : absolute[2];
        (this.#headers as Record<string, string>).host = absolute[1];
        this.#hostFromTarget = true;
      } else if (target === "*" && method === "OPTIONS") this.#target = target;
      else return malformed();
    }
    this.#phase = "headers";
    return undefined;
  }

  /**
   * name ":" OWS value OWS: the line's text without its CRLF, and its bytes (the same line; a
   * name is ASCII, so its colon is at the same index in both).
   */
  #headerLine(text: string, bytes: Uint8Array): ParseOutcome | undefined {
    const colon = headerNameEnd(bytes);
    if (colon < 0 || hasControlByte(bytes, colon + 1)) return malformed();
    return this.#header(text.slice(0, colon), trimOws(text.slice(colon + 1)));
  }

  /** A well-formed header line's name (as sent) and value (without its OWS): counted, then kept or dropped. */
  #header(raw: string, value: string): ParseOutcome | undefined {
    if (++this.#headerCount > this.#limits.maxHeaderCount) return refuse(431, "too many request headers");
    const name = raw.toLowerCase();
    return kept(this.#patterns, name) ? this.#keep(name, raw, singletonBit(name), value) : undefined;
  }

  /** Keeps a header the parser looks at (bit: its singleton bit, or 0). */
  #keep(name: string, raw: string, bit: number, value: string): ParseOutcome | undefined {
    if (bit !== 0) {
      if ((this.#seen & bit) !== 0) return refuse(400, `more than one ${raw} header`);
      this.#seen |= bit;
      // An absolute-form target's authority wins over the Host header (RFC 9112, 3.2.2).
      if (name === "host" && this.#hostFromTarget) return undefined;
    }
    (this.#headers as Record<string, string>)[name] = value;
    return undefined;
  }

  #endOfHeaders(): ParseOutcome | undefined {
    const headers = this.#headers as Record<string, string>;
    if (this.#version === "HTTP/1.1" && !("host" in headers)) return refuse(400, "missing Host header");
    const te = headers["transfer-encoding"];
    const cl = headers["content-length"];
    if (te !== undefined) {
      if (cl !== undefined) return refuse(400, "both Transfer-Encoding and Content-Length");
      return refuse(411, "chunked request bodies are not accepted; send a Content-Length");
    }
    let length = 0;
    if (cl !== undefined) {
      if (!isDecimal(cl)) return refuse(400, "invalid Content-Length");
      length = Number(cl);
      if (length > this.#limits.maxBodyBytes) return refuse(413, `request body larger than ${this.#limits.maxBodyBytes} bytes`);
    }
    if (length === 0) return this.#request(undefined);
    this.#phase = "body";
    this.#body = new Uint8Array(length);
    this.#bodyFill = 0;
    return undefined;
  }

  #request(body: Uint8Array | undefined): ParseOutcome {
    return {
      kind: "request",
      request: { method: this.#method, target: this.#target, version: this.#version, headers: this.#headers as Record<string, string>, body },
    };
  }
}
