/*
 * Reads the XS instrumentation a debug build of the app prints in the Moddable simulator.
 *
 * In a debug build (mcconfig -d) the simulator samples its instruments about once a second
 * (build/simulators/modules/screen.c) and XS sends each sample to xsbug; with no xsbug
 * connected it prints them instead (xs/sources/xsDebug.c, fxDescribeInstrumentation and
 * fxSampleInstrumentation):
 *   instruments key: Pixels drawn,Frames drawn,...,Chunk used,Chunk available,Slot used,...
 *   instruments: 0,0,...,31744,65536,52384,98304,...
 * Each sample resets the counters that count per interval (garbage collections, network bytes,
 * promises settled, floating-point operations; the stack's peak): those are per second, the
 * rest are levels. A release build has no instrumentation at all. The XS figures are the machine's counters at
 * the moment of the sample, not live sizes after a collection: "Chunk used" and "Slot used"
 * count what is allocated, garbage included, until the next collection shrinks them; "Chunk
 * available"/"Slot available" are what the heap has taken from the system. Slots are counted
 * in bytes of this host's txSlot (32 on 64-bit Linux, 16 on the ESP32).
 */

export type Sample = Readonly<Record<string, number>>;

export class InstrumentReader {
  #names: string[] | undefined;
  readonly samples: Sample[] = [];

  /** Feeds one line of mcsim's output; returns true when it was an instruments line. */
  line(text: string): boolean {
    const key = /^instruments key: (.*)$/.exec(text);
    if (key) {
      this.#names = key[1].split(",").map((n) => n.trim());
      return true;
    }
    const values = /^instruments: ([-0-9,]+)\s*$/.exec(text);
    if (!values || !this.#names) return false;
    const numbers = values[1].split(",").map(Number);
    const sample: Record<string, number> = {};
    this.#names.forEach((name, i) => (sample[name] = numbers[i]));
    this.samples.push(Object.freeze(sample));
    return true;
  }

  get described(): boolean {
    return this.#names !== undefined;
  }
}

/** The figures worth printing, in the order printed; `counter` ones are reset by every sample. */
export const HEAP_FIGURES: readonly { name: string; counter: boolean }[] = Object.freeze([
  { name: "Chunk used", counter: false },
  { name: "Chunk available", counter: false },
  { name: "Slot used", counter: false },
  { name: "Slot available", counter: false },
  { name: "Stack used", counter: false },
  { name: "Keys used", counter: false },
  { name: "Modules loaded", counter: false },
  { name: "Network sockets", counter: false },
  { name: "Timers", counter: false },
  { name: "Garbage collections", counter: true },
  { name: "Network bytes read", counter: true },
  { name: "Network bytes written", counter: true },
]);

export interface HeapSummary {
  name: string;
  counter: boolean;
  /** The last sample before the load. */
  idle: number | undefined;
  /** While the requests ran: the highest sample of a level, the sum of a counter. */
  during: number | undefined;
  /** The last sample after the load had settled. */
  after: number | undefined;
}

export function summarize(idle: Sample | undefined, during: readonly Sample[], after: Sample | undefined): HeapSummary[] {
  return HEAP_FIGURES.map(({ name, counter }) => {
    const values = during.map((s) => s[name]).filter((v) => v !== undefined);
    const combined = values.length === 0 ? undefined : counter ? values.reduce((a, b) => a + b, 0) : Math.max(...values);
    return { name, counter, idle: idle?.[name], during: combined, after: after?.[name] };
  });
}

/** One line of tests/moddable/heap-probe/heap-probe.js: the heap live right after a collection. */
export interface HeapReading {
  /** Bytes of live slots on this host (32-byte slots on 64-bit Linux). */
  slotBytes: number;
  chunkBytes: number;
  keys: number;
}

/** 16-byte slots on the ESP32 (32-bit), 32 here: a slot figure converts by count, not bytes. */
export const ESP32_SLOT_BYTES = 16;

export class HeapProbeReader {
  readonly readings: HeapReading[] = [];

  /** Feeds one line of mcsim's output; returns true when it was the probe's. */
  line(text: string): boolean {
    const m = /^heap-probe: (\d+) (\d+) (\d+)\s*$/.exec(text);
    if (!m) return false;
    this.readings.push(Object.freeze({ slotBytes: Number(m[1]), chunkBytes: Number(m[2]), keys: Number(m[3]) }));
    return true;
  }
}

/** A reading as the ESP32 would hold it: the same slots at 16 bytes each, the chunks as measured (an upper bound). */
export function esp32Estimate(reading: HeapReading, hostSlotBytes: number): number {
  return (reading.slotBytes / hostSlotBytes) * ESP32_SLOT_BYTES + reading.chunkBytes;
}

/** A peak of live memory over what was live before it (heap-probe/heap-peak.c), on this host. */
export interface PeakReading {
  slotBytes: number;
  chunkBytes: number;
  ms: number;
}

/** One server's exchange in the heap probe's "tls" mode (heap-probe/tls-probe.js). */
export interface TlsExchange {
  name: string;
  /** From the start to connected(): the handshake, the certificate chain checked. */
  handshake?: PeakReading;
  /** From the start to closed(): the handshake, one GET and its answer read. */
  request?: PeakReading & { bytes: number };
  failed?: string;
}

export class TlsProbeReader {
  readonly exchanges = new Map<string, TlsExchange>();
  done = false;

  /** Feeds one line of mcsim's output; returns true when it was the TLS probe's. */
  line(text: string): boolean {
    const m = /^heap-probe: tls (\S+)(?: (handshake|request) (-?\d+) (-?\d+) (\d+)(?: (\d+))?| failed (.*))?\s*$/.exec(text);
    if (!m) return false;
    if (m[1] === "done" && m[2] === undefined && m[7] === undefined) {
      this.done = true;
      return true;
    }
    const exchange = this.exchanges.get(m[1]) ?? { name: m[1] };
    this.exchanges.set(m[1], exchange);
    if (m[7] !== undefined) exchange.failed = m[7];
    else if (m[2] !== undefined) {
      const reading = { slotBytes: Number(m[3]), chunkBytes: Number(m[4]), ms: Number(m[5]) };
      if (m[2] === "handshake") exchange.handshake = reading;
      else exchange.request = { ...reading, bytes: Number(m[6] ?? 0) };
    }
    return true;
  }
}

/** The heap probe's "github" mode (heap-probe/github-probe.js): one update check's report and peak. */
export class GithubProbeReader {
  /** "available" / "upToDate" with the release's version and the peak, or "error" with why. */
  report: { kind: string; version?: string; peak?: PeakReading; error?: string } | undefined;
  /** The install that followed: the image's bytes and the download's peak, or why it failed. */
  download: { bytes?: number; peak?: PeakReading; error?: string } | undefined;
  done = false;

  line(text: string): boolean {
    if (/^heap-probe: github done\s*$/.test(text)) return (this.done = true);
    const failed = /^heap-probe: github download-error (.*)$/.exec(text);
    if (failed) return Boolean((this.download = { error: failed[1] }));
    const got = /^heap-probe: github download (\d+) (-?\d+) (-?\d+) (\d+)\s*$/.exec(text);
    if (got) return Boolean((this.download = { bytes: Number(got[1]), peak: { slotBytes: Number(got[2]), chunkBytes: Number(got[3]), ms: Number(got[4]) } }));
    const error = /^heap-probe: github error (.*)$/.exec(text);
    if (error) return Boolean((this.report = { kind: "error", error: error[1] }));
    const m = /^heap-probe: github (\S+) (\S+) (-?\d+) (-?\d+) (\d+)\s*$/.exec(text);
    if (!m) return false;
    this.report = { kind: m[1], version: m[2], peak: { slotBytes: Number(m[3]), chunkBytes: Number(m[4]), ms: Number(m[5]) } };
    return true;
  }
}
