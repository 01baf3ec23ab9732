/*
 * WifiFeature: WiFi auto-configuration as a manager feature. The manager adds it when the host
 * has a radio (host.radio).
 *
 * - Runs the WifiPolicy (wifi-policy.ts) over the saved networks: wifi_ssid/wifi_password, then
 *   wifi_fallback_ssid/wifi_fallback_password (an empty password is an open network).
 * - Any save of those keys (its own POST /api/wifi, the page's settings form, POST /api/config)
 *   is tried at once, without a reboot; the outcome shows in GET /api/status under wifi.trial.
 * - While the access point is open: the portal's DNS (portal-dns.ts, over the host's Udp)
 *   answers every name with the AP's address, intercept() redirects requests for other hosts, and the probe paths redirect.
 * - GET /api/networks: the last scan (one entry per SSID, strongest first, hidden ones left
 *   out) and whether a new one is running; a scan older than scanMaxAgeMs, or ?refresh=1,
 *   starts another. The answer never waits for the radio (the device's server cannot).
 * - network() is the status page's mode/SSID/IP/RSSI/last disconnect reason; status() adds the
 *   access point, the current attempt and the trial. No password is ever sent back.
 * - detach() stops the policy (leaves the network, closes the AP and the DNS server) and every
 *   timer with it.
 */

import type { Config } from "../config/config";
import { ConfigError } from "../config/config-error";
import type { SettingSpec } from "../config/config-keys";
import type { Feature, FeatureContext, HostPart } from "../feature";
import { BackgroundJob } from "../http/background-job";
import type { HttpRequest, HttpResponse } from "../http/http-message";
import type { StaticAsset } from "../http/static-asset";
import type { NetworkStatus } from "../host/network";
import type { StationOptions } from "../host/radio";
import { readJsonObject } from "../http/request-body";
import { json, jsonError } from "../http/response";
import { errorText } from "../log/logger";
import { accessPointName, checkAccessPointPassword } from "./access-point-name";
import { isProbePath, portalRedirect, probeAnswer, type PortalView } from "./captive-portal";
import { DNS_PORT, PortalDns } from "./portal-dns";
import { visibleNetworks, type VisibleNetwork } from "./scan-list";
import { WIFI_CLIENT_SCRIPT, wifiSection } from "./wifi-page";
import { WifiPolicy, type WifiTiming } from "./wifi-policy";

export interface WifiFeatureOptions {
  /** Base of the access point's name (the app's title); the hostname when absent. */
  title?: string;
  /** The maker's access point password; the radio's build-time one when absent; open if neither. */
  apPassword?: string;
  timing?: Partial<WifiTiming>;
  /** Seconds a phone may cache the portal DNS's answer. */
  dnsTtl?: number;
  /** Age after which GET /api/networks starts a new scan. */
  scanMaxAgeMs?: number;
}

const NO_SECTION: readonly string[] = Object.freeze([]);
const WIFI_KEYS: readonly string[] = Object.freeze(["wifi_ssid", "wifi_password", "wifi_fallback_ssid", "wifi_fallback_password"]);

/** The WiFi settings: edited in this feature's card, with the scan and the outcome. */
export const WIFI_SETTINGS: Readonly<Record<string, SettingSpec>> = Object.freeze({
  wifi_ssid: Object.freeze({ type: "string", default: "", group: "wifi", label: "Network (SSID)", maxBytes: 32 }),
  wifi_password: Object.freeze({ type: "string", default: "", group: "wifi", label: "Password", secret: true, maxBytes: 64 }),
  wifi_fallback_ssid: Object.freeze({ type: "string", default: "", group: "wifi", label: "Fallback network (SSID)", maxBytes: 32 }),
  wifi_fallback_password: Object.freeze({ type: "string", default: "", group: "wifi", label: "Fallback password", secret: true, maxBytes: 64 }),
} satisfies Record<string, SettingSpec>);

const NEEDS: readonly HostPart[] = Object.freeze(["radio"]);

function text(config: Config, key: string): string {
  const value = config.get(key);
  return typeof value === "string" ? value : "";
}

export function savedNetworks(config: Config): StationOptions[] {
  return [
    { ssid: text(config, "wifi_ssid"), password: text(config, "wifi_password") },
    { ssid: text(config, "wifi_fallback_ssid"), password: text(config, "wifi_fallback_password") },
  ];
}

/** What the feature's one closure is handed: see WifiFeature.heard. */
type Heard = undefined | boolean | readonly string[] | HttpRequest;

export class WifiFeature implements Feature {
  // Constants on the prototype (getters), not six slots in every instance.
  get name(): string {
    return "wifi";
  }
  get title(): string {
    return "WiFi";
  }
  get needs(): readonly HostPart[] {
    return NEEDS;
  }
  get settings(): Readonly<Record<string, SettingSpec>> {
    return WIFI_SETTINGS;
  }
  get ownsSettingsForm(): boolean {
    return true;
  }
  get clientScript(): StaticAsset {
    return WIFI_CLIENT_SCRIPT;
  }
  readonly #options: WifiFeatureOptions;
  #context: FeatureContext | undefined;
  #policy: WifiPolicy | undefined;
  /** The portal's DNS, made when the access point first opens. */
  #dns: PortalDns | undefined;
  /** The last scan: made by the first GET /api/networks. */
  #scan: BackgroundJob<VisibleNetwork[]> | undefined;
  /** The one closure (see attach()), kept to take the "config" listener off again (events.off). */
  #heard: ((value?: Heard, address?: string) => HttpResponse | undefined) | undefined;

  constructor(options: WifiFeatureOptions = {}) {
    this.#options = options;
  }

  attach(context: FeatureContext): void {
    const radio = context.host.radio;
    if (!radio) throw new Error("this host has no WiFi radio");
    const { config, log, router } = context;
    const base = this.#options.title || text(config, "hostname");
    const password = checkAccessPointPassword(this.#options.apPassword ?? radio.accessPointPassword);
    // One closure for all the feature is called back for (each a closure of its own was 10
    // slots): the policy's onChange (no argument) and onAccessPoint (open, address), the config
    // listener (the keys changed) and the two routes (a request; the method says which). The OS
    // probes hold no routes: intercept() answers them (eleven routes were most of what this
    // feature held).
    const heard = (this.#heard = (value?: Heard, address?: string): HttpResponse | undefined => this.heard(value, address));
    const policy = new WifiPolicy({
      radio,
      clock: context.host.clock,
      accessPoint: { ssid: accessPointName(base, radio.mac), password: password || undefined },
      timing: this.#options.timing,
      log,
      onAccessPoint: heard,
      onChange: heard,
    });
    this.#context = context;
    this.#policy = policy;
    context.events.on("config", heard);
    const handler = heard as (request: HttpRequest) => HttpResponse;
    router.add("GET", "/api/networks", handler);
    router.add("POST", "/api/wifi", handler);

    policy.start(savedNetworks(config));
  }

  private heard(value: Heard, address: string | undefined): HttpResponse | undefined {
    const context = this.#context;
    if (value === undefined) context?.networkChanged();
    else if (typeof value === "boolean") this.portalDns(value, address ?? "");
    else if (Array.isArray(value)) {
      const policy = this.#policy;
      if (context && policy && (value as readonly string[]).some((key) => WIFI_KEYS.includes(key))) policy.reconfigure(savedNetworks(context.config), { trial: true });
    } else {
      const request = value as HttpRequest;
      return request.method === "POST" ? this.saveNetworks(request) : this.networks(request);
    }
    return undefined;
  }

  detach(): void {
    if (this.#heard) this.#context?.events.off("config", this.#heard);
    this.#heard = undefined;
    this.#scan?.cancel();
    this.#scan = undefined;
    const policy = this.#policy;
    this.#policy = undefined;
    policy?.stop();
    this.#dns?.stop();
    this.#context = undefined;
  }

  intercept(request: HttpRequest): HttpResponse | undefined {
    const view = this.view();
    const portal = view ? portalRedirect(request, view) : undefined;
    if (portal) return portal;
    // Probes that reach the device by its own name: still never the answer the OS hopes for.
    return isProbePath(request.path) ? probeAnswer(request.method, view) : undefined;
  }

  network(): NetworkStatus | undefined {
    const network = this.#policy?.network();
    const context = this.#context;
    if (!network || !context) return network;
    const out: NetworkStatus = { ...network, configured: text(context.config, "wifi_ssid") !== "" };
    if (this.#policy?.accessPointOpen) out.apIp = this.#policy.accessPointAddress;
    return out;
  }

  status(): unknown {
    const policy = this.#policy;
    const context = this.#context;
    if (!policy || !context) return undefined;
    return {
      ...policy.details(),
      saved: { ssid: text(context.config, "wifi_ssid"), fallbackSsid: text(context.config, "wifi_fallback_ssid") },
    };
  }

  // Not a generator method: that would be one more generator prototype preloading leaves unfrozen.
  pageSection(): Iterable<string> {
    const policy = this.#policy;
    const context = this.#context;
    if (!policy || !context) return NO_SECTION;
    return wifiSection({
      details: policy.details(),
      network: this.network() ?? { mode: "offline", ssid: "", ip: "" },
      ssid: text(context.config, "wifi_ssid"),
      passwordSaved: text(context.config, "wifi_password") !== "",
      fallbackSsid: text(context.config, "wifi_fallback_ssid"),
      fallbackPasswordSaved: text(context.config, "wifi_fallback_password") !== "",
    });
  }

  /** Setup first: while the access point is open or no network is saved. */
  pageFirst(): boolean {
    const context = this.#context;
    return !!context && (text(context.config, "wifi_ssid") === "" || !!this.#policy?.details().accessPoint.open);
  }

  /** What the captive portal needs to know; undefined when the feature is not running. */
  private view(): PortalView | undefined {
    const policy = this.#policy;
    const context = this.#context;
    if (!policy || !context) return undefined;
    return {
      apOpen: policy.accessPointOpen,
      apAddress: policy.accessPointAddress,
      stationIp: policy.stationIp,
      hostname: text(context.config, "hostname"),
    };
  }

  private portalDns(open: boolean, address: string): void {
    this.#dns?.stop();
    const context = this.#context;
    const udp = context?.host.udp;
    if (!open || !context || !udp) return;
    (this.#dns ??= new PortalDns())
      .start(udp, { port: context.host.ports?.dns ?? DNS_PORT, host: context.host.bind, ttl: this.#options.dnsTtl ?? 30, answer: () => address })
      .then(
        (port) => context.log.info(`portal DNS answers every name with ${address} (port ${port})`),
        (e: unknown) => context.log.error(`portal DNS failed to start: ${errorText(e)}`),
      );
  }

  private networks(request: HttpRequest): HttpResponse {
    const policy = this.#policy;
    const context = this.#context;
    if (!policy || !context) return jsonError(503, "WiFi is not running");
    const scan = (this.#scan ??= new BackgroundJob(context.host.clock, { timeoutMs: 20_000 }));
    const refresh = /(?:^|&)refresh=(?:1|true)(?:&|$)/.test(request.query);
    const stale = scan.resultAgeMs > (this.#options.scanMaxAgeMs ?? 20_000);
    if ((refresh || stale) && !scan.running) {
      scan.start(({ done, fail }) =>
        policy.scan((error, seen) => {
          if (!error) done(visibleNetworks(seen));
          else {
            this.#context?.log.warn(`scan failed: ${error.message}`);
            fail(error.message);
          }
        }),
      );
    }
    const out: Record<string, unknown> = { networks: scan.result ?? [], scanning: scan.running };
    if (scan.result !== undefined) out.ageMs = Math.round(scan.resultAgeMs);
    if (scan.error !== undefined && !scan.running) out.error = scan.error;
    return json(200, out);
  }

  /**
   * Saves a network and tries it now. JSON: {ssid, password?, fallback_ssid?, fallback_password?}.
   * A password left out keeps the saved one for the same SSID and means "open" for a new SSID;
   * "" is an open network. 202: the attempt has started; its outcome is GET /api/status wifi.trial.
   */
  private saveNetworks(request: HttpRequest): HttpResponse {
    const policy = this.#policy;
    const context = this.#context;
    if (!policy || !context) return jsonError(503, "WiFi is not running");
    const body = readJsonObject(request);
    if (!body.ok) return body.response;
    const v = body.value;
    for (const field of ["ssid", "password", "fallback_ssid", "fallback_password"]) {
      if (v[field] !== undefined && typeof v[field] !== "string") return json(400, { error: `${field} must be a string`, key: field });
    }
    if (typeof v.ssid !== "string") return json(400, { error: "ssid is required", key: "ssid" });
    const config = context.config;
    const changes: Record<string, unknown> = { wifi_ssid: v.ssid };
    if (v.password !== undefined) changes.wifi_password = v.password;
    else if (v.ssid !== text(config, "wifi_ssid")) changes.wifi_password = "";
    if (typeof v.fallback_ssid === "string") {
      changes.wifi_fallback_ssid = v.fallback_ssid;
      if (v.fallback_password !== undefined) changes.wifi_fallback_password = v.fallback_password;
      else if (v.fallback_ssid !== text(config, "wifi_fallback_ssid")) changes.wifi_fallback_password = "";
    }
    let changed: string[];
    try {
      changed = config.update(changes, "json");
    } catch (e) {
      if (e instanceof ConfigError) return json(400, { error: e.message, key: e.key });
      return jsonError(500, `could not save the WiFi settings: ${errorText(e)}`);
    }
    // Unchanged settings fire no change listener: try them again all the same, as asked.
    if (!changed.some((key) => WIFI_KEYS.includes(key))) policy.reconfigure(savedNetworks(config), { trial: true });
    return json(202, { ssid: v.ssid, trying: v.ssid !== "" });
  }
}
