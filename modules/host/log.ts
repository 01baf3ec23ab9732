/*
 * Log: one line per call (trace() on the device, stdout in the simulator). The core formats the
 * line; hosts only print it.
 */

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Log {
  write(level: LogLevel, line: string): void;
}
