/*
 * Storage: the device's key/value store (Moddable Preference, NVS on ESP32), as the core sees it.
 *
 * - Keys live in domains. Domain and key are 1..15 characters (the NVS limit), on every host.
 * - A value is a boolean, a 32-bit integer, a string, or an ArrayBuffer, at most 4000 bytes.
 *   Non-integer numbers are refused ("float unsupported"), exactly as on the device.
 * - write() may erase the key before it writes it (Preference.set does), so one write is NOT
 *   atomic across a power cut: code that must not lose a value uses atomic-record.ts.
 * - Every host calls checkStorageWrite() before it writes, so a limit broken in the simulator
 *   fails there, not first on the device.
 * - A domain the host cannot read (its file damaged, a flash read error) does not throw from
 *   read(): it reads as empty, and problems() names it until a write has stored it afresh (or,
 *   on a host that sets a damaged domain aside, until the next boot), so the device boots on
 *   defaults and says why instead of stopping.
 */

export interface StorageProblem {
  readonly domain: string;
  /** Plain words: what could not be read, and what is lost. */
  readonly message: string;
}

export type StoredValue = boolean | number | string | ArrayBuffer;

export interface Storage {
  read(domain: string, key: string): StoredValue | undefined;
  write(domain: string, key: string, value: StoredValue): void;
  remove(domain: string, key: string): void;
  keys(domain: string): string[];
  /** Domains that could not be read since they were last stored afresh (none when absent). */
  problems?(): readonly StorageProblem[];
}
