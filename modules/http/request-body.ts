/*
 * Reading what a client sent: JSON only as application/json (a cross-site form cannot send that
 * without the browser asking first), forms only from this device's own pages (Origin or Referer
 * must name the Host the request was sent to; a request with neither is refused).
 */

import type { HttpRequest, HttpResponse } from "./http-message";
import { jsonError } from "./response";
import { FormError, parseForm } from "./form";

export type BodyResult<T> = { ok: true; value: T } | { ok: false; response: HttpResponse };

function mediaType(request: HttpRequest): string {
  return (request.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
}

export function readJsonObject(request: HttpRequest): BodyResult<Record<string, unknown>> {
  if (mediaType(request) !== "application/json")
    return { ok: false, response: jsonError(415, "send the body as application/json") };
  let value: unknown;
  try {
    value = request.body === "" ? {} : JSON.parse(request.body);
  } catch {
    return { ok: false, response: jsonError(400, "the body is not valid JSON") };
  }
  if (!value || typeof value !== "object" || Array.isArray(value))
    return { ok: false, response: jsonError(400, "the body must be a JSON object") };
  return { ok: true, value: value as Record<string, unknown> };
}

function hostOf(url: string): string | undefined {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(url);
  return m ? m[1].toLowerCase() : undefined;
}

/** True when the request comes from a page this device served (same Host). */
export function isSameOrigin(request: HttpRequest): boolean {
  const host = (request.headers.host ?? "").toLowerCase();
  if (!host) return false;
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== "null") return hostOf(origin) === host;
  const referer = request.headers.referer;
  if (referer !== undefined) return hostOf(referer) === host;
  return false;
}

export function readForm(request: HttpRequest): BodyResult<Record<string, string>> {
  if (mediaType(request) !== "application/x-www-form-urlencoded")
    return { ok: false, response: jsonError(415, "send the form as application/x-www-form-urlencoded") };
  if (!isSameOrigin(request))
    return { ok: false, response: jsonError(403, "forms are accepted only from this device's own page") };
  try {
    return { ok: true, value: parseForm(request.body) };
  } catch (e) {
    return { ok: false, response: jsonError(400, e instanceof FormError ? e.message : "malformed form") };
  }
}
