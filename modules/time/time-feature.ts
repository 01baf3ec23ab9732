/*
 * TimeFeature: the device's time of day. It keeps iot.clock (device-clock.ts) right with SNTP
 * (sntp-client.ts) and its timezone in step with the timezone setting.
 *
 * - Settings: ntp_servers ("pool.ntp.org,time.google.com": names or addresses, :port allowed,
 *   at most 4, empty for only what the network offers) and timezone (a POSIX TZ string, UTC0 by
 *   default; a malformed one is refused with the key named, as every setting is).
 * - SNTP runs while the station has an address (the "network" event): the servers the network
 *   offered first (where the host knows them), then the setting's. A change of the setting syncs
 *   again at once and forgets kiss-of-death refusals. Where the host's clock is already right
 *   (wall clock source "host": the simulator over the computer's clock) SNTP does not run.
 * - status() is GET /api/status's `time`: {valid, source, server, validSince, lastSync,
 *   offsetMs, utc, local, timezone, summary, sntp}. pageSection() is the Time card, refreshed by
 *   the page's status poll.
 */

import type { ConfigValue, SettingSpec } from "../config/config-keys";
import type { Feature, FeatureContext } from "../feature";
import type { NetworkStatus } from "../host/network";
import { escapeHtml, needsEscape } from "../text/escape-html";
import { NOT_BEFORE_MS } from "../clock/build-date";
import type { ClockStatus } from "../clock/device-clock";
import { parsePosixTz, UTC_TZ } from "../clock/posix-tz";
import type { Udp } from "../host/udp";
import { parseServer, SntpClient, type SntpClientOptions, type SntpStatus, type SntpTiming } from "./sntp-client";

export interface TimeFeatureOptions {
  timing?: Partial<SntpTiming>;
  /** Replies before this are refused (default: this firmware's build date). */
  notBeforeMs?: number;
}

const MAX_SERVERS = 4;
const NO_SECTION: readonly string[] = Object.freeze([]);
const NONE: readonly string[] = NO_SECTION;

function serverList(value: ConfigValue): string[] {
  const out: string[] = [];
  for (const item of String(value).split(",")) {
    const trimmed = item.trim();
    if (trimmed !== "" && !out.includes(trimmed)) out.push(trimmed);
  }
  return out;
}

function checkServers(value: ConfigValue): string | undefined {
  const list = serverList(value);
  if (list.length > MAX_SERVERS) return `at most ${MAX_SERVERS} time servers`;
  for (const entry of list) if (!parseServer(entry)) return `"${entry.slice(0, 40)}" is not a host name or an IPv4 address (with :port if not 123)`;
  return undefined;
}

function checkTimezone(value: ConfigValue): string | undefined {
  const parsed = parsePosixTz(String(value));
  return "error" in parsed ? parsed.error : undefined;
}

export const TIME_SETTINGS: Readonly<Record<string, SettingSpec>> = Object.freeze({
  ntp_servers: Object.freeze({
    type: "string",
    default: "pool.ntp.org,time.google.com",
    group: "time",
    label: "Time servers (NTP)",
    help: "Host names or addresses, separated by commas, asked in order after any the network offers. Empty: only those.",
    maxBytes: 200,
    check: checkServers,
  }),
  timezone: Object.freeze({
    type: "string",
    default: "UTC0",
    group: "time",
    label: "Time zone (POSIX TZ)",
    help: "For local times on the page and in time windows, e.g. CET-1CEST,M3.5.0,M10.5.0/3 (Berlin), EST5EDT,M3.2.0,M11.1.0 (New York), IST-5:30 (India), UTC0.",
    minBytes: 1,
    maxBytes: 64,
    check: checkTimezone,
  }),
} satisfies Record<string, SettingSpec>);

function hasStation(network: NetworkStatus): boolean {
  return (network.mode === "station" || network.mode === "ap+station") && network.ip !== "";
}

/**
 * The SNTP client's options, read through the feature's context when the client asks: three
 * slots, where an options object would hold a copy of every part and a closure each for the
 * servers and the random bytes. The client calls servers() and random() on this object.
 */
class SntpSource implements SntpClientOptions {
  readonly #feature: TimeFeature;
  readonly #context: FeatureContext;
  readonly #options: TimeFeatureOptions;

  constructor(feature: TimeFeature, context: FeatureContext, options: TimeFeatureOptions) {
    this.#feature = feature;
    this.#context = context;
    this.#options = options;
  }

  get udp(): Udp {
    return this.#context.host.udp as Udp;
  }

  get clock(): SntpClientOptions["clock"] {
    return this.#context.host.clock;
  }

  get deviceClock(): SntpClientOptions["deviceClock"] {
    return this.#context.clock;
  }

  get resolver(): SntpClientOptions["resolver"] {
    return this.#context.host.resolver;
  }

  get log(): SntpClientOptions["log"] {
    return this.#context.log;
  }

  get notBeforeMs(): number {
    return this.#options.notBeforeMs ?? NOT_BEFORE_MS;
  }

  get timing(): Partial<SntpTiming> | undefined {
    return this.#options.timing;
  }

  servers(): readonly string[] {
    return this.#feature.servers();
  }

  random(n: number): Uint8Array {
    return this.#context.host.system.randomBytes?.(n) ?? Uint8Array.from({ length: n }, () => Math.floor(Math.random() * 256));
  }
}

export class TimeFeature implements Feature {
  // Constants on the prototype (getters), not four slots in every instance.
  get name(): string {
    return "time";
  }
  get title(): string {
    return "Time";
  }
  /** A small card with nothing to edit: on the overview, not a view of its own. */
  get overviewCard(): boolean {
    return true;
  }
  get settings(): Readonly<Record<string, SettingSpec>> {
    return TIME_SETTINGS;
  }
  readonly #options: TimeFeatureOptions;
  #context: FeatureContext | undefined;
  #client: SntpClient | undefined;
  #offered: readonly string[] = NONE;
  #stationIp = "";
  /** The one listener of both events, kept to take it off again (events.off: no unsubscribes held). */
  #heard: ((value: NetworkStatus | readonly string[]) => void) | undefined;

  constructor(options: TimeFeatureOptions = {}) {
    this.#options = options;
  }

  attach(context: FeatureContext): void {
    this.#context = context;
    const { host } = context;
    this.applyTimezone();
    // One listener for both events (a change of settings is a list of keys, the network an object).
    const heard = (this.#heard = (value: NetworkStatus | readonly string[]): void => this.heard(value));
    context.events.on("config", heard);
    if (!host.udp || context.clock.source === "host") return;
    this.#client = new SntpClient(new SntpSource(this, context, this.#options));
    context.events.on("network", heard);
  }

  detach(): void {
    const heard = this.#heard;
    if (heard) {
      this.#context?.events.off("config", heard);
      // Harmless when it never listened (no UDP, or the host's clock): off() finds nothing.
      this.#context?.events.off("network", heard);
    }
    this.#heard = undefined;
    this.#client?.stop();
    this.#client = undefined;
    this.#context = undefined;
  }

  /** The servers a sync asks, in order: the network's, then the setting's. */
  servers(): string[] {
    const out = [...this.#offered];
    const context = this.#context;
    if (context) for (const s of serverList(context.config.get("ntp_servers") ?? "")) if (!out.includes(s)) out.push(s);
    return out;
  }

  private applyTimezone(): void {
    const context = this.#context;
    if (!context) return;
    const text = String(context.config.get("timezone") ?? "UTC0");
    // The default is the preloaded UTC_TZ (what parsing it gives), not a copy made at boot.
    const parsed = text === UTC_TZ.text ? UTC_TZ : parsePosixTz(text);
    context.clock.timezone = "error" in parsed ? UTC_TZ : parsed;
  }

  private heard(value: NetworkStatus | readonly string[]): void {
    if (Array.isArray(value)) this.configChanged(value as readonly string[]);
    else this.networkChanged(value as NetworkStatus);
  }

  private configChanged(keys: readonly string[]): void {
    if (keys.includes("timezone")) this.applyTimezone();
    if (keys.includes("ntp_servers")) this.#client?.setServersChanged();
  }

  private networkChanged(network: NetworkStatus): void {
    const client = this.#client;
    if (!client) return;
    if (!hasStation(network)) {
      this.#stationIp = "";
      client.stop();
      return;
    }
    const offered = network.ntpServers ?? NONE;
    const changed = network.ip !== this.#stationIp || offered.join(",") !== this.#offered.join(",");
    this.#offered = offered;
    this.#stationIp = network.ip;
    if (!client.running) client.start();
    else if (changed) client.syncNow();
  }

  private summary(sntp: SntpStatus | null): string {
    const context = this.#context;
    if (!context) return "";
    const clock = context.clock;
    if (clock.source === "host") return "from this computer's clock";
    if (clock.source === "rtc" && clock.lastSync === undefined) return "kept across the restart; checking with the time servers";
    if (clock.valid && clock.source === "sntp") return `synchronised with ${clock.status().server ?? "a time server"}`;
    if (clock.valid) return `set by ${clock.source ?? "the app"}`;
    if (!context.host.udp) return "not set: this host has no UDP to ask a time server";
    if (!sntp || sntp.state === "stopped") return "not set yet: waiting for a network connection";
    if (sntp.state === "syncing") return `not set yet: asking ${sntp.server ?? "the time servers"}`;
    return `not set yet: ${sntp.lastError ?? "no server answered"}; trying again in ${sntp.nextSyncIn ?? 0} s`;
  }

  status(): unknown {
    const context = this.#context;
    if (!context) return undefined;
    const sntp = this.#client?.status() ?? null;
    // The clock's status is made for this answer: extended in place, not copied.
    const status = context.clock.status() as ClockStatus & { summary?: string; servers?: unknown; sntp?: SntpStatus | null };
    status.summary = this.summary(sntp);
    status.servers = this.servers();
    status.sntp = sntp;
    return status;
  }

  pageSection(): Iterable<string> {
    const context = this.#context;
    if (!context) return NO_SECTION;
    const s = context.clock.status();
    let local = s.local ?? "-";
    let utc = s.utc ?? "-";
    let summary = this.summary(this.#client?.status() ?? null);
    let lastSync = s.lastSync ?? "-";
    let timezone = s.timezone;
    // One fragment, its values searched once joined: escaped one by one only when that finds something.
    if (needsEscape(local + utc + summary + lastSync + timezone)) {
      local = escapeHtml(local);
      utc = escapeHtml(utc);
      summary = escapeHtml(summary);
      lastSync = escapeHtml(lastSync);
      timezone = escapeHtml(timezone);
    }
    return [
      `<section class="card mb-3" id="time"><div class="card-body"><h2 class="h5">Time</h2><table class="table table-sm mb-0"><tbody>` +
        `<tr><th scope="row">Local time</th><td data-status="time.local">${local}</td></tr>` +
        `<tr><th scope="row">UTC</th><td data-status="time.utc">${utc}</td></tr>` +
        `<tr><th scope="row">Clock</th><td data-status="time.summary">${summary}</td></tr>` +
        `<tr><th scope="row">Last synchronised</th><td data-status="time.lastSync">${lastSync}</td></tr>` +
        // A number: nothing to escape.
        `<tr><th scope="row">Correction (ms)</th><td data-status="time.offsetMs">${s.offsetMs === null ? "-" : s.offsetMs}</td></tr>` +
        `<tr><th scope="row">Time zone</th><td data-status="time.timezone">${timezone}</td></tr>` +
        `</tbody></table></div></section>`,
    ];
  }
}
