/*
 * TraceLog: the device's Log. One trace() call per entry: xsbug shows it in a debug build
 * (mcconfig -d); otherwise XS reports it on the serial output. The core formats the line; no
 * clock is added because the device may not know the time yet.
 */

import type { Log, LogLevel } from "../../modules/host/log";

export class TraceLog implements Log {
  write(_level: LogLevel, line: string): void {
    // One string, one report: xsbug shows each trace() call as it arrives.
    trace(`${line}\n`);
  }
}
