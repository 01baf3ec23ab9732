/*
 * A Host for core tests on any engine: MemoryStorage (device limits), a VirtualClock, collected
 * log lines, a counted restart, and a MemoryTcp that never opens a socket (tests call
 * manager.handle() directly, or dial the server through host.tcp).
 */

import type { Host } from "../../modules/host/host";
import type { LogLevel } from "../../modules/host/log";
import type { Storage } from "../../modules/host/storage";
import { MemoryStorage } from "./memory-storage";
import { MemoryTcp } from "./memory-tcp";
import { VirtualClock } from "./virtual-clock";

export interface TestHost extends Host {
  readonly clock: VirtualClock;
  readonly tcp: MemoryTcp;
  readonly lines: { level: LogLevel; line: string }[];
  restarts: number;
}

export function createTestHost(storage: Storage = new MemoryStorage(), mac = "24:0a:c4:12:34:56"): TestHost {
  const lines: { level: LogLevel; line: string }[] = [];
  const host: TestHost = {
    storage,
    clock: new VirtualClock(),
    lines,
    restarts: 0,
    log: { write: (level, line) => void lines.push({ level, line }) },
    system: {
      info: () => ({ mac, platform: "test" }),
      restart: () => void host.restarts++,
    },
    tcp: new MemoryTcp(),
    // The address every test request names in its Host (tests/support/http-request.ts).
    network: { status: () => ({ mode: "station", ssid: "Home", ip: "192.168.1.50" }) },
  };
  return host;
}
