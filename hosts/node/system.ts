/*
 * SimulatedSystem: the simulator's identity and restart. The MAC address is made up once per
 * state folder and kept there, so each simulated device has its own (its hostname and access
 * point name derive from it) and keeps it across restarts.
 */

import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { System, SystemInfo } from "../../modules/host/system";

function loadMac(stateDir: string): string {
  const file = join(stateDir, "identity.json");
  try {
    const saved = JSON.parse(readFileSync(file, "utf8")) as { mac?: unknown };
    if (typeof saved.mac === "string" && /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(saved.mac)) return saved.mac;
  } catch {
    // No identity yet: this is the device's first boot.
  }
  const bytes = randomBytes(6);
  bytes[0] = (bytes[0] & 0xfe) | 0x02; // locally administered, unicast
  const mac = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(":");
  writeFileSync(file, JSON.stringify({ mac }) + "\n");
  return mac;
}

export class SimulatedSystem implements System {
  readonly #mac: string;
  readonly #onRestart: () => void;

  constructor(stateDir: string, onRestart: () => void) {
    this.#mac = loadMac(stateDir);
    this.#onRestart = onRestart;
  }

  info(): SystemInfo {
    return { mac: this.#mac, platform: "simulator", freeMemory: undefined };
  }

  randomBytes(length: number): Uint8Array {
    return new Uint8Array(randomBytes(length));
  }

  restart(): void {
    this.#onRestart();
  }
}
