/*
 * System: what the device knows about itself and the one thing it can do to itself (restart).
 */

export interface SystemInfo {
  /** Station MAC address as "aa:bb:cc:dd:ee:ff". */
  mac: string;
  /** Free heap in bytes, when the host can tell. */
  freeMemory?: number;
  /** "esp32", "simulator", ... */
  platform: string;
}

export interface System {
  info(): SystemInfo;
  /** Random bytes from the host's best source (ESP32: the hardware RNG), for password salts. */
  randomBytes?(length: number): Uint8Array;
  /** False where the host cannot restart the app (the Moddable simulator): restart() does nothing. */
  readonly canRestart?: boolean;
  /** Restart the app. On the device it does not return; the simulator restarts in-process. */
  restart(): void;
}
