/*
 * The device the black-box specs in this folder talk to, and the few ways of speaking to it that
 * they share. Node only.
 *
 * - The runner (run-on-sdk.ts) registers the mcsim it started with useDevice(): a URL that can
 *   change when it restarts the simulator, and restart() itself.
 * - Without a registered device the specs take IOT_DEVICE_URL (http://HOST:PORT), so the same
 *   suite can be pointed at a real ESP32 or at `npm start`; then there is no restart() and the
 *   spec that needs one skips, saying why. The suite changes the device's config: point it only
 *   at a device you can reset.
 * - Everything here goes over real sockets (fetch, or raw-http.ts for what fetch cannot send:
 *   another site's Host, malformed requests); the device is never reached any other way.
 */

import { rawRequest, type RawReply } from "../support/raw-http";

export interface DeviceUnderTest {
  /** http://HOST:PORT with no trailing slash; may change across restart(). */
  readonly url: string;
  /** Stops the device and starts it again over the same storage; undefined when the harness cannot. */
  readonly restart: (() => Promise<void>) | undefined;
}

// Kept on globalThis, not in a module variable: mocha loads spec files with require() where it
// can, and tsx's require hook then gives them a copy of this module apart from the one the
// runner imported, so a module variable set by the runner would not be seen by the specs.
const REGISTRY = Symbol.for("iot-manager.tests.moddable.device");
type Registry = { [REGISTRY]?: DeviceUnderTest };

export function useDevice(device: DeviceUnderTest | undefined): void {
  (globalThis as Registry)[REGISTRY] = device;
}

export function device(): DeviceUnderTest {
  const registered = (globalThis as Registry)[REGISTRY];
  if (registered) return registered;
  const url = process.env.IOT_DEVICE_URL;
  if (!url) throw new Error("no device: set IOT_DEVICE_URL=http://HOST:PORT, or run these specs through `npm run test:moddable`");
  return { url: url.replace(/\/+$/, ""), restart: undefined };
}

/** The device's own address for Host headers: what a browser sends when it is called by IP. */
export function hostHeader(): string {
  return new URL(device().url).host;
}

export const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({ "content-type": "application/json" });

export function basicAuth(password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`admin:${password}`, "utf8").toString("base64")}` };
}

export async function getJson(path: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${device().url}${path}`);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

export interface JsonReply {
  status: number;
  headers: Headers;
  /** The body's bytes: their count is checked against Content-Length. */
  bytes: Buffer;
  json: unknown;
}

export async function postJson(path: string, value: unknown, headers: Record<string, string> = {}): Promise<JsonReply> {
  const res = await fetch(`${device().url}${path}`, { method: "POST", headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(value) });
  const bytes = Buffer.from(await res.arrayBuffer());
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, bytes, json };
}

/** A request as raw bytes, answered before the device closes the connection. */
export function raw(payload: string | Buffer, timeoutMs?: number): Promise<RawReply> {
  return rawRequest(device().url, payload, timeoutMs);
}

/** Resolves once GET /data is answered 200 again (after a test that held or broke connections). */
export async function waitUntilServing(timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${device().url}/data`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return true;
    } catch {
      // Not serving yet (refused, reset or slow): try again.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}
