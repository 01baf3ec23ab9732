/*
 * JsonStream: reads JSON (RFC 8259) from bytes as they arrive and keeps only what its listener
 * asks for, so a document of any size (GitHub's release JSON runs to tens of kilobytes) costs
 * what the kept values cost.
 *
 * - The listener sees the structure as it goes: enter(kind) when an object or array opens
 *   (currentKey still names the member it is the value of), leave() when it closes, and value(v) for each scalar; key(name) before each member's value
 *   (a key longer than maxKeyBytes is reported cut). path() is where the reader is: the keys
 *   and array indexes from the top.
 * - keep(): asked when a string value begins; the bytes of it to keep (0: skip it, only
 *   counted). A string longer than that arrives cut to that many bytes (on a character
 *   boundary) with `cut` true.
 * - push(bytes) takes the next piece; end() says the document is over. Either throws
 *   JsonStreamError for malformed JSON, a document nested deeper than maxDepth, or one longer
 *   than maxBytes; end() also for a truncated one. After an error the stream refuses more.
 * - Strings are UTF-8 as they come (\u escapes, surrogate pairs included, are written as
 *   UTF-8); decoding is the listener's, through the TextCodec it has.
 */

export type JsonScalar = string | number | boolean | null;

export interface JsonListener {
  enter(kind: "object" | "array"): void;
  leave(): void;
  key(name: string): void;
  value(value: JsonScalar, cut: boolean): void;
  /** Bytes of the string value starting now to keep. */
  keep(): number;
}

export interface JsonStreamOptions {
  readonly listener: JsonListener;
  /** Turns kept UTF-8 bytes into a string. */
  readonly decode: (bytes: Uint8Array) => string;
  readonly maxBytes?: number;
  readonly maxDepth?: number;
  readonly maxKeyBytes?: number;
}

export class JsonStreamError extends Error {}
// On the prototype, as built-in errors have it: `this.name = ...` throws where preloading froze Error.prototype.
Object.defineProperty(JsonStreamError.prototype, "name", { value: "JsonStreamError", writable: true, configurable: true });

// What the reader expects next.
const VALUE = 0; // a value (or, in an array just opened, "]")
const AFTER_VALUE = 1; // "," or the closing bracket
const KEY = 2; // a key (or, in an object just opened, "}")
const COLON = 3;
const STRING = 4;
const LITERAL = 5; // true, false, null, a number
const DONE = 6;

const OBJECT = 1;
const ARRAY = 2;

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x66) return b - 0x57;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  return -1;
}

export class JsonStream {
  readonly #listener: JsonListener;
  readonly #decode: (bytes: Uint8Array) => string;
  readonly #maxBytes: number;
  readonly #maxDepth: number;
  readonly #maxKeyBytes: number;
  /** Open containers, OBJECT or ARRAY, and each array's next index. */
  readonly #stack: number[] = [];
  readonly #indexes: number[] = [];
  readonly #keys: string[] = [];
  #state = VALUE;
  #justOpened = false;
  #bytes = 0;
  #failed = false;
  // The string being read.
  #isKey = false;
  #buffer: Uint8Array = new Uint8Array(64);
  #length = 0;
  #limit = 0;
  #cut = false;
  #escape = 0; // 0 none, 1 after "\", 2..5 reading \u hex digits
  #unicode = 0;
  #highSurrogate = 0;
  /** UTF-8 continuation bytes the current character still has (so a cut falls between characters). */
  #pending = 0;
  // A literal or number being read.
  #literal = "";

  constructor(options: JsonStreamOptions) {
    this.#listener = options.listener;
    this.#decode = options.decode;
    this.#maxBytes = options.maxBytes ?? 1 << 20;
    this.#maxDepth = options.maxDepth ?? 16;
    this.#maxKeyBytes = options.maxKeyBytes ?? 64;
  }

  /** Keys and array indexes from the top to the value being read. */
  path(): readonly (string | number)[] {
    const out: (string | number)[] = [];
    for (let i = 0; i < this.#stack.length; i++) out.push(this.#stack[i] === OBJECT ? this.#keys[i] : this.#indexes[i]);
    return out;
  }

  get depth(): number {
    return this.#stack.length;
  }

  /** The key of the member being read in the innermost object ("" in an array or at the top). */
  get currentKey(): string {
    const top = this.#stack.length - 1;
    return top >= 0 && this.#stack[top] === OBJECT ? this.#keys[top] : "";
  }

  push(bytes: Uint8Array): void {
    if (this.#failed) throw new JsonStreamError("the JSON reader stopped at an earlier error");
    this.#bytes += bytes.length;
    if (this.#bytes > this.#maxBytes) this.#fail(`the JSON is larger than ${this.#maxBytes} bytes`);
    for (let i = 0; i < bytes.length; i++) this.#byte(bytes[i]);
  }

  end(): void {
    if (this.#failed) throw new JsonStreamError("the JSON reader stopped at an earlier error");
    if (this.#state === LITERAL && this.#stack.length === 0) this.#finishLiteral();
    if (this.#state !== DONE) this.#fail(this.#bytes === 0 ? "the answer was empty, not JSON" : `the JSON ended early (after ${this.#bytes} bytes)`);
  }

  #fail(message: string): never {
    this.#failed = true;
    throw new JsonStreamError(message);
  }

  #byte(b: number): void {
    switch (this.#state) {
      case STRING:
        return this.#stringByte(b);
      case LITERAL:
        if ((b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x7a) || b === 0x2b || b === 0x2d || b === 0x2e || b === 0x45) {
          if (this.#literal.length >= 40) this.#fail("a number or literal in the JSON is too long");
          this.#literal += String.fromCharCode(b);
          return;
        }
        this.#finishLiteral();
        return this.#byte(b);
      default:
        break;
    }
    if (isSpace(b)) return;
    switch (this.#state) {
      case VALUE:
        if (b === 0x5d && this.#justOpened && this.#stack[this.#stack.length - 1] === ARRAY) return this.#close();
        return this.#startValue(b);
      case KEY:
        if (b === 0x7d && this.#justOpened) return this.#close();
        if (b !== 0x22) this.#fail("a key in the JSON is not a string");
        return this.#startString(true);
      case COLON:
        if (b !== 0x3a) this.#fail("a ':' is missing after a key in the JSON");
        this.#state = VALUE;
        this.#justOpened = false;
        return;
      case AFTER_VALUE: {
        const top = this.#stack[this.#stack.length - 1];
        if (b === 0x2c && top !== undefined) {
          if (top === ARRAY) this.#indexes[this.#stack.length - 1]++;
          this.#state = top === OBJECT ? KEY : VALUE;
          this.#justOpened = false;
          return;
        }
        if (b === 0x7d && top === OBJECT) return this.#close();
        if (b === 0x5d && top === ARRAY) return this.#close();
        return this.#fail("unexpected character in the JSON (a ',' or a closing bracket is missing)");
      }
      case DONE:
        return this.#fail("more follows the end of the JSON");
      default:
        return this.#fail("the JSON reader lost its place");
    }
  }

  #startValue(b: number): void {
    if (b === 0x7b || b === 0x5b) {
      if (this.#stack.length >= this.#maxDepth) this.#fail(`the JSON is nested deeper than ${this.#maxDepth} levels`);
      const kind = b === 0x7b ? OBJECT : ARRAY;
      // Told before it is entered: currentKey is then the key the container is the value of.
      this.#listener.enter(kind === OBJECT ? "object" : "array");
      this.#stack.push(kind);
      this.#indexes.push(0);
      this.#keys.push("");
      this.#state = kind === OBJECT ? KEY : VALUE;
      this.#justOpened = true;
      return;
    }
    if (b === 0x22) return this.#startString(false);
    if (b === 0x2d || (b >= 0x30 && b <= 0x39) || b === 0x74 || b === 0x66 || b === 0x6e) {
      this.#literal = String.fromCharCode(b);
      this.#state = LITERAL;
      return;
    }
    this.#fail("unexpected character where the JSON should have a value");
  }

  #close(): void {
    this.#stack.pop();
    this.#indexes.pop();
    this.#keys.pop();
    this.#listener.leave();
    this.#afterValue();
  }

  #afterValue(): void {
    this.#state = this.#stack.length === 0 ? DONE : AFTER_VALUE;
    this.#justOpened = false;
  }

  #finishLiteral(): void {
    const text = this.#literal;
    this.#literal = "";
    let value: JsonScalar;
    if (text === "true") value = true;
    else if (text === "false") value = false;
    else if (text === "null") value = null;
    else {
      // JSON's number grammar: no leading zeros, no bare ".", no "+" in front.
      if (!/^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/.test(text)) this.#fail(`"${text.slice(0, 20)}" is not a JSON value`);
      value = Number(text);
    }
    this.#listener.value(value, false);
    this.#afterValue();
  }

  #startString(isKey: boolean): void {
    this.#isKey = isKey;
    this.#length = 0;
    this.#cut = false;
    this.#escape = 0;
    this.#highSurrogate = 0;
    this.#pending = 0;
    this.#limit = isKey ? this.#maxKeyBytes : Math.max(0, this.#listener.keep() | 0);
    if (this.#buffer.length < Math.min(this.#limit, 4096) && this.#limit > 0) this.#buffer = new Uint8Array(Math.min(this.#limit, 4096));
    this.#state = STRING;
  }

  #stringByte(b: number): void {
    if (this.#escape === 1) {
      this.#escape = 0;
      if (b !== 0x75) this.#flushSurrogate();
      switch (b) {
        case 0x22:
        case 0x5c:
        case 0x2f:
          return this.#char(b);
        case 0x62:
          return this.#char(0x08);
        case 0x66:
          return this.#char(0x0c);
        case 0x6e:
          return this.#char(0x0a);
        case 0x72:
          return this.#char(0x0d);
        case 0x74:
          return this.#char(0x09);
        case 0x75:
          this.#escape = 2;
          this.#unicode = 0;
          return;
        default:
          return this.#fail("a string in the JSON has an unknown escape");
      }
    }
    if (this.#escape >= 2) {
      const h = hexValue(b);
      if (h < 0) this.#fail("a \\u escape in the JSON is not four hex digits");
      this.#unicode = (this.#unicode << 4) | h;
      if (++this.#escape < 6) return;
      this.#escape = 0;
      return this.#codeUnit(this.#unicode);
    }
    // A high surrogate must be followed by the \u escape of its low half.
    if (b !== 0x5c) this.#flushSurrogate();
    if (b === 0x22) return this.#endString();
    if (b === 0x5c) {
      this.#escape = 1;
      return;
    }
    if (b < 0x20) this.#fail("a string in the JSON holds a control character");
    this.#raw(b);
  }

  /** A high surrogate not followed by its low half: U+FFFD (UTF-8 has no lone surrogates). */
  #flushSurrogate(): void {
    if (!this.#highSurrogate) return;
    this.#highSurrogate = 0;
    this.#codePoint(0xfffd);
  }

  #codeUnit(unit: number): void {
    if (unit >= 0xd800 && unit <= 0xdbff) {
      if (this.#highSurrogate) this.#codePoint(0xfffd);
      this.#highSurrogate = unit;
      return;
    }
    if (unit >= 0xdc00 && unit <= 0xdfff) {
      const high = this.#highSurrogate;
      this.#highSurrogate = 0;
      return this.#codePoint(high ? 0x10000 + ((high - 0xd800) << 10) + (unit - 0xdc00) : 0xfffd);
    }
    if (this.#highSurrogate) {
      this.#highSurrogate = 0;
      this.#codePoint(0xfffd);
    }
    this.#codePoint(unit);
  }

  #codePoint(cp: number): void {
    if (cp < 0x80) return this.#char(cp);
    let bytes: number[];
    if (cp < 0x800) bytes = [0xc0 | (cp >> 6), 0x80 | (cp & 0x3f)];
    else if (cp < 0x10000) bytes = [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
    else bytes = [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
    if (this.#length + bytes.length > this.#limit) {
      this.#cut = true;
      return;
    }
    for (const x of bytes) this.#store(x);
  }

  /** One byte of the string as it came (UTF-8): cut only between characters. */
  #raw(b: number): void {
    if (this.#pending > 0) {
      this.#pending--;
      if (!this.#cut) this.#store(b);
      return;
    }
    const width = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    this.#pending = width - 1;
    if (this.#cut || this.#length + width > this.#limit) {
      this.#cut = true;
      return;
    }
    this.#store(b);
  }

  #char(b: number): void {
    if (this.#cut || this.#length >= this.#limit) {
      this.#cut = true;
      return;
    }
    this.#store(b);
  }

  #store(b: number): void {
    if (this.#length >= this.#buffer.length) {
      const bigger = new Uint8Array(Math.min(this.#limit, this.#buffer.length * 2));
      bigger.set(this.#buffer);
      this.#buffer = bigger;
    }
    this.#buffer[this.#length++] = b;
  }

  #endString(): void {
    let text = "";
    try {
      if (this.#length) text = this.#decode(this.#buffer.subarray(0, this.#length));
    } catch {
      this.#fail("a string in the JSON is not UTF-8");
    }
    const cut = this.#cut;
    if (this.#buffer.length > 256) this.#buffer = new Uint8Array(64); // a long note is not kept around
    if (this.#isKey) {
      this.#keys[this.#keys.length - 1] = text;
      this.#state = COLON;
      this.#listener.key(text);
      return;
    }
    this.#listener.value(text, cut);
    this.#afterValue();
  }
}
