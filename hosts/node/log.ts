/*
 * ConsoleLog: the simulator's Log, one timestamped line per entry on stdout (stderr for errors),
 * or into a caller's function (tests collect lines this way).
 */

import type { Log, LogLevel } from "../../modules/host/log";

export class ConsoleLog implements Log {
  readonly #sink: ((level: LogLevel, line: string) => void) | undefined;

  constructor(sink?: (level: LogLevel, line: string) => void) {
    this.#sink = sink;
  }

  write(level: LogLevel, line: string): void {
    if (this.#sink) return this.#sink(level, line);
    const text = `${new Date().toISOString()} ${line}\n`;
    (level === "error" ? process.stderr : process.stdout).write(text);
  }
}
