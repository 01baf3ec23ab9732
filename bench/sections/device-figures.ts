/*
 * The real engine's figures in `npm run bench`: what `npm run test:moddable` measured in the
 * Moddable simulator (the SDK's own XS, debug build), which the bench cannot measure itself
 * (CI has no SDK). test:moddable writes them to .build/moddable/figures.json (git-ignored) at
 * the end of every run; bench/device-baseline.json is the committed copy of one run. The budget
 * table shows the newer of the two, with its commit and date, so a figure never passes for this
 * commit's when it is not.
 *
 * Today that is the TLS rows issue #18 asks for: the peak of live memory one HTTPS exchange
 * takes over what was live before it, handshake and chain check first, then one full record
 * read (tests/moddable/heap-probe/tls-probe.js).
 */

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../tests/xs/bundle.ts";

export const DEVICE_FIGURES_PATH = join(ROOT, ".build/moddable/figures.json");
export const DEVICE_BASELINE_PATH = join(ROOT, "bench/device-baseline.json");

interface Peak {
  slotBytes: number;
  chunkBytes: number;
  ms: number;
}

export interface DeviceFigures {
  commit: string;
  date: string;
  sdk: string;
  /** Bytes of one slot where it was measured (32 on 64-bit Linux). */
  hostSlotBytes: number;
  idle?: { slotBytes: number; chunkBytes: number; keys: number };
  afterLoad?: { slotBytes: number; chunkBytes: number; keys: number };
  baselines: Record<string, { slotBytes: number; chunkBytes: number; keys: number }>;
  tls?: { name: string; cipher?: string; handshake?: Peak; request?: Peak & { bytes: number }; failed?: string }[];
  tlsAnswerBytes: number;
  /** One GitHub update check against the stand-in: its report and peak. */
  githubCheck?: { kind: string; version?: string; peak?: Peak; error?: string };
  /** The install that followed: the image's bytes written and the download's peak. */
  githubDownload?: { bytes?: number; peak?: Peak; error?: string };
}

/** The newer of the last run's figures and the committed copy, and which it is; undefined when neither exists or parses. */
export function deviceFigures(): { figures: DeviceFigures; source: string } | undefined {
  const found: { figures: DeviceFigures; source: string }[] = [];
  for (const [path, source] of [
    [DEVICE_FIGURES_PATH, "the last npm run test:moddable here"],
    [DEVICE_BASELINE_PATH, "bench/device-baseline.json"],
  ] as const) {
    if (!existsSync(path)) continue;
    try {
      const figures = JSON.parse(readFileSync(path, "utf8")) as DeviceFigures;
      if (typeof figures.date === "string" && typeof figures.hostSlotBytes === "number") found.push({ figures, source });
    } catch {
      // A file cut short by an interrupted run: the other one, or none.
    }
  }
  return found.sort((a, b) => b.figures.date.localeCompare(a.figures.date))[0];
}

/** Slots converted to the ESP32's 16-byte ones, chunks as measured (an upper bound: 64-bit pointers). */
export function deviceRow(peak: { slotBytes: number; chunkBytes: number }, hostSlotBytes: number, esp32SlotBytes: number): { slots: number; chunkBytes: number; esp32Bytes: number } {
  const slots = peak.slotBytes / hostSlotBytes;
  return { slots, chunkBytes: peak.chunkBytes, esp32Bytes: slots * esp32SlotBytes + peak.chunkBytes };
}
