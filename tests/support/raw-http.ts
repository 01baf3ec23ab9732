/*
 * Sends bytes over a raw TCP socket and returns everything the server answered before it
 * closed: for requests no HTTP client would send (malformed, oversized, half-sent).
 */

import { connect } from "node:net";

export interface RawReply {
  text: string;
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function parseReply(text: string): RawReply {
  const end = text.indexOf("\r\n\r\n");
  const head = end < 0 ? text : text.slice(0, end);
  const [statusLine, ...lines] = head.split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const c = line.indexOf(":");
    if (c > 0) headers[line.slice(0, c).trim().toLowerCase()] = line.slice(c + 1).trim();
  }
  return { text, status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0), headers, body: end < 0 ? "" : text.slice(end + 4) };
}

/** The host and TCP port of an http:// URL; URL leaves `port` empty when it is the default, 80. */
export function endpoint(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname, port: u.port === "" ? 80 : Number(u.port) };
}

export function rawRequest(url: string, payload: string | Buffer, timeoutMs = 15_000): Promise<RawReply> {
  const { host, port } = endpoint(url);
  return new Promise((resolve, reject) => {
    const socket = connect(port, host);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error("no answer in time"));
    }, timeoutMs);
    socket.on("connect", () => socket.write(payload));
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", () => undefined); // A reset after the answer still leaves the answer.
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(parseReply(Buffer.concat(chunks).toString("utf8")));
    });
  });
}
