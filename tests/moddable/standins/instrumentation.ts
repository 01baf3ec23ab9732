/*
 * Stand-in of the SDK module "instrumentation" (modules/base/instrumentation, SDK 8.2.3).
 *
 * Kept: Instrumentation.map(name) answers the index of a known name ("System Free Memory",
 * "XS Slot Heap Used", ...) and undefined for an unknown one; get(index) answers the value, or
 * undefined for an index out of range; name(index) the reverse of map. In a release build
 * (no MODINSTRUMENTATION) all three answer undefined: `instruments.release = true` here.
 * The values are the test's to set (instruments.values): the stand-in measures nothing.
 */

import { machine } from "./machine";

const NAMES: readonly string[] = Object.freeze([
  "",
  "Pixels Drawn",
  "Frames Drawn",
  "Network Bytes Read",
  "Network Bytes Written",
  "Network Sockets",
  "Timers",
  "Files",
  "Poco Display List Used",
  "Piu Command List Used",
  "SPI Flash Erases",
  "Turns",
  "System Free Memory",
  "CPU 0",
  "CPU 1",
  "XS Slot Heap Used",
  "XS Chunk Heap Used",
  "XS Keys Used",
  "XS Garbage Collection Count",
  "XS Modules Loaded",
  "XS Stack Used",
  "XS Promises Settled",
]);

export const instruments = {
  /** A build without instrumentation: every call answers undefined. */
  release: false,
  /** Values by name; a name not set reads 0, as an unset counter does. */
  values: new Map<string, number>(),
};

export default class Instrumentation {
  static map(name: string): number | undefined {
    machine.native("Instrumentation.map");
    if (instruments.release) return undefined;
    const i = NAMES.indexOf(String(name));
    return i > 0 ? i : undefined;
  }

  static get(index: number): number | undefined {
    if (instruments.release) return undefined;
    const i = Number(index) | 0;
    if (i < 0 || i >= NAMES.length) return undefined;
    return instruments.values.get(NAMES[i]) ?? 0;
  }

  static name(index: number): string | undefined {
    if (instruments.release) return undefined;
    const i = Number(index) | 0;
    return i > 0 && i < NAMES.length ? NAMES[i] : undefined;
  }
}
