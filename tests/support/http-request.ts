/*
 * Building requests for manager.handle() and reading responses back as text, on any engine.
 */

import { isHttpStream, type HttpRequest, type HttpResponse } from "../../modules/http/http-message";
import { utf8Decode } from "../../modules/text/utf8";

export function request(method: string, target: string, options: { body?: string; headers?: Record<string, string> } = {}): HttpRequest {
  const q = target.indexOf("?");
  return {
    method,
    path: q < 0 ? target : target.slice(0, q),
    query: q < 0 ? "" : target.slice(q + 1),
    headers: { host: "192.168.1.50", ...options.headers },
    body: options.body ?? "",
  };
}

export function jsonRequest(method: string, target: string, value: unknown): HttpRequest {
  return request(method, target, { body: JSON.stringify(value), headers: { "content-type": "application/json" } });
}

export function formRequest(target: string, body: string, origin = "http://192.168.1.50", headers: Record<string, string> = {}): HttpRequest {
  return request("POST", target, { body, headers: { "content-type": "application/x-www-form-urlencoded", origin, ...headers } });
}

/** The body as text, however the response carries it. */
export function bodyText(response: HttpResponse): string {
  const body = response.body;
  if (body === undefined) return "";
  if (typeof body === "string") return body;
  if (body instanceof Uint8Array) return utf8Decode(body);
  let out = "";
  if (isHttpStream(body)) {
    // What a stream has to say at once, then it is closed (as a server closes a HEAD's).
    body.open(() => undefined);
    for (let text = body.pull(4096); text; text = body.pull(4096)) out += text;
    body.close();
    return out;
  }
  for (const fragment of body) out += typeof fragment === "string" ? fragment : utf8Decode(fragment);
  return out;
}

export function bodyJson(response: HttpResponse): unknown {
  return JSON.parse(bodyText(response));
}
