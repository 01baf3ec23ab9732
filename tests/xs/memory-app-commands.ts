/*
 * The command loop the XS memory apps share (tests/xs/*-memory-app.ts, run in xsnap by their
 * tests): each command is a JSON text, answered with the JSON of what the app's run() returned,
 * or {ok: false, error} when it threw. "gc" collects and answers nothing, so nothing is allocated
 * after the collection in that crank: xsnap reads the live slots at its end.
 */

import { decoder, encoder, xsnap as xs } from "./xsnap-globals";

/** xsnap's TextEncoder, for the bytes the apps send. */
export { encoder };

function reply(value: unknown): ArrayBuffer {
  return encoder.encode(JSON.stringify(value)).slice().buffer as ArrayBuffer;
}

/** Answers every command the test sends with run(command). */
export function serveCommands<C extends { op: string }>(run: (command: C) => unknown): void {
  xs.handleCommand = (message: ArrayBuffer): ArrayBuffer | undefined => {
    const command = JSON.parse(decoder.decode(message)) as C;
    if (command.op === "gc") {
      xs.gc();
      return undefined;
    }
    try {
      return reply(run(command));
    } catch (e) {
      return reply({ ok: false, error: e instanceof Error ? e.message : String(e) });
    }
  };
}
