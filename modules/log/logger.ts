/*
 * Logger: levelled, formatted lines to the host's Log. Debug lines are dropped unless the
 * manager was created with debug on, so a release build pays nothing for them but the call.
 */

import type { Log, LogLevel } from "../host/log";

// Helper methods are TypeScript-private, not #private: XS gives every instance one slot per #method.
export class Logger {
  readonly #log: Log;
  readonly #debug: boolean;
  readonly #prefix: string;

  constructor(log: Log, debug: boolean, prefix = "") {
    this.#log = log;
    this.#debug = debug;
    this.#prefix = prefix;
  }

  /** A logger whose lines start with "[name] ". */
  child(name: string): Logger {
    return new Logger(this.#log, this.#debug, `${this.#prefix}[${name}] `);
  }

  private write(level: LogLevel, message: string): void {
    this.#log.write(level, `${level.toUpperCase()} ${this.#prefix}${message}`);
  }

  debug(message: string): void {
    if (this.#debug) this.write("debug", message);
  }

  info(message: string): void {
    this.write("info", message);
  }

  warn(message: string): void {
    this.write("warn", message);
  }

  error(message: string): void {
    this.write("error", message);
  }
}

/** The message of anything thrown, for a log line. */
export function errorText(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}
