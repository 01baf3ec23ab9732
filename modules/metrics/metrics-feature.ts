/*
 * MetricsFeature: GET /metrics in Prometheus's text format 0.0.4, readable without the admin
 * password like /data, streamed in fragments so the device never holds it whole.
 *
 *   iot_up 1
 *   iot_uptime_seconds 1234
 *   iot_info{version="1.0.0",framework="0.2.0",platform="esp32",hostname="iot-3f2a1b"} 1
 *   iot_free_memory_bytes 81234            (where the host knows it)
 *   iot_wifi_rssi_dbm -54                  (while joined)
 *   iot_http_requests_total{code="200"} 17 (answers since boot, by status)
 *   iot_data{key="Counter"} 17             (a number, a boolean as 0/1, or a decimal string)
 *   iot_data_info{key="gmt_time",value="2026-12-01T10:00:03.000Z"} 1   (any other string)
 *
 * Data entries that are null, arrays or objects are left out. Every key and value is escaped
 * (prometheus-text.ts), so a hostile key never breaks a scrape. Idle cost: one small map of
 * counters (one entry per status seen, made by the first answer) and one closure, the answer
 * listener and the route's handler both.
 */

import type { DataValue } from "../data/data-store";
import type { Feature, FeatureContext } from "../feature";
import type { HttpRequest, HttpResponse } from "../http/http-message";
import { FRAMEWORK_VERSION } from "../version";
import { familyHead, sampleValue, series } from "./prometheus-text";

export interface MetricsOptions {
  /** Path of the scrape (default /metrics). */
  path?: string;
}

const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/**
 * True for decimal number text: [+-] digits [. digits] [e [+-] digits] (Number() alone also
 * takes "0x10", "Infinity" and ""). A walk by code point, no regex: a preloaded one corrupts XS
 * 8.2.3's heap, and this runs for every data entry of every scrape.
 */
function isDecimalText(text: string): boolean {
  let digits = 0;
  let state: "sign" | "int" | "frac" | "exp-sign" | "exp" = "sign";
  let expDigits = 0;
  for (const ch of text) {
    const digit = ch >= "0" && ch <= "9";
    if (state === "sign" && (ch === "+" || ch === "-")) state = "int";
    else if ((state === "sign" || state === "int") && digit) {
      state = "int";
      digits++;
    } else if ((state === "sign" || state === "int") && ch === ".") state = "frac";
    else if (state === "frac" && digit) digits++;
    else if ((state === "int" || state === "frac") && (ch === "e" || ch === "E") && digits > 0) state = "exp-sign";
    else if (state === "exp-sign" && (ch === "+" || ch === "-")) state = "exp";
    else if ((state === "exp-sign" || state === "exp") && digit) {
      state = "exp";
      expDigits++;
    } else return false;
  }
  return digits > 0 && (state === "int" || state === "frac" || expDigits > 0);
}

/** The number Prometheus should see for a data value, or undefined when it is not a number. */
export function numericValue(value: DataValue): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "string") {
    const text = value.trim();
    if (isDecimalText(text)) {
      const n = Number(text);
      if (Number.isFinite(n)) return n;
    }
  }
  return undefined;
}

export class MetricsFeature implements Feature {
  // Constants on the prototype (getters), not two slots in every instance.
  get name(): string {
    return "metrics";
  }
  get title(): string {
    return "Metrics";
  }
  readonly #path: string;
  #context: FeatureContext | undefined;
  /** Answers by status, made by the first answer. */
  #answers: Map<number, number> | undefined;
  /** The listener's and the route's one closure, kept to take the listener off again (events.off). */
  #heard: ((value: number | HttpRequest) => HttpResponse | undefined) | undefined;

  constructor(options: MetricsOptions = {}) {
    this.#path = options.path ?? "/metrics";
  }

  attach(context: FeatureContext): void {
    this.#context = context;
    // One closure for the "answer" listener (a status code) and the route (a request).
    const heard = (this.#heard = (value: number | HttpRequest): HttpResponse | undefined => this.heard(value));
    context.events.on("answer", heard);
    context.router.add("GET", this.#path, heard as (request: HttpRequest) => HttpResponse);
  }

  /** A status code answered (counted), or the scrape asked for. */
  private heard(value: number | HttpRequest): HttpResponse | undefined {
    return typeof value === "number" ? this.count(value) : this.scrape();
  }

  private count(status: number): undefined {
    const answers = (this.#answers ??= new Map());
    answers.set(status, (answers.get(status) ?? 0) + 1);
    return undefined;
  }

  detach(): void {
    if (this.#heard) this.#context?.events.off("answer", this.#heard);
    this.#heard = undefined;
    this.#context = undefined;
  }

  status(): unknown {
    return { path: this.#path };
  }

  private scrape(): HttpResponse {
    const context = this.#context;
    const body = context ? metricLines(context, this.#answers) : [];
    return { status: 200, headers: { "content-type": CONTENT_TYPE, "cache-control": "no-store", "x-content-type-options": "nosniff" }, body };
  }
}

/** The scrape, line by line (a module-level generator: its prototype can be frozen for flash). */
function* metricLines(context: FeatureContext, answers: ReadonlyMap<number, number> | undefined): Generator<string> {
  const status = context.status();
  yield `${familyHead("iot_up", "gauge", "1 while the device answers.")}iot_up 1\n`;
  yield `${familyHead("iot_uptime_seconds", "gauge", "Seconds since the app started.")}iot_uptime_seconds ${sampleValue(Number(status.uptime) || 0)}\n`;
  const info = series("iot_info", {
    version: String(status.version ?? ""),
    framework: FRAMEWORK_VERSION,
    platform: String(status.platform ?? ""),
    hostname: String(status.hostname ?? ""),
  });
  yield `${familyHead("iot_info", "gauge", "The device's version, framework, platform and hostname.")}${info} 1\n`;
  if (typeof status.freeMemory === "number")
    yield `${familyHead("iot_free_memory_bytes", "gauge", "Free heap, in bytes.")}iot_free_memory_bytes ${sampleValue(status.freeMemory)}\n`;
  const rssi = context.network().rssi;
  if (typeof rssi === "number") yield `${familyHead("iot_wifi_rssi_dbm", "gauge", "Signal strength of the WiFi network joined, in dBm.")}iot_wifi_rssi_dbm ${sampleValue(rssi)}\n`;
  if (answers && answers.size) {
    yield familyHead("iot_http_requests_total", "counter", "HTTP requests answered since boot, by status code.");
    for (const [code, n] of answers) yield `${series("iot_http_requests_total", { code: String(code) })} ${n}\n`;
  }
  let numbers = false;
  for (const [key, value] of context.data) {
    const n = numericValue(value);
    if (n === undefined) continue;
    if (!numbers) yield familyHead("iot_data", "gauge", "The app's data entries that are numbers (booleans as 0 or 1).");
    numbers = true;
    yield `${series("iot_data", { key })} ${sampleValue(n)}\n`;
  }
  let texts = false;
  for (const [key, value] of context.data) {
    if (typeof value !== "string" || numericValue(value) !== undefined) continue;
    if (!texts) yield familyHead("iot_data_info", "gauge", "The app's data entries that are text, as a label.");
    texts = true;
    yield `${series("iot_data_info", { key, value })} 1\n`;
  }
}
Object.freeze(metricLines.prototype);
