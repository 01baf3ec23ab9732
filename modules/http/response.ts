/*
 * Builders for the responses the core (and the hosts' own refusals) send, so every answer has
 * the same headers: no caching of live values, no MIME sniffing, and JSON errors that say what
 * is wrong as {"error": "..."}.
 */

import type { HttpResponse } from "./http-message";

export const STATUS_TEXT: Readonly<Record<number, string>> = Object.freeze({
  200: "OK", 202: "Accepted", 204: "No Content", 302: "Found", 303: "See Other", 304: "Not Modified",
  400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
  408: "Request Timeout", 409: "Conflict", 411: "Length Required", 413: "Content Too Large", 414: "URI Too Long",
  415: "Unsupported Media Type", 429: "Too Many Requests", 431: "Request Header Fields Too Large",
  500: "Internal Server Error", 501: "Not Implemented", 503: "Service Unavailable",
});

const JSON_TYPE = "application/json; charset=utf-8";

/** The headers of every JSON answer; frozen, so a server checks them once (response-writer.ts). */
export const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({ "content-type": JSON_TYPE, "cache-control": "no-store", "x-content-type-options": "nosniff" });

export function jsonText(status: number, text: string, headers?: Record<string, string>): HttpResponse {
  return { status, headers: headers ? { ...JSON_HEADERS, ...headers } : (JSON_HEADERS as Record<string, string>), body: text };
}

export function json(status: number, value: unknown, headers?: Record<string, string>): HttpResponse {
  return jsonText(status, JSON.stringify(value), headers);
}

export function jsonError(status: number, message: string, headers?: Record<string, string>): HttpResponse {
  return json(status, { error: message }, headers);
}

export function redirect(location: string, status = 303): HttpResponse {
  return { status, headers: { location, "cache-control": "no-store" }, body: "" };
}

export function methodNotAllowed(allow: readonly string[]): HttpResponse {
  return jsonError(405, `method not allowed; use ${allow.join(" or ")}`, { allow: allow.join(", ") });
}

export function notFound(): HttpResponse {
  return jsonError(404, "not found");
}
