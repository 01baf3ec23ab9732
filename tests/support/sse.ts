/*
 * Reads back a server-sent event stream the way EventSource does (the HTML standard's
 * "interpret an event stream"): lines end in LF, CR or CRLF; "event:", "data:", "id:" and
 * "retry:" fields; a blank line dispatches; ":" lines are comments (counted here, since the
 * keep-alives are what the tests look for). Engine-neutral.
 */

import { utf8Decode } from "../../modules/text/utf8";

export interface SseEvent {
  event: string;
  data: string;
  /** The last event id seen, as EventSource's lastEventId is. */
  id: string;
}

export interface SseStream {
  /** The response head, as text. */
  head: string;
  status: number;
  events: SseEvent[];
  comments: number;
  retry?: number;
}

/** Parses a whole response (head and body as received so far); a partial last event is left out. */
export function parseSse(raw: Uint8Array | string): SseStream {
  const text = typeof raw === "string" ? raw : utf8Decode(raw);
  const split = text.indexOf("\r\n\r\n");
  const head = split < 0 ? text : text.slice(0, split);
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
  const out: SseStream = { head, status, events: [], comments: 0 };
  if (split < 0) return out;
  const body = text.slice(split + 4);
  let event = "";
  let data: string[] = [];
  let id = "";
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== "\n" && c !== "\r") continue;
    const line = body.slice(start, i);
    if (c === "\r" && body[i + 1] === "\n") i++;
    start = i + 1;
    if (line === "") {
      if (data.length) out.events.push({ event: event || "message", data: data.join("\n"), id });
      event = "";
      data = [];
      continue;
    }
    if (line.startsWith(":")) {
      out.comments++;
      continue;
    }
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
    else if (field === "id") id = value;
    else if (field === "retry" && /^\d+$/.test(value)) out.retry = Number(value);
  }
  return out;
}

/** The events named `name`, their data parsed as JSON. */
export function eventsNamed(stream: SseStream, name: string): unknown[] {
  return stream.events.filter((e) => e.event === name).map((e) => JSON.parse(e.data) as unknown);
}
