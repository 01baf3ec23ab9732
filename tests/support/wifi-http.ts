/*
 * HTTP and DNS helpers for the WiFi black-box tests: a GET or POST with any Host header (fetch
 * will not send a Host of our choosing; a phone on the portal does), a free UDP port for the
 * portal DNS, a resolver aimed at it, and polling until a condition holds. Node only.
 */

import { createSocket } from "node:dgram";
import { Resolver } from "node:dns/promises";
import { request } from "node:http";
import { setTimeout as delay } from "node:timers/promises";

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function http(base: string, method: string, path: string, options: { host?: string; json?: unknown } = {}): Promise<Reply> {
  const url = new URL(base);
  const body = options.json === undefined ? undefined : JSON.stringify(options.json);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: Number(url.port),
        method,
        path,
        headers: {
          host: options.host ?? url.host,
          ...(body !== undefined ? { "content-type": "application/json", "content-length": Buffer.byteLength(body) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

export async function getJson(base: string, path: string): Promise<Record<string, any>> {
  const reply = await http(base, "GET", path);
  if (reply.status !== 200) throw new Error(`GET ${path}: ${reply.status} ${reply.body}`);
  return JSON.parse(reply.body) as Record<string, any>;
}

/** A UDP port nobody uses right now. */
export async function freeUdpPort(): Promise<number> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

export function resolverFor(port: number): Resolver {
  const resolver = new Resolver({ timeout: 1_000, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
  return resolver;
}

/** Polls until check() returns something truthy; returns it. */
export async function until<T>(check: () => Promise<T> | T, what: string, timeoutMs = 15_000, everyMs = 100): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await delay(everyMs);
  }
}
