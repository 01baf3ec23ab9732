/*
 * The XS side of the HTTP memory test (tests/xs/http-memory.test.ts): the core's HttpServer on
 * the in-memory Tcp, driven one xsnap crank per command, so the parent can take a heap
 * snapshot (after XS's own collection) between any two steps of a hostile client.
 *
 * Commands (JSON through xsnap's issueCommand, answered with JSON):
 *   {op: "setup"}                        a server on port 80 with the device's limits
 *   {op: "open", split}                  a client whose bytes arrive in pieces of `split`
 *   {op: "feed", chunk, times}           the client sends chunk `times` times, at full speed
 *   {op: "state"}                        {status, closed, received}: what the server answered
 *   {op: "gc"}                           a full collection (its crank's meter: live slots)
 * Engine-neutral: xsnap's globals (gc, TextEncoder) are reached through globalThis.
 */

import type { HttpService } from "../../modules/http/http-message";
import { HttpServer } from "../../modules/http/http-server";
import { json } from "../../modules/http/response";
import { MemoryTcp, type MemoryPeer } from "../support/memory-tcp";
import { parseHttpReply } from "../support/http-reply";
import { VirtualClock } from "../support/virtual-clock";
import { encoder, serveCommands } from "./memory-app-commands";

interface Command {
  op: string;
  split?: number;
  chunk?: string;
  times?: number;
}

let tcp: MemoryTcp | undefined;
let service: HttpService | undefined;
let peer: MemoryPeer | undefined;
let handled = 0;

/*
 * Every command runs synchronously; what it sets in motion (the wire's deliveries, the server's
 * answers) are promise reactions, which xsnap runs to the end before the crank is over, so the
 * next command sees their outcome.
 */
function run(command: Command): unknown {
  switch (command.op) {
    case "setup":
      tcp = new MemoryTcp();
      service = new HttpServer({ tcp, clock: new VirtualClock() }).serve({ port: 80 }, () => (handled++, json(200, { ok: true })));
      return { ok: true };
    case "open":
      if (!tcp) throw new Error("setup first");
      peer = tcp.dial(80, { split: command.split });
      return { ok: true };
    case "feed": {
      if (!peer) throw new Error("open first");
      const bytes = encoder.encode(command.chunk ?? "");
      for (let i = 0; i < (command.times ?? 1) && !peer.closed && peer.writable() >= bytes.length; i++) peer.send(bytes);
      return { ok: true };
    }
    case "state": {
      const received = peer?.bytes() ?? new Uint8Array(0);
      return { ok: true, status: parseHttpReply(received).status, closed: peer?.closed ?? false, received: received.length, handled };
    }
    default:
      throw new Error(`unknown command ${command.op}`);
  }
}

serveCommands(run);
