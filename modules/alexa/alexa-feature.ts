/*
 * AlexaFeature: local voice control of the app's values, by playing a Philips Hue bridge to
 * the Echo devices on the network (no cloud skill, no account linking).
 *
 *   const lamp = new PersistentBoolean("lamp", { default: false });
 *   const level = new PersistentRange("level", { min: 0, max: 100, default: 50 });
 *   iot.alexa.expose("Desk lamp", { on: lamp, brightness: level });
 *
 * - Discovery: an SSDP responder (ssdp-responder.ts) on UDP 1900 while the device is on a
 *   network, and GET /description.xml (hue-bridge.ts).
 * - Pairing is not open to everyone: POST /api {"devicetype"} answers Hue's 101 "link button
 *   not pressed" unless pairing is open. The page's "Pair with Alexa" button, or POST
 *   /api/alexa/pair (admin when a password is set), opens it for 30 s like the bridge's link
 *   button; a POST /api then gets a new random username (hue-users.ts), saved. Retries from
 *   the same client with the same devicetype in that window get the same username.
 * - Every /api/<username>/... route with a username that was not given out answers Hue's
 *   "unauthorized user". These routes are guarded by that policy, not by the admin password,
 *   and read their body as JSON whatever its Content-Type (Echos send JSON labelled
 *   application/x-www-form-urlencoded, with no Origin). The manager's device-name check still
 *   applies: an Echo calls the device by the IP in LOCATION.
 * - Hue API: GET /api/<u>, /api/<u>/config, /api/<u>/lights, /api/<u>/lights/<id>,
 *   /api/<u>/groups; PUT /api/<u>/lights/<id>/state (hue-api.ts). Light IDs and uniqueids
 *   come from the MAC and the device's key, saved (light-ids.ts). A change goes through the
 *   variable (coerced, saved power-cut safe) and shows at once in the device's data entry
 *   (GET /data, the page) and on the card.
 * - Routes of the framework's own API keep their paths: the router prefers exact paths, so
 *   /api/status is never taken for a username, and no username can be one of those names.
 * - alexa_enabled (default on): off, or no device exposed, means no SSDP and every Hue route
 *   (and /description.xml) answers 404.
 * - Its card: on/off, the devices with their state and IDs, pairing, the paired users (by a
 *   handle, never the username) with a Remove button (POST /api/alexa/forget, admin).
 * - At most 16 devices (docs/alexa.md has what one costs); a factory reset forgets the paired
 *   users and the saved IDs.
 */

import type { SettingSpec } from "../config/config-keys";
import { Sha256 } from "../crypto/sha256";
import type { Feature, FeatureContext } from "../feature";
import type { TimerId } from "../host/clock";
import type { Sha256Hasher } from "../host/digest";
import type { NetworkStatus } from "../host/network";
import type { HttpRequest, HttpResponse } from "../http/http-message";
import { readJsonObject } from "../http/request-body";
import { json, jsonError, notFound } from "../http/response";
import type { RouteTable } from "../http/router";
import { errorText } from "../log/logger";
import { AtomicRecord } from "../storage/atomic-record";
import { AlexaDevice, type AlexaDeviceOptions } from "./alexa-device";
import { ALEXA_CLIENT_SCRIPT, renderAlexaSection, type AlexaView } from "./alexa-page";
import { configJson, hueError, invalidValue, lightJson, readStateChange, shown } from "./hue-api";
import { bridgeIdentity, DESCRIPTION_PATH, descriptionXml, macDigits } from "./hue-bridge";
import { HueUsers, userHandle, USERNAME_LENGTH } from "./hue-users";
import { ALEXA_DOMAIN, LightIds } from "./light-ids";
import { SSDP_GROUP, SSDP_PORT, SsdpResponder } from "./ssdp-responder";

export interface AlexaOptions {
  /** How long "Pair with Alexa" keeps pairing open, in ms (default 30 s, as the bridge's button). */
  pairingMs?: number;
  /** Paired users kept at most (default 8). */
  maxUsers?: number;
  /** Devices exposed at most (default and most: 16). */
  maxDevices?: number;
}

/** What the app reaches as iot.alexa. */
export interface AlexaApi {
  /** Exposes a device to Alexa under the name a user says; before or after run(). */
  expose(name: string, options: AlexaDeviceOptions): void;
  /** The names exposed, in order. */
  readonly devices: readonly string[];
}

/**
 * The feature's routes, one frozen table (flash on the device): the router keeps one entry for
 * all of them, not a record and an entry each. Exact paths first, then the Hue API's patterns
 * (the router wants them in that order; exact paths win over patterns either way).
 */
const ALEXA_ROUTES: RouteTable = Object.freeze([
  "GET", DESCRIPTION_PATH,
  "POST", "/api",
  "POST", "/api/",
  // GET /api with no username: a bridge's answer to a stranger.
  "GET", "/api",
  // The card's own API, framework-style: JSON only. Reading it is as public as the page (the
  // devices and their states show there too); pairing and forgetting are admin when a password is set.
  "GET", "/api/alexa",
  "POST", "/api/alexa/pair",
  "POST", "/api/alexa/forget",
  "GET", "/api/:user",
  "GET", "/api/:user/config",
  "GET", "/api/:user/lights",
  "GET", "/api/:user/groups",
  "GET", "/api/:user/lights/:id",
  "PUT", "/api/:user/lights/:id/state",
]);

/** The options of each row of ALEXA_ROUTES, by their index in those addRoutes() hands the router. */
const BY_METHOD = 0; // the router's default: reading public, changes admin
const PUBLIC = 1; // pairing: an Echo has no password to give
const PAIRED = 2; // the Hue API: the paired users' policy (paired())
const ALEXA_ROUTE_OPTIONS: readonly number[] = Object.freeze([
  BY_METHOD, PUBLIC, PUBLIC, BY_METHOD,
  BY_METHOD, BY_METHOD, BY_METHOD,
  PAIRED, PAIRED, PAIRED, PAIRED, PAIRED, PAIRED,
]);

export const ALEXA_SETTINGS: Readonly<Record<string, SettingSpec>> = Object.freeze({
  alexa_enabled: Object.freeze({
    type: "boolean",
    default: true,
    group: "alexa",
    label: "Alexa (Hue bridge emulation)",
    help: "Lets Echo devices on this network find and switch the devices this app exposes, once paired.",
  }),
});

export const MAX_DEVICES = 16;
const DEVICETYPE_MAX_CHARS = 40;

function characters(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

function hasControl(text: string): boolean {
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

type Summary = ReturnType<AlexaDevice["summary"]>;

/** The same state shown (NaN as NaN): its data entry need not be set again. */
function sameSummary(a: Summary | undefined, b: Summary): boolean {
  return a !== undefined && a.on === b.on && sameNumber(a.brightness, b.brightness) && a.colour === b.colour;
}

function sameNumber(x: number | undefined, y: number | undefined): boolean {
  return x === y || (x !== x && y !== y);
}

/** Hue's own JSON answer (200 for errors too, as a bridge answers). */
function hue(value: unknown): HttpResponse {
  return json(200, value);
}

/** Parses a Hue body as JSON whatever its Content-Type (Echos label it a form). */
function hueBody(request: HttpRequest): { ok: true; value: Record<string, unknown> } | { ok: false } {
  try {
    const value: unknown = JSON.parse(request.body);
    if (value !== null && typeof value === "object" && !Array.isArray(value)) return { ok: true, value: value as Record<string, unknown> };
  } catch {
    // Not JSON: the caller answers Hue's error 2.
  }
  return { ok: false };
}

/** iot.alexa: the app's calls, and nothing else of the feature. */
class AlexaCalls implements AlexaApi {
  readonly #feature: AlexaFeature;

  constructor(feature: AlexaFeature) {
    this.#feature = feature;
    Object.freeze(this);
  }

  expose(name: string, options: AlexaDeviceOptions): void {
    this.#feature.expose(name, options);
  }

  get devices(): readonly string[] {
    return this.#feature.deviceNames();
  }
}

// Helper methods are TypeScript-private, not #private: XS gives every instance one slot per #method.
export class AlexaFeature implements Feature {
  readonly api: AlexaApi;
  readonly #pairingMs: number;
  readonly #maxUsers: number;
  readonly #maxDevices: number;
  readonly #devices: AlexaDevice[] = [];
  #context: FeatureContext | undefined;
  #users: HueUsers | undefined;
  /** The MAC's 12 digits: the bridge's names (hue-bridge.ts) are made from it when a request needs them. */
  #mac = "";
  #ssdp: SsdpResponder | undefined;
  /** The address the SSDP responder was started for ("" while stopped). */
  #ssdpFor = "";
  #ssdpError = "";
  /**
   * While pairing is open: until when, its closing timer, and who paired in this window (address
   * and devicetype to username, for retries). One field, unset while closed (most of the time).
   */
  #pairing: { readonly until: number; readonly timer: TimerId; readonly clients: Map<string, string> } | undefined;
  #refreshTimer: TimerId | undefined;
  /**
   * this.tick, bound once at attach: the one listener of "network" and "config" (unsubscribed
   * with events.off) and the refresh timer's callback, so the feature holds one bound function
   * for all three, not one each plus two unsubscribes.
   */
  #tick: ((value?: unknown) => void) | undefined;

  constructor(options: AlexaOptions = {}) {
    this.#pairingMs = options.pairingMs ?? 30_000;
    this.#maxUsers = options.maxUsers ?? 8;
    this.#maxDevices = Math.min(options.maxDevices ?? MAX_DEVICES, MAX_DEVICES);
    this.api = new AlexaCalls(this);
  }

  // The same for every instance: on the prototype (in flash), not a field each.
  get name(): "alexa" {
    return "alexa";
  }

  get title(): string {
    return "Alexa";
  }

  get settings(): Readonly<Record<string, SettingSpec>> {
    return ALEXA_SETTINGS;
  }

  get ownsSettingsForm(): boolean {
    return true;
  }

  get clientScript(): string {
    return ALEXA_CLIENT_SCRIPT;
  }

  // ---- the app's side (through api) ---------------------------------------------------------

  /** The names exposed, in order. */
  deviceNames(): readonly string[] {
    return this.#devices.map((d) => d.name);
  }

  /** Exposes a device to Alexa (api.expose). */
  expose(name: string, options: AlexaDeviceOptions): void {
    const device = new AlexaDevice(name, options);
    const lower = name.trim().toLowerCase();
    if (this.#devices.some((d) => d.name.trim().toLowerCase() === lower)) throw new Error(`a device named ${JSON.stringify(name)} is already exposed to Alexa: Alexa could not tell them apart`);
    if (this.#devices.some((d) => d.key === device.key)) throw new Error(`the key ${JSON.stringify(device.key)} of device ${JSON.stringify(name)} is already used by another device`);
    if (device.dataKey !== undefined && this.#devices.some((d) => d.dataKey === device.dataKey))
      throw new Error(`the data entry ${JSON.stringify(device.dataKey)} of device ${JSON.stringify(name)} is already another device's`);
    if (this.#devices.length >= this.#maxDevices) throw new RangeError(`at most ${this.#maxDevices} devices can be exposed to Alexa; ${name} is one too many`);
    this.#devices.push(device);
    if (this.#context) {
      this.identify(this.lightIds(this.#context), device);
      this.mirror(device);
      this.startRefresh();
      this.updateDiscovery();
    }
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  attach(context: FeatureContext): void {
    this.#context = context;
    this.#mac = this.macDigits(context);
    this.#users = new HueUsers({ storage: context.host.storage, max: this.#maxUsers });
    const ids = this.lightIds(context);
    for (const device of this.#devices) this.identify(ids, device);
    this.addRoutes(context);
    // One listener for both: a network change, or settings saved (their keys).
    const tick = (this.#tick = this.tick.bind(this));
    context.events.on("network", tick);
    context.events.on("config", tick);
    for (const device of this.#devices) this.mirror(device);
    this.startRefresh();
  }

  detach(): void {
    const tick = this.#tick;
    if (tick && this.#context) {
      this.#context.events.off("network", tick);
      this.#context.events.off("config", tick);
    }
    this.#tick = undefined;
    this.stopDiscovery();
    this.closePairing();
    this.#context?.host.clock.clear(this.#refreshTimer);
    this.#refreshTimer = undefined;
    for (const device of this.#devices) device.unwatch(this);
    this.#context = undefined;
  }

  factoryReset(): void {
    this.#users?.clear();
    if (!this.#context) return;
    this.lightIds(this.#context).clear();
    new AtomicRecord(this.#context.host.storage, ALEXA_DOMAIN, "mac").clear();
  }

  /**
   * The listener of "network" (a NetworkStatus) and "config" (the keys saved), and the refresh
   * timer's callback (called with nothing, or a host's timer ID: neither an array nor a network status).
   */
  private tick(value?: unknown): void {
    if (Array.isArray(value)) {
      if (!value.includes("alexa_enabled")) return;
      if (!this.active()) this.closePairing();
      this.updateDiscovery();
    } else if (value !== null && typeof value === "object" && "mode" in value) {
      this.updateDiscovery();
    } else {
      this.refresh();
    }
  }

  /**
   * The saved light IDs, read when a device is identified (at attach, or exposed later) and
   * dropped after: idle, each device holds its own IDs and nothing else is kept.
   */
  private lightIds(context: FeatureContext): LightIds {
    const host = context.host;
    return new LightIds({ storage: host.storage, sha256: host.sha256 ?? ((): Sha256Hasher => new Sha256()), mac: this.#mac });
  }

  /** The MAC's digits; a made-up one (saved) where the host has none, such as the Moddable simulator. */
  private macDigits(context: FeatureContext): string {
    const own = macDigits(context.host.system.info().mac);
    if (own) return own;
    const record = new AtomicRecord(context.host.storage, ALEXA_DOMAIN, "mac");
    const saved = macDigits(record.value);
    if (saved) return saved;
    const bytes = this.random(6);
    bytes[0] = (bytes[0] | 0x02) & 0xfe; // locally administered, unicast
    let digits = "";
    for (const b of bytes) digits += b.toString(16).padStart(2, "0");
    record.save(digits);
    return digits;
  }

  private random(length: number): Uint8Array {
    return this.#context?.host.system.randomBytes?.(length) ?? Uint8Array.from({ length }, () => Math.floor(Math.random() * 256));
  }

  private identify(ids: LightIds, device: AlexaDevice): void {
    const inUse = new Set<string>();
    for (const d of this.#devices) if (d !== device && d.identity) inUse.add(d.identity.id);
    const exposed = new Set(this.#devices.map((d) => d.key));
    try {
      device.identity = ids.assign(device.key, inUse, exposed);
    } catch (e) {
      // Storage refused: the device still gets its IDs for this boot (they are derived, not random).
      this.#context?.log.error(`could not save the light IDs of ${device.name}: ${errorText(e)}`);
      device.identity = ids.assign(device.key, inUse, exposed);
    }
  }

  /** Enabled and something to offer. */
  private active(): boolean {
    return this.#context !== undefined && this.#context.config.get("alexa_enabled") !== false && this.#devices.length > 0;
  }

  // ---- discovery ----------------------------------------------------------------------------

  /** The address an Echo can reach the device at: a station's, none in setup or offline. */
  private address(network: NetworkStatus): string {
    if ((network.mode === "station" || network.mode === "ap+station") && network.ip) return network.ip;
    return "";
  }

  private updateDiscovery(): void {
    const context = this.#context;
    if (!context) return;
    const udp = context.host.udp;
    const address = this.active() && udp ? this.address(context.network()) : "";
    if (address === this.#ssdpFor) return;
    this.stopDiscovery();
    if (!address || !udp || !this.#mac) return;
    const port = context.host.ports?.ssdp ?? SSDP_PORT;
    const ssdp = new SsdpResponder({
      udp,
      clock: context.host.clock,
      port,
      multicast: SSDP_GROUP,
      mac: this.#mac,
      site: this,
    });
    this.#ssdp = ssdp;
    this.#ssdpFor = address;
    this.#ssdpError = "";
    ssdp.start().then(
      (bound) => context.log.info(`answering Hue bridge searches on UDP port ${bound || port} for ${address}`),
      (e: unknown) => {
        if (this.#ssdp !== ssdp) return;
        this.#ssdpError = errorText(e);
        context.log.error(`SSDP on UDP port ${port} failed: ${this.#ssdpError}; Echos will not find this device`);
      },
    );
  }

  /** Where the description is served now (the SSDP answers' LOCATION): undefined without a station address. */
  location(): { ip: string; port: number } | undefined {
    const context = this.#context;
    const ip = context ? this.address(context.network()) : "";
    return context && ip ? { ip, port: context.webPort() } : undefined;
  }

  private stopDiscovery(): void {
    this.#ssdp?.stop();
    this.#ssdp = undefined;
    this.#ssdpFor = "";
  }

  // ---- pairing ------------------------------------------------------------------------------

  get pairingOpen(): boolean {
    return this.#pairing !== undefined;
  }

  private pairingLeftS(): number {
    if (!this.#context || !this.pairingOpen) return 0;
    return Math.max(0, Math.ceil(((this.#pairing as { until: number }).until - this.#context.host.clock.now()) / 1000));
  }

  private openPairing(): void {
    const context = this.#context as FeatureContext;
    const clock = context.host.clock;
    clock.clear(this.#pairing?.timer);
    const until = clock.now() + this.#pairingMs;
    const timer = clock.set(() => {
      this.#pairing = undefined;
      context.log.info("pairing closed");
    }, this.#pairingMs);
    this.#pairing = { until, timer, clients: new Map() };
    context.log.info(`pairing open for ${Math.round(this.#pairingMs / 1000)} s: say "Alexa, discover devices"`);
  }

  private closePairing(): void {
    this.#context?.host.clock.clear(this.#pairing?.timer);
    this.#pairing = undefined;
  }

  /**
   * A new username: 32 random hex digits whose handle no paired user has. The framework's own
   * /api/ routes are named by words (status, config, ota, alexa...), so none can be taken for one.
   */
  private newUsername(): string {
    const users = this.#users as HueUsers;
    for (;;) {
      let name = "";
      for (const b of this.random(USERNAME_LENGTH / 2)) name += b.toString(16).padStart(2, "0");
      if (!users.clashes(name)) return name;
    }
  }

  /** POST /api {"devicetype": "..."}: a username while pairing is open, Hue's 101 otherwise. */
  private pair(request: HttpRequest): HttpResponse {
    if (!this.active()) return notFound();
    const body = hueBody(request);
    if (!body.ok) return hue([hueError(2, "", "body contains invalid json")]);
    const devicetype = body.value.devicetype;
    if (devicetype === undefined) return hue([hueError(5, "", "invalid/missing parameters in body")]);
    if (typeof devicetype !== "string" || devicetype === "" || characters(devicetype) > DEVICETYPE_MAX_CHARS || hasControl(devicetype))
      return hue([invalidValue("/devicetype", "devicetype", devicetype)]);
    if (!this.pairingOpen) return hue([hueError(101, "", "link button not pressed")]);
    const users = this.#users as HueUsers;
    const client = `${request.remote ?? ""}\n${devicetype}`;
    const again = this.#pairing?.clients.get(client);
    if (again !== undefined && users.has(again)) return hue([{ success: { username: again } }]);
    if (users.full) return hue([hueError(901, "", `internal error, ${users.max} clients are paired already: remove one on the device's page`)]);
    const username = this.newUsername();
    const paired = Date.now() > 1_600_000_000_000 ? Date.now() : 0;
    try {
      users.add({ username, devicetype, paired });
    } catch (e) {
      return hue([hueError(901, "", `internal error, could not save the user: ${shown(errorText(e))}`)]);
    }
    this.#pairing?.clients.set(client, username);
    this.#context?.log.info(`paired ${JSON.stringify(devicetype)} from ${request.remote ?? "?"} as ${userHandle(username)}…`);
    return hue([{ success: { username } }]);
  }

  // ---- the Hue API --------------------------------------------------------------------------

  /**
   * The policy of every /api/<username>/... route: 404 while off, Hue's 1 for a stranger. A
   * method, bound once per route table: a closure would copy its whole body's bytecode into the heap.
   */
  private paired(request: HttpRequest): HttpResponse | undefined {
    if (!this.active()) return notFound();
    const username = request.params?.user ?? "";
    if ((this.#users as HueUsers).has(username)) return undefined;
    const rest = request.path.split("/").slice(3).join("/");
    return hue([hueError(1, rest ? `/${rest}` : "/", "unauthorized user")]);
  }

  private find(id: string | undefined): AlexaDevice | undefined {
    return this.#devices.find((d) => d.identity?.id === id);
  }

  private lightsJson(): Record<string, unknown> {
    const lights: Record<string, unknown> = {};
    for (const device of this.#devices) if (device.identity) lights[device.identity.id] = lightJson(device, device.state());
    return lights;
  }

  private configModel(withUsers: boolean): Parameters<typeof configJson>[0] {
    const context = this.#context as FeatureContext;
    return {
      name: context.app.title,
      identity: bridgeIdentity(this.#mac),
      ip: context.network().ip,
      linkButton: this.pairingOpen,
      whitelist: withUsers ? (this.#users as HueUsers).list : undefined,
    };
  }

  private setState(request: HttpRequest): HttpResponse {
    const id = request.params?.id ?? "";
    const device = this.find(id);
    if (!device) return hue([hueError(3, `/lights/${shown(id)}/state`, `resource, /lights/${shown(id)}/state, not available`)]);
    const body = hueBody(request);
    if (!body.ok) return hue([hueError(2, `/lights/${id}/state`, "body contains invalid json")]);
    const { change, answer } = readStateChange(device, id, body.value);
    try {
      device.apply(change);
    } catch (e) {
      (this.#context as FeatureContext).log.error(`${device.name}: the change from Alexa failed: ${errorText(e)}`);
      return hue([hueError(901, `/lights/${id}/state`, `internal error, ${shown(errorText(e))}`)]);
    }
    this.mirror(device);
    return hue(answer);
  }

  /**
   * Every route of the feature has the one handler below (one bound method, not a closure per
   * route); it tells them apart by path, and the Hue routes by their parameters and last segment.
   * The routes are one frozen table (ALEXA_ROUTES); the options its rows pick from are made here,
   * for the paired users' policy is this feature's own method, and dropped: the router keeps
   * one record for each.
   */
  private addRoutes(context: FeatureContext): void {
    context.router.addTable(ALEXA_ROUTES, this.handle.bind(this), [{}, { auth: "public" }, { auth: this.paired.bind(this) }], ALEXA_ROUTE_OPTIONS);
  }

  private handle(request: HttpRequest): HttpResponse {
    if (request.params?.user !== undefined) return this.hueRoute(request);
    switch (request.path) {
      case DESCRIPTION_PATH:
        return this.description();
      case "/api/alexa":
        return json(200, this.view());
      case "/api/alexa/pair":
        return this.pairRequest(request);
      case "/api/alexa/forget":
        return this.forget(request);
      default:
        // "/api" and "/api/": pairing, or (GET /api) a stranger.
        if (request.method === "POST") return this.pair(request);
        return this.active() ? hue([hueError(1, "/", "unauthorized user")]) : notFound();
    }
  }

  /** /api/<user>, /api/<user>/config, .../lights, .../groups, .../lights/<id>, .../lights/<id>/state. */
  private hueRoute(request: HttpRequest): HttpResponse {
    const id = request.params?.id;
    if (id !== undefined) {
      if (request.method === "PUT") return this.setState(request);
      const device = this.find(id);
      if (!device) return hue([hueError(3, `/lights/${shown(id)}`, `resource, /lights/${shown(id)}, not available`)]);
      return hue(lightJson(device, device.state()));
    }
    const parts = request.path.split("/");
    switch (parts.length > 3 ? parts[3] : "") {
      case "config":
        return hue(configJson(this.configModel(true)));
      case "lights":
        return hue(this.lightsJson());
      case "groups":
        return hue({});
      default:
        return hue({ lights: this.lightsJson(), groups: {}, config: configJson(this.configModel(true)), schedules: {}, scenes: {}, rules: {}, sensors: {}, resourcelinks: {} });
    }
  }

  private description(): HttpResponse {
    if (!this.active()) return notFound();
    const context = this.#context as FeatureContext;
    const xml = descriptionXml(bridgeIdentity(this.#mac), context.network().ip, context.webPort(), context.app.title);
    return { status: 200, headers: { "content-type": "text/xml; charset=utf-8", "cache-control": "no-store" }, body: xml };
  }

  private pairRequest(request: HttpRequest): HttpResponse {
    const body = readJsonObject(request);
    if (!body.ok) return body.response;
    if (!this.active()) return jsonError(409, this.#devices.length ? "Alexa is switched off (alexa_enabled)" : "the app exposes no device to Alexa");
    this.openPairing();
    return json(200, this.view());
  }

  private forget(request: HttpRequest): HttpResponse {
    const body = readJsonObject(request);
    if (!body.ok) return body.response;
    const handle = body.value.user;
    if (typeof handle !== "string" || handle === "") return jsonError(400, 'send {"user": "<handle>"}, a handle from GET /api/alexa');
    let removed: boolean;
    try {
      removed = (this.#users as HueUsers).remove(handle);
    } catch (e) {
      return jsonError(500, `could not save the paired users: ${errorText(e)}`);
    }
    if (!removed) return jsonError(404, `no paired user ${JSON.stringify(shown(handle))}`);
    this.#context?.log.info(`removed paired user ${shown(handle)}…`);
    return json(200, this.view());
  }

  // ---- what the page, /data and /api/status see ----------------------------------------------

  /**
   * The app may change a value itself: a persistent variable tells the feature (watch), and its
   * data entry follows at once; a device with one that cannot tell (the app's { get, set }) is
   * polled, its entry following within a second. No timer while every shown value tells.
   */
  private startRefresh(): void {
    const context = this.#context;
    const tick = this.#tick;
    if (!context || !tick || this.#refreshTimer !== undefined) return;
    let poll = false;
    for (const device of this.#devices) if (device.dataKey !== undefined && !device.watch(this)) poll = true;
    if (poll) this.#refreshTimer = context.host.clock.set(tick, 1000, 1000);
  }

  /** A watched variable changed (PersistentVariable's watcher): the data entries follow. */
  variableChanged(): void {
    if (this.#context) this.refresh();
  }

  private refresh(): void {
    for (const device of this.#devices) this.mirror(device);
  }

  private mirror(device: AlexaDevice): void {
    const context = this.#context;
    if (!context || device.dataKey === undefined) return;
    let summary: Summary;
    try {
      summary = device.summary();
    } catch {
      return; // The app's get() threw: the entry keeps what it last showed.
    }
    if (sameSummary(device.mirrored, summary) && context.data.has(device.dataKey)) return;
    device.mirrored = summary;
    context.data.set(device.dataKey, summary);
  }

  private view(): AlexaView {
    const context = this.#context as FeatureContext;
    return {
      enabled: context.config.get("alexa_enabled") !== false,
      active: this.active(),
      discovery: this.discoveryView(),
      pairing: { open: this.pairingOpen, secondsLeft: this.pairingLeftS() },
      devices: this.#devices.map((d) => {
        let state: AlexaView["devices"][number]["state"];
        try {
          state = d.summary();
        } catch (e) {
          state = { error: errorText(e) };
        }
        return { name: d.name, id: d.identity?.id ?? "", uniqueid: d.identity?.uniqueid ?? "", type: d.type, state };
      }),
      users: (this.#users as HueUsers).list.map((u) => ({ user: userHandle(u.username), devicetype: u.devicetype, paired: u.paired })),
    };
  }

  private discoveryView(): AlexaView["discovery"] {
    const ssdp = this.#ssdp;
    return {
      running: ssdp?.running ?? false,
      port: ssdp?.port || this.#context?.host.ports?.ssdp || SSDP_PORT,
      address: this.#ssdpFor,
      answered: ssdp?.answered ?? 0,
      error: this.#ssdpError,
    };
  }

  status(): unknown {
    const context = this.#context;
    if (!context) return { enabled: false };
    return {
      enabled: context.config.get("alexa_enabled") !== false,
      active: this.active(),
      devices: this.#devices.length,
      users: (this.#users as HueUsers).list.length,
      pairing: this.pairingOpen,
      discovery: this.discoveryView(),
    };
  }

  pageSection(): Iterable<string> {
    if (!this.#context || this.#devices.length === 0) return [];
    return renderAlexaSection(this.view());
  }
}
