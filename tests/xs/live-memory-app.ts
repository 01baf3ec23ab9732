/*
 * The XS side of the live feature's memory test (tests/xs/live-memory.test.ts): a manager on the
 * in-memory host, booted with or without the live feature and the log ring, driven one xsnap
 * crank per command so the parent can take a heap snapshot (after XS's own collection) between
 * steps. The test then compares heaps of sessions that differ only in what is switched on.
 *
 * Commands (JSON through xsnap's issueCommand, answered with JSON):
 *   {op: "boot", live, logBytes}   a manager serving on port 80; live: false switches the feature off
 *   {op: "settle"}                 a minute of virtual time in steps (timers, deliveries run)
 *   {op: "open"}                   a client opens GET /events (and keeps reading); again: one more
 *   {op: "log", n}                 n log lines (fills the ring)
 *   {op: "state"}                  {status, received, streams}
 *   {op: "gc"}                     a full collection (its crank's meter: live slots)
 * Engine-neutral: xsnap's globals (gc, TextEncoder) are reached through globalThis.
 */

import { IotManager } from "../../modules/manager";
import { MemoryTcp, type MemoryPeer } from "../support/memory-tcp";
import { parseHttpReply } from "../support/http-reply";
import { createTestHost, type TestHost } from "../support/test-host";
import { serveCommands } from "./memory-app-commands";

interface Command {
  op: string;
  live?: boolean;
  logBytes?: number;
  n?: number;
}

let host: TestHost | undefined;
let iot: IotManager | undefined;
let peer: MemoryPeer | undefined;
let opened = 0;

function run(command: Command): unknown {
  switch (command.op) {
    case "boot": {
      // The test host's log keeps every line: this one keeps nothing, so only the manager's ring counts.
      host = { ...createTestHost(), log: { write: () => undefined } };
      iot = new IotManager({ title: "Live memory", version: "1.0.0", live: command.live === false ? false : {}, logBytes: command.logBytes }, host);
      void iot.run();
      return { ok: true };
    }
    case "settle": {
      const clock = (host as TestHost).clock;
      for (let i = 0; i < 60; i++) void clock.advance(1000);
      return { ok: true };
    }
    case "open": {
      peer = ((host as TestHost).tcp as MemoryTcp).dial(80, { remote: `10.0.0.${++opened}` });
      peer.send("GET /events HTTP/1.1\r\nHost: 192.168.1.50\r\n\r\n");
      return { ok: true };
    }
    case "log": {
      for (let i = 0; i < (command.n ?? 1); i++) (iot as IotManager).log.info(`a log line of some length, number ${i}`);
      return { ok: true };
    }
    case "state": {
      const received = peer?.bytes() ?? new Uint8Array(0);
      const status = iot?.status() as { live?: { streams: number } } | undefined;
      return { ok: true, status: parseHttpReply(received).status, received: received.length, streams: status?.live?.streams ?? -1 };
    }
    default:
      throw new Error(`unknown command ${command.op}`);
  }
}

serveCommands(run);
