/*
 * AppImageVerifier: checks an ESP32 application image as it streams past, fragment by fragment,
 * without ever holding it: the same rules ESP-IDF applies in esp_ota_end() (and the simulator
 * applies nothing else). It keeps a 24-byte header, the first 80 bytes of the app descriptor, a
 * running XOR and, when needed, a SHA-256 of the image (for its appended hash) and one of the
 * whole file (for a hash the request expects): under a kilobyte whatever the image size.
 *
 * Image layout (esp_image_format.h): a 24-byte header (magic 0xE9, segment count, ...,
 * hash_appended at byte 23); per segment an 8-byte header (load address, data length) and the
 * data; the first segment starts with esp_app_desc_t (magic 0xABCD5432, version, project name);
 * zero padding so that the checksum byte ends on a 16-byte boundary, the checksum being the XOR
 * of all segment data seeded with 0xEF; then, when hash_appended, the SHA-256 of everything
 * before it.
 *
 * update() throws ImageError at the first fragment that shows a problem, so a wrong file is
 * refused after its first bytes: bad magic, too many segments, a segment larger than the
 * partition, a bad descriptor. finish() then checks the end: the image is complete, and its
 * checksum and appended hash are right. Messages are plain words for a person.
 */

import type { AppImageInfo } from "../host/updater";
import { Sha256, toHex } from "../crypto/sha256";
import type { Sha256Factory, Sha256Hasher } from "../host/digest";

/** The constants of the format, frozen so they stay in flash. */
export const APP_IMAGE = Object.freeze({
  magic: 0xe9,
  headerBytes: 24,
  segmentHeaderBytes: 8,
  /** ESP_IMAGE_MAX_SEGMENTS */
  maxSegments: 16,
  descriptorMagic: 0xabcd5432,
  /** esp_app_desc_t: magic, secure_version, reserv1[2], version[32], project_name[32], ... */
  descriptorBytes: 256,
  versionOffset: 16,
  projectOffset: 48,
  nameBytes: 32,
  checksumSeed: 0xef,
  hashBytes: 32,
});

/** Chip ids of the image header (esp_chip_id_t), for messages. */
const CHIP_NAMES: Readonly<Record<number, string>> = Object.freeze({
  0: "ESP32", 2: "ESP32-S2", 5: "ESP32-C3", 9: "ESP32-S3", 12: "ESP32-C2", 13: "ESP32-C6", 16: "ESP32-H2", 18: "ESP32-P4",
});

export function chipName(id: number): string {
  return CHIP_NAMES[id] ?? `chip id ${id}`;
}

/**
 * seed XOR every byte of bytes[start, stop): the image's checksum. Byte by byte up to a 4-byte
 * boundary of the buffer, then a word at a time (the XOR of the words' four bytes is the XOR of
 * all their bytes, whatever the byte order): a quarter of the steps, which is what an image
 * costs on the device, whose interpreter runs this loop once per word of the whole image.
 */
function xorBytes(bytes: Uint8Array, start: number, stop: number, seed: number): number {
  let x = seed;
  let k = start;
  const base = bytes.byteOffset;
  while (k < stop && ((base + k) & 3) !== 0) x ^= bytes[k++];
  const words = (stop - k) >> 2;
  if (words >= 16) {
    const view = new Uint32Array(bytes.buffer, base + k, words);
    let w = 0;
    for (let j = 0; j < words; j++) w ^= view[j];
    x ^= (w ^ (w >>> 8) ^ (w >>> 16) ^ (w >>> 24)) & 0xff;
    k += words << 2;
  }
  while (k < stop) x ^= bytes[k++];
  return x;
}

export class ImageError extends Error {}
// On the prototype, as built-in errors have it: `this.name = ...` throws where preloading froze Error.prototype.
Object.defineProperty(ImageError.prototype, "name", { value: "ImageError", writable: true, configurable: true });

export interface AppImageSummary extends AppImageInfo {
  /** Bytes in the image, appended hash included. */
  readonly length: number;
  readonly segments: number;
  readonly chipId: number;
  readonly hashAppended: boolean;
  /** SHA-256 (hex) of every byte seen, when the verifier was asked for it. */
  readonly sha256?: string;
}

export interface AppImageVerifierOptions {
  /** Largest image accepted (the update partition's size). */
  maxBytes?: number;
  /** Compute the SHA-256 of the whole file, for a hash the request expects. */
  wholeFileSha256?: boolean;
  /** The host's SHA-256 (native on the device); the pure-JS one by default. */
  sha256?: Sha256Factory;
}

// Parser states.
const HEADER = 0;
const SEGMENT_HEADER = 1;
const SEGMENT_DATA = 2;
const PADDING = 3;
const CHECKSUM = 4;
const HASH = 5;
const DONE = 6;
const FAILED = 7;

const jsSha256: Sha256Factory = () => new Sha256();

/** Descriptor bytes kept: up to the end of project_name. */
const DESCRIPTOR_KEPT = APP_IMAGE.projectOffset + APP_IMAGE.nameBytes;

function readU32(bytes: Uint8Array, at: number): number {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
}

/** A NUL-terminated field of the descriptor as text; bytes outside printable ASCII become "?". */
function readName(bytes: Uint8Array, at: number): string {
  let out = "";
  for (let i = at; i < at + APP_IMAGE.nameBytes; i++) {
    const c = bytes[i];
    if (c === 0) break;
    out += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : "?";
  }
  return out;
}

/**
 * Project and version from an esp_app_desc_t at bytes[at] (at least 80 bytes), or undefined
 * when its magic word is wrong. For hosts that read a descriptor themselves (the device reads
 * the running app's through ESP-IDF).
 */
export function readDescriptor(bytes: Uint8Array, at = 0): AppImageInfo | undefined {
  if (bytes.length < at + DESCRIPTOR_KEPT || readU32(bytes, at) !== APP_IMAGE.descriptorMagic) return undefined;
  return Object.freeze({ project: readName(bytes, at + APP_IMAGE.projectOffset), version: readName(bytes, at + APP_IMAGE.versionOffset) });
}

function hex2(n: number): string {
  return "0x" + (n < 16 ? "0" : "") + n.toString(16).toUpperCase();
}

export class AppImageVerifier {
  readonly #maxBytes: number;
  readonly #wholeFile: boolean;
  readonly #sha256: Sha256Factory;
  #state = HEADER;
  /** Bytes seen so far. */
  #received = 0;
  /** Bytes still expected in the current header, segment, padding or hash. */
  #remaining: number = APP_IMAGE.headerBytes;
  readonly #head = new Uint8Array(APP_IMAGE.headerBytes);
  readonly #descriptor = new Uint8Array(DESCRIPTOR_KEPT);
  #segments = 0;
  #segment = 0;
  #segmentOffset = 0;
  #xor: number = APP_IMAGE.checksumSeed;
  #hashAppended = false;
  #chipId: number | undefined;
  #info: AppImageInfo | undefined;
  /** Hash of everything before the appended hash (when the header says there is one). */
  #prefix: Sha256Hasher | undefined;
  /** Hash of the whole file (when asked for). */
  #whole: Sha256Hasher | undefined;
  /** The digest the appended hash must equal (of everything before it). */
  #expectedHash: Uint8Array | undefined;
  #error = "";

  constructor(options: AppImageVerifierOptions = {}) {
    this.#maxBytes = options.maxBytes ?? Infinity;
    this.#wholeFile = options.wholeFileSha256 ?? false;
    this.#sha256 = options.sha256 ?? jsSha256;
  }

  get received(): number {
    return this.#received;
  }

  /** Project and version, once the descriptor has gone past. */
  get descriptor(): AppImageInfo | undefined {
    return this.#info;
  }

  /** The header's chip id, once the header has gone past. */
  get chipId(): number | undefined {
    return this.#chipId;
  }

  /** True once the whole image (appended hash included) has gone past. */
  get complete(): boolean {
    return this.#state === DONE;
  }

  /** Checks bytes[start, end), the next part of the image; throws ImageError on the first problem. */
  update(bytes: Uint8Array, start = 0, end = bytes.length): void {
    if (this.#state === FAILED) throw new ImageError(this.#error);
    let i = start;
    while (i < end) {
      const from = i;
      const take = Math.min(end - i, this.#remaining);
      switch (this.#state) {
        case HEADER: {
          const offset = APP_IMAGE.headerBytes - this.#remaining;
          if (offset === 0 && bytes[i] !== APP_IMAGE.magic) this.#badMagic(bytes[i]);
          this.#head.set(bytes.subarray(i, i + take), offset);
          break;
        }
        case SEGMENT_HEADER:
          this.#head.set(bytes.subarray(i, i + take), APP_IMAGE.segmentHeaderBytes - this.#remaining);
          break;
        case SEGMENT_DATA: {
          if (this.#segment === 0 && this.#segmentOffset < DESCRIPTOR_KEPT) this.#keepDescriptor(bytes, i, take);
          this.#xor = xorBytes(bytes, i, i + take, this.#xor);
          this.#segmentOffset += take;
          break;
        }
        case PADDING:
          break;
        case CHECKSUM:
          if (bytes[i] !== this.#xor)
            this.#fail(`the image is corrupt: its checksum is ${hex2(bytes[i])} but its data gives ${hex2(this.#xor)}`);
          break;
        case HASH: {
          const at = APP_IMAGE.hashBytes - this.#remaining;
          const expected = this.#expectedHash as Uint8Array;
          for (let k = 0; k < take; k++)
            if (bytes[i + k] !== expected[at + k])
              this.#fail("the image is corrupt: its appended SHA-256 does not match its contents");
          break;
        }
        case DONE:
          this.#fail(`the file goes on after the end of the image (${end - i} more bytes at byte ${this.#received})`);
      }
      i += take;
      this.#received += take;
      this.#remaining -= take;
      if (this.#whole || this.#prefix) {
        // A view only when the fragment is split between parts of the image.
        const part = from === 0 && i === bytes.length ? bytes : bytes.subarray(from, i);
        this.#whole?.update(part);
        if (this.#state !== HASH) this.#prefix?.update(part);
      }
      if (this.#remaining === 0) this.#next();
    }
  }

  /** Ends the check: throws ImageError unless the whole image went past and was right. */
  finish(): AppImageSummary {
    if (this.#state === FAILED) throw new ImageError(this.#error);
    if (this.#state !== DONE) this.#fail(this.#incomplete());
    const info = this.#info as AppImageInfo;
    return {
      project: info.project,
      version: info.version,
      length: this.#received,
      segments: this.#segments,
      chipId: this.#chipId as number,
      hashAppended: this.#hashAppended,
      sha256: this.#whole ? toHex(this.#whole.digest()) : undefined,
    };
  }

  /** Moves to the next part once the current one is complete. */
  #next(): void {
    switch (this.#state) {
      case HEADER: {
        const head = this.#head;
        this.#segments = head[1];
        if (this.#segments === 0 || this.#segments > APP_IMAGE.maxSegments)
          this.#fail(`the image is corrupt: its header says ${this.#segments} segments (an app has 1 to ${APP_IMAGE.maxSegments})`);
        this.#chipId = head[12] | (head[13] << 8);
        this.#hashAppended = head[23] !== 0;
        // Known only now: hash the header that already went past.
        if (this.#hashAppended) this.#prefix = this.#sha256().update(head);
        if (this.#wholeFile) this.#whole = this.#sha256().update(head);
        this.#enter(SEGMENT_HEADER, APP_IMAGE.segmentHeaderBytes);
        break;
      }
      case SEGMENT_HEADER: {
        const length = readU32(this.#head, 4);
        const n = this.#segment + 1;
        if (length % 4 !== 0)
          this.#fail(`the image is corrupt: segment ${n} has a length of ${length} bytes, not a multiple of 4`);
        if (this.#received + length > this.#maxBytes)
          this.#fail(`the image does not fit: segment ${n} of ${this.#segments} would end at byte ${this.#received + length}, past the end of the update partition (${this.#maxBytes} bytes)`);
        if (this.#segment === 0 && length < APP_IMAGE.descriptorBytes)
          this.#fail(`the image has no app descriptor: its first segment is only ${length} bytes long`);
        this.#segmentOffset = 0;
        this.#enter(SEGMENT_DATA, length);
        break;
      }
      case SEGMENT_DATA:
        this.#segment++;
        if (this.#segment < this.#segments) this.#enter(SEGMENT_HEADER, APP_IMAGE.segmentHeaderBytes);
        else this.#enter(PADDING, 15 - (this.#received % 16));
        break;
      case PADDING:
        this.#enter(CHECKSUM, 1);
        break;
      case CHECKSUM:
        if (this.#prefix) {
          // The appended hash covers everything up to here.
          this.#expectedHash = this.#prefix.digest();
          this.#prefix = undefined;
          this.#enter(HASH, APP_IMAGE.hashBytes);
        } else this.#enter(DONE, Infinity);
        break;
      case HASH:
        this.#enter(DONE, Infinity);
        break;
    }
    if (this.#state === PADDING && this.#remaining === 0) this.#next();
  }

  #enter(state: number, bytes: number): void {
    this.#state = state;
    this.#remaining = bytes;
    if (state === SEGMENT_DATA && bytes === 0) this.#next();
  }

  #keepDescriptor(bytes: Uint8Array, at: number, take: number): void {
    const offset = this.#segmentOffset;
    const n = Math.min(take, DESCRIPTOR_KEPT - offset);
    const d = this.#descriptor;
    d.set(bytes.subarray(at, at + n), offset);
    if (offset < 4 && offset + n >= 4 && readU32(d, 0) !== APP_IMAGE.descriptorMagic)
      this.#fail("the image has no valid app descriptor (its magic word is wrong): it is not an ESP-IDF app, or it is corrupt");
    if (offset + n === DESCRIPTOR_KEPT) this.#info = readDescriptor(d);
  }

  #badMagic(_first: number): never {
    // Servers that do not have the file often answer 200 with an HTML page. What the bytes were is
    // not said: the answer of whatever the URL reached is none of the page's business.
    this.#fail("the file is not an ESP32 app image (it does not start with 0xE9: an HTML page, or another file?)");
  }

  #incomplete(): string {
    const got = `${this.#received} bytes`;
    switch (this.#state) {
      case HEADER:
        return this.#received === 0 ? "the download was empty" : `the image is incomplete: it ends after ${got}, inside its header`;
      case SEGMENT_HEADER:
      case SEGMENT_DATA:
        return `the image is incomplete: it ends after ${got}, inside segment ${this.#segment + 1} of ${this.#segments}`;
      case HASH:
        return `the image is incomplete: it ends after ${got}, inside its appended SHA-256`;
      default:
        return `the image is incomplete: it ends after ${got}, before its checksum`;
    }
  }

  #fail(message: string): never {
    // Once wrong, always wrong: a later update() or finish() throws the same error.
    this.#state = FAILED;
    this.#error = message;
    throw new ImageError(message);
  }
}
