/*
 * MdnsFeature: the device's name on the network, <hostname>.local, and its services, by the
 * core's mDNS responder (mdns-responder.ts) over the host's Udp. Needs udp.
 *
 * - Runs while the device has an address: the station's, and the access point's while it is
 *   open (a phone on the portal asks there and gets the access point's address). Stopped
 *   (with a goodbye) when it has none, or when the mdns setting is switched off.
 * - Advertises _http._tcp on the web server's port (TXT version, framework, mac, path=/) once
 *   the server listens, _prometheus-http._tcp (path=/metrics) when the metrics feature runs,
 *   and the app's own services (options.services).
 * - A hostname change (settings) is probed and announced at once, without a reboot; a name
 *   taken by another device becomes <hostname>-2 (then -3 ...), shown in status and on the page.
 * - status() is GET /api/status's mdns: {enabled, state, name, wanted, conflict, addresses,
 *   services, url}; pageSection() is the card with the link.
 */

import type { SettingSpec } from "../config/config-keys";
import type { ManagerEvents } from "../events";
import type { Feature, FeatureContext, HostPart } from "../feature";
import type { NetworkStatus } from "../host/network";
import type { TimerId } from "../host/clock";
import { escapeHtml, needsEscape } from "../text/escape-html";
import { FRAMEWORK_VERSION } from "../version";
import { MDNS_PORT, MdnsResponder, type MdnsService, type MdnsStatus } from "./mdns-responder";

export interface MdnsServiceOption {
  /** "_myapp._tcp" */
  type: string;
  /** The web server's port when absent. */
  port?: number;
  txt?: Record<string, string>;
}

export interface MdnsFeatureOptions {
  /** More services to advertise. */
  services?: MdnsServiceOption[];
}

type ServingEvent = ManagerEvents["serving"];

const NEEDS: readonly HostPart[] = Object.freeze(["udp"]);
const NO_SECTION: readonly string[] = Object.freeze([]);
const NO_SERVICES: readonly MdnsServiceOption[] = Object.freeze([]);

export const MDNS_SETTINGS: Readonly<Record<string, SettingSpec>> = Object.freeze({
  mdns: Object.freeze({
    type: "boolean",
    default: true,
    group: "mdns",
    label: "Announce hostname.local (mDNS)",
    help: "Lets computers and phones on this network reach the device by name, and find it (DNS-SD).",
  }),
});

function addresses(network: NetworkStatus): string[] {
  const out: string[] = [];
  if ((network.mode === "station" || network.mode === "ap+station" || network.mode === "ap") && network.ip) out.push(network.ip);
  if (network.apIp && !out.includes(network.apIp)) out.push(network.apIp);
  return out;
}

function txt(values: Record<string, string>): string[] {
  return Object.keys(values).map((k) => `${k}=${values[k]}`);
}

// The services the responder advertises, their TXT strings made when a record is sent (a
// getter), not held between announcements: "version=1.0.0", "mac=..." are strings built at
// run time, each a few dozen bytes of heap for as long as the name is claimed.

/** _http._tcp: the web server, its TXT from the app's version and the device's MAC. */
class WebService implements MdnsService {
  readonly port: number;
  readonly #context: FeatureContext;
  constructor(context: FeatureContext, port: number) {
    this.#context = context;
    this.port = port;
  }
  get type(): string {
    return "_http._tcp";
  }
  get txt(): string[] {
    const context = this.#context;
    return txt({ version: context.app.version, framework: FRAMEWORK_VERSION, mac: context.host.system.info().mac, path: "/" });
  }
}

/** _prometheus-http._tcp: the metrics feature's scrape path. */
class MetricsService implements MdnsService {
  readonly port: number;
  readonly #path: string;
  constructor(path: string, port: number) {
    this.#path = path;
    this.port = port;
  }
  get type(): string {
    return "_prometheus-http._tcp";
  }
  get txt(): string[] {
    return [`path=${this.#path}`];
  }
}

/** One of the app's own services (options.services). */
class AppService implements MdnsService {
  readonly port: number;
  readonly #option: MdnsServiceOption;
  constructor(option: MdnsServiceOption, port: number) {
    this.#option = option;
    this.port = option.port ?? port;
  }
  get type(): string {
    return this.#option.type;
  }
  get txt(): string[] {
    return txt(this.#option.txt ?? {});
  }
}

export class MdnsFeature implements Feature {
  // Constants on the prototype (getters), not five slots in every instance.
  get name(): string {
    return "mdns";
  }
  get title(): string {
    return "Network name";
  }
  /** A small card with nothing to edit: on the overview, not a view of its own. */
  get overviewCard(): boolean {
    return true;
  }
  get needs(): readonly HostPart[] {
    return NEEDS;
  }
  get settings(): Readonly<Record<string, SettingSpec>> {
    return MDNS_SETTINGS;
  }
  /** The app's own services, copied once (the app may reuse its array). */
  readonly #extra: readonly MdnsServiceOption[];
  #context: FeatureContext | undefined;
  #responder: MdnsResponder | undefined;
  #port: number | undefined;
  #network: NetworkStatus | undefined;
  #soon: TimerId | undefined;
  /** The one listener of the three events, kept to take it off again (events.off: no unsubscribes held). */
  #heard: ((value: ServingEvent | NetworkStatus | readonly string[]) => void) | undefined;

  constructor(options: MdnsFeatureOptions = {}) {
    this.#extra = options.services?.length ? Object.freeze([...options.services]) : NO_SERVICES;
  }

  attach(context: FeatureContext): void {
    const udp = context.host.udp;
    if (!udp) throw new Error("this host has no UDP");
    this.#context = context;
    this.#responder = new MdnsResponder({ udp, clock: context.host.clock, log: context.log, port: context.host.ports?.mdns ?? MDNS_PORT, host: context.host.bind });
    // One listener for the three events: "serving" (heard once: the manager emits it when its
    // server listens, and run() runs once), "network" (an object with a mode) and "config" (the
    // keys changed). A config change arrives deep in a request's stack (socket, server, route,
    // Config.update), and probing encodes and sends from there, so it is handled on a turn of
    // its own: the device's XS stack is 384 slots by default; this path overflowed it on the real
    // SDK's simulator.
    const heard = (this.#heard = (value: ServingEvent | NetworkStatus | readonly string[]): void => this.heard(value));
    context.events.on("serving", heard);
    context.events.on("network", heard);
    context.events.on("config", heard);
  }

  private heard(value: ServingEvent | NetworkStatus | readonly string[]): void {
    if (Array.isArray(value)) {
      const keys = value as readonly string[];
      if (keys.includes("hostname") || keys.includes("mdns")) this.applySoon();
    } else if ("mode" in value) {
      this.#network = value;
      this.apply();
    } else {
      if (this.#heard) this.#context?.events.off("serving", this.#heard);
      this.#port = (value as ServingEvent).port;
      this.apply();
    }
  }

  detach(): void {
    this.#context?.host.clock.clear(this.#soon);
    this.#soon = undefined;
    const heard = this.#heard;
    const events = this.#context?.events;
    if (heard && events) {
      events.off("serving", heard);
      events.off("network", heard);
      events.off("config", heard);
    }
    this.#heard = undefined;
    this.#responder?.stop();
    this.#responder = undefined;
    this.#context = undefined;
  }

  private serviceList(port: number): MdnsService[] {
    const context = this.#context;
    if (!context) return [];
    const out: MdnsService[] = [new WebService(context, port)];
    const metrics = (context.status() as { metrics?: { path?: unknown } }).metrics;
    if (metrics && typeof metrics.path === "string") out.push(new MetricsService(metrics.path, port));
    for (const s of this.#extra) out.push(new AppService(s, port));
    return out;
  }

  private applySoon(): void {
    const clock = this.#context?.host.clock;
    if (!clock || this.#soon !== undefined) return;
    this.#soon = clock.set(() => {
      this.#soon = undefined;
      this.apply();
    }, 0);
  }

  private apply(): void {
    const context = this.#context;
    const responder = this.#responder;
    if (!context || !responder) return;
    const list = this.#network ? addresses(this.#network) : [];
    if (context.config.get("mdns") === false || !list.length || this.#port === undefined) {
      if (responder.status().state !== "off") responder.stop();
      return;
    }
    responder.start({ hostname: String(context.config.get("hostname")), addresses: list, services: this.serviceList(this.#port) });
  }

  private url(status: MdnsStatus): string | null {
    if (!status.name || status.state !== "claimed") return null;
    return `http://${status.name}${this.#port !== undefined && this.#port !== 80 ? `:${this.#port}` : ""}/`;
  }

  private summary(status: MdnsStatus): string {
    const context = this.#context;
    if (context?.config.get("mdns") === false) return "switched off";
    if (status.state === "claimed") return `announced as ${status.name}`;
    if (status.state === "probing" || status.state === "starting") return `claiming ${status.name ?? ""}`;
    if (status.state === "failed") return status.error ?? "failed";
    return "waiting for a network address";
  }

  status(): unknown {
    const responder = this.#responder;
    const context = this.#context;
    if (!responder || !context) return undefined;
    const s = responder.status();
    return { enabled: context.config.get("mdns") !== false, ...s, url: this.url(s), summary: this.summary(s) };
  }

  pageSection(): Iterable<string> {
    const responder = this.#responder;
    if (!responder) return NO_SECTION;
    const s = responder.status();
    let url = this.url(s);
    let summary = this.summary(s);
    let conflict = s.conflict ?? "";
    // One fragment, its values searched once joined: escaped one by one only when that finds something.
    if (needsEscape(summary + (url ?? "") + conflict)) {
      summary = escapeHtml(summary);
      url = url === null ? null : escapeHtml(url);
      conflict = escapeHtml(conflict);
    }
    return [
      `<section class="card mb-3" id="mdns"><div class="card-body"><h2 class="h5">Network name</h2><table class="table table-sm mb-0"><tbody>` +
        `<tr><th scope="row">Name</th><td data-status="mdns.summary">${summary}</td></tr>` +
        `<tr><th scope="row">Address</th><td>${url ? `<a href="${url}">${url}</a>` : "-"}</td></tr>` +
        `</tbody></table>` +
        `<p class="alert alert-warning small mt-2 mb-0" id="mdns-conflict"${s.conflict ? "" : " hidden"} data-status="mdns.conflict">${conflict}</p>` +
        `</div></section>`,
    ];
  }
}
