/*
 * Starts a real XS engine (@agoric/xsnap) the way both XS child processes need it: the XS test
 * run (tests/xs/run-in-xs.mjs) and the XS benchmark's meter (bench/xs/xs-meter.mjs).
 *
 * Importing this file loads "@endo/init", which locks down the importing process's whole realm
 * with SES (frozen intrinsics). So only those two child processes import it: never mocha, the
 * benchmark's own process, or anything under tsx's loader hooks. That is also why it is plain
 * .mjs: the child processes run under bare node.
 */

import "@endo/init";
import { xsnap } from "@agoric/xsnap";
import { spawn } from "node:child_process";
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";

/**
 * A worker named `name`, with XS's print() output on this process's stdout and stderr, and no
 * metering limit: XS never stops a busy loop by itself, so the caller keeps its own watchdog.
 * `handleCommand(bytes)` answers the bundle's issueCommand(); by default with nothing.
 */
export function startXsWorker({ name, handleCommand = async () => new Uint8Array(0) }) {
  return xsnap({
    os: os.type(),
    spawn,
    // tmpName serves only snapshots written through a file (snapshotUseFs), which is off here.
    fs: { ...fsp, createReadStream: fs.createReadStream, tmpName: () => {} },
    name,
    stdout: "inherit",
    stderr: "inherit",
    meteringLimit: 0,
    handleCommand,
  });
}
