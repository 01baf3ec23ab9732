/*
 * Logger: levelled, formatted lines to the host's Log. Debug lines are dropped unless the
 * manager was created with debug on, so a release build pays nothing for them but the call.
 */

import type { Log, LogLevel } from "../host/log";

// Helper methods are TypeScript-private, not #private: XS gives every instance one slot per #method.
export class Logger {
  /** The host's Log; for a child, the logger it was made from. */
  #out: Log | Logger;
  readonly #debug: boolean;
  /** What starts every line; for a child, its name (the parent adds its own prefix). */
  readonly #prefix: string;

  constructor(log: Log, debug: boolean, prefix = "") {
    this.#out = log;
    this.#debug = debug;
    this.#prefix = prefix;
  }

  /**
   * A logger whose lines start with "[name] ". It keeps its parent and the name, not a prefix
   * made for it: the device holds one logger per feature for as long as it runs.
   */
  child(name: string): Logger {
    const child = new Logger(this.#out as Log, this.#debug, name);
    child.#out = this;
    return child;
  }

  private write(level: LogLevel, message: string): void {
    const out = this.#out;
    if (out instanceof Logger) out.write(level, `[${this.#prefix}] ${message}`);
    else out.write(level, `${level.toUpperCase()} ${this.#prefix}${message}`);
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
