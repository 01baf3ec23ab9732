/*
 * MqttFeature: the device on an MQTT broker, for Home Assistant, Node-RED and fleets (docs/mqtt.md).
 *
 *   <base>/status          online (retained) once connected; offline (retained) as the will
 *   <base>/status/info     {uptime, rssi, version, framework, platform, ip, freeMemory} every minute
 *   <base>/data/<key>      each data entry, retained; an empty retained payload when it goes
 *   <base>/data            the whole data object, retained, at most once a second
 *   <base>/state/<name>    each exposed variable's value, retained
 *   <base>/set/<name>      commands: coerced by the variable's type and saved, or refused
 *   <base>/error           {"variable", "name", "error"} for every refused command
 *   <prefix>/<component>/<node_id>/<object_id>/config   Home Assistant discovery (retained)
 *
 * - Off while mqtt_url is empty. Connects once the station has an address, reconnects after a
 *   failure with back-off and jitter (1 s doubling to 60 s, each wait between half and all of
 *   it), and at once when a setting of its own changes. Nothing waits on the broker: the web
 *   server and the tasks run the same with the broker gone.
 * - State is coalesced, never queued: a set of changed keys and variables, read when there is
 *   room to send, so a burst of iot.data.set() costs one publish per key and memory stays bounded
 *   by the number of keys, whatever the broker's speed.
 * - Only what the app exposed is writable (expose()), one variable per <base>/set/<name>, and
 *   commands are limited to commandsPerSecond (a flood is dropped and counted). Config, WiFi,
 *   OTA and reset are never reachable; a restart button only when the app opts in.
 * - Names in topics follow topic-names.ts: deterministic, topic-safe, unique.
 */

import type { DataValue } from "../data/data-store";
import type { Feature, FeatureContext } from "../feature";
import type { SettingSpec } from "../config/config-keys";
import type { TimerId } from "../host/clock";
import type { NetworkStatus } from "../host/network";
import type { TextCodec } from "../host/text-codec";
import { errorText } from "../log/logger";
import { escapeHtml } from "../text/escape-html";
import { JS_TEXT_CODEC } from "../text/js-text-codec";
import { FRAMEWORK_VERSION } from "../version";
import { configTopic, restartButtonConfig, sensorConfig, variableConfig, type DeviceInfo, type DiscoveryTopics } from "./ha-discovery";
import { MqttClient } from "./mqtt-client";
import { CommandError, commandInput, componentFits, defaultComponent, stateText, type MqttComponent, type MqttDescribeOptions, type MqttExposeOptions, type MqttVariable } from "./mqtt-exposed";
import { checkBrokerUrl, parseBrokerUrl, type BrokerAddress } from "./mqtt-url";
import { checkTopicSetting, objectId, topicLevel, UniqueNames } from "./topic-names";

export type { MqttComponent, MqttDescribeOptions, MqttExposeOptions, MqttVariable } from "./mqtt-exposed";

export interface MqttExposed extends MqttExposeOptions {
  readonly variable: MqttVariable;
}

export interface MqttFeatureOptions {
  /** Variables writable over MQTT (also iot.mqtt.expose()). */
  expose?: readonly MqttExposed[];
  /** Units and classes of data entries for Home Assistant (also describe()). */
  describe?: Readonly<Record<string, MqttDescribeOptions>>;
  /** Offer <base>/command/restart (payload "restart") and a restart button. Default false. */
  restartCommand?: boolean;
  /** Default 60 s. */
  keepAliveSeconds?: number;
  /** Largest packet taken from the broker (default 4096 bytes). */
  maxPacketBytes?: number;
  /** Bytes waiting for the socket at most, and the largest publish (default 8192). */
  maxQueueBytes?: number;
  /** How often <base>/status/info goes out (default 60 s). */
  statusIntervalMs?: number;
  /** The whole data object at most this often (default 1 s). */
  dataIntervalMs?: number;
  /** Back-off between attempts: from retryMinMs (1 s) doubling to retryMaxMs (60 s). */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** Commands taken per second; more are dropped (default 10). */
  commandsPerSecond?: number;
  /** The device block's manufacturer and model (defaults: the framework, the app's title). */
  manufacturer?: string;
  model?: string;
  /** 0 <= random() < 1, for the jitter (tests make it fixed). */
  random?: () => number;
}

export type MqttState = "off" | "waiting for the network" | "connecting" | "connected" | "retrying";

const SETTING_KEYS: readonly string[] = Object.freeze(["mqtt_url", "mqtt_user", "mqtt_password", "mqtt_topic", "mqtt_discovery", "mqtt_discovery_prefix", "hostname"]);

export const MQTT_SETTINGS: Readonly<Record<string, SettingSpec>> = Object.freeze({
  mqtt_url: Object.freeze({
    type: "string",
    default: "",
    group: "mqtt",
    label: "Broker",
    help: "mqtt://host or mqtt://host:port (1883 when left out). Empty: MQTT is off.",
    maxBytes: 200,
    check: checkBrokerUrl,
  }),
  mqtt_user: Object.freeze({ type: "string", default: "", group: "mqtt", label: "User name", maxBytes: 128 }),
  mqtt_password: Object.freeze({ type: "string", default: "", group: "mqtt", label: "Password", secret: true, maxBytes: 128 }),
  mqtt_topic: Object.freeze({
    type: "string",
    default: "",
    group: "mqtt",
    label: "Base topic",
    help: "Every topic of this device starts with it. Empty: the hostname.",
    maxBytes: 128,
    check: checkTopicSetting,
  }),
  mqtt_discovery: Object.freeze({ type: "boolean", default: true, group: "mqtt", label: "Home Assistant discovery", help: "Announce the data and the exposed variables to Home Assistant." }),
  mqtt_discovery_prefix: Object.freeze({
    type: "string",
    default: "homeassistant",
    group: "mqtt",
    label: "Discovery prefix",
    help: "Home Assistant's discovery prefix (homeassistant unless you changed it there).",
    minBytes: 1,
    maxBytes: 64,
    check: checkTopicSetting,
  }),
} satisfies Record<string, SettingSpec>);

interface Exposed {
  readonly variable: MqttVariable;
  readonly options: MqttExposeOptions;
  readonly component: MqttComponent;
  readonly level: string;
  readonly objectId: string;
  /** The state last published. */
  published: string | undefined;
}

/** How a data value travels: text as itself, numbers and booleans as JSON, the rest as JSON text. */
function dataPayload(value: DataValue): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function hasAddress(network: NetworkStatus): boolean {
  return (network.mode === "station" || network.mode === "ap+station") && network.ip !== "";
}

/** Errors kept for <base>/error while the broker is slow; older ones are dropped. */
const MAX_PENDING_ERRORS = 8;

/**
 * What the feature keeps about names and what is owed, made on first use (an exposed variable or
 * the first connection), so that the feature in but off holds none of it.
 */
class Books {
  readonly dataLevels = new UniqueNames(topicLevel);
  readonly dataIds = new UniqueNames(objectId);
  readonly varLevels = new UniqueNames(topicLevel);
  readonly varIds = new UniqueNames(objectId);
  readonly exposed = new Map<string, Exposed>();
  readonly described = new Map<string, MqttDescribeOptions>();
  // What is owed to the broker (sets: a key changed twice is sent once).
  readonly removals = new Set<string>();
  readonly discoverData = new Set<string>();
  readonly discoverVars = new Set<string>();
  readonly dirtyData = new Set<string>();
  readonly dirtyVars = new Set<string>();
  /** Topics whose payload could never be sent, already logged. */
  readonly tooLarge = new Set<string>();
}

/** What the app reaches as iot.mqtt (or iot.feature("mqtt")). */
export interface MqttApi {
  /** Makes a variable writable over MQTT and announces it to Home Assistant; returns its topic name. */
  expose(variable: MqttVariable, options?: MqttExposeOptions): string;
  /** Units, device class, state class and icon of a data entry, for Home Assistant. */
  describe(key: string, options: MqttDescribeOptions): void;
  /** True while the broker has the device connected. */
  readonly connected: boolean;
}

/**
 * The state of the connections to the broker, from the first on (counters last for the life
 * of the feature): timers, what the connection was made with, what is owed to the broker, the
 * commands' token bucket and the status's counters. Fields of its own, not the feature's: a
 * feature with no broker set holds none of them.
 */
class MqttLink {
  retryAt = 0;
  flushTimer: TimerId | undefined;
  objectTimer: TimerId | undefined;
  tickTimer: TimerId | undefined;
  ticks = 0;
  prefix = "";
  discovery = false;
  device: DeviceInfo | undefined;
  // What is owed to the broker (sets: a key changed twice is sent once).
  onlineDue = false;
  infoDue = false;
  restartDiscoveryDue = false;
  dataObjectDue = false;
  lastDataObject = -Infinity;
  /** Refusals not yet published to <base>/error (made by the first one). */
  errors: string[] | undefined;
  // Commands: a token bucket.
  tokens: number;
  tokensAt = 0;
  dropped = 0;
  // Counters for the status.
  published = 0;
  received = 0;
  refused = 0;
  connectedAt = 0;

  constructor(tokens: number) {
    this.tokens = tokens;
  }
}

export class MqttFeature implements Feature {
  // Constants on the prototype (getters), not three slots in every instance.
  get name(): string {
    return "mqtt";
  }
  get title(): string {
    return "MQTT";
  }
  get settings(): Readonly<Record<string, SettingSpec>> {
    return MQTT_SETTINGS;
  }
  readonly #options: MqttFeatureOptions;
  #context: FeatureContext | undefined;
  /**
   * One closure for the three events (a config change is a list of keys, a data change a key,
   * the network an object), made at attach(): the config listener first; the network and data
   * ones are added once a broker is set (off, they would change nothing).
   */
  #heard: ((value: readonly string[] | string | NetworkStatus) => void) | undefined;
  #listening = false;
  #client: MqttClient | undefined;
  #state: MqttState = "off";
  #lastError = "";
  #attempts = 0;
  #retryTimer: TimerId | undefined;
  // What the current connection was made with.
  #broker: BrokerAddress | undefined;
  #base = "";
  #books: Books | undefined;
  /** What a connection needs, made by the first one (a feature with no broker holds none). */
  #link: MqttLink | undefined;

  private get b(): Books {
    return (this.#books ??= new Books());
  }

  private get link(): MqttLink {
    return (this.#link ??= new MqttLink(this.#options.commandsPerSecond ?? 10));
  }

  #api: MqttApi | undefined;

  /** iot.mqtt: made when the app first reaches for it (one object, the same every time). */
  get api(): MqttApi {
    if (this.#api) return this.#api;
    const feature = this;
    return (this.#api = Object.freeze({
      expose: (variable: MqttVariable, exposeOptions?: MqttExposeOptions) => this.expose(variable, exposeOptions),
      describe: (key: string, describeOptions: MqttDescribeOptions) => this.describe(key, describeOptions),
      get connected(): boolean {
        return feature.connected;
      },
    }));
  }

  constructor(options: MqttFeatureOptions = {}) {
    this.#options = options;
    for (const entry of options.expose ?? []) this.expose(entry.variable, entry);
    for (const key of Object.keys(options.describe ?? {})) this.describe(key, (options.describe as Record<string, MqttDescribeOptions>)[key]);
  }

  /**
   * Makes variable writable at <base>/set/<name> and announces it to Home Assistant as the
   * component its type calls for (mqtt-exposed.ts). Returns the name it got in topics.
   */
  expose(variable: MqttVariable, options: MqttExposeOptions = {}): string {
    for (const known of this.b.exposed.values()) if (known.variable.id === variable.id) throw new Error(`mqtt: ${variable.id} is exposed twice`);
    const component = options.component ?? defaultComponent(variable.type, options);
    if (!componentFits(component, variable.type)) throw new Error(`mqtt: ${variable.id} is a ${variable.type}; it cannot be a Home Assistant ${component}`);
    if (component === "select" && (!options.options || options.options.length === 0)) throw new Error(`mqtt: ${variable.id}: a select needs options`);
    const wanted = options.name ?? variable.name ?? variable.id;
    const level = this.b.varLevels.name(variable.id, wanted);
    const entry: Exposed = { variable, options, component, level, objectId: this.b.varIds.name(variable.id, level), published: undefined };
    this.b.exposed.set(entry.level, entry);
    if (this.connected) {
      this.b.discoverVars.add(entry.level);
      this.b.dirtyVars.add(entry.level);
      this.schedule();
    }
    return entry.level;
  }

  /** Units, device class, state class and icon of a data entry, for Home Assistant. */
  describe(key: string, options: MqttDescribeOptions): void {
    this.b.described.set(key, options);
    if (this.connected && this.#context?.data.has(key)) {
      this.b.discoverData.add(key);
      this.schedule();
    }
  }

  get connected(): boolean {
    return this.#client?.connected ?? false;
  }

  /** The topic names a data key has been given (undefined until it was published). */
  dataTopic(key: string): string | undefined {
    const level = this.b.dataLevels.peek(key);
    return level === undefined ? undefined : `${this.#base}/data/${level}`;
  }

  attach(context: FeatureContext): void {
    this.#context = context;
    const heard = (this.#heard = (value) => this.changed(value));
    context.events.on("config", heard);
    this.reconcile(false);
  }

  /**
   * From the first time a broker is set: the network decides when to connect, and data
   * changes are owed to the broker (before the first connection nothing is: connecting
   * publishes everything). Kept until detach(), so what changes while disconnected is owed.
   */
  private listen(context: FeatureContext): void {
    if (this.#listening) return;
    this.#listening = true;
    const heard = this.#heard as (value: readonly string[] | string | NetworkStatus) => void;
    context.events.on("network", heard);
    context.events.on("data", heard);
  }

  detach(): void {
    // The listener is taken off (events.off), not unsubscribes held: a bound function each.
    const heard = this.#heard;
    const events = this.#context?.events;
    if (heard && events) {
      events.off("config", heard);
      if (this.#listening) {
        events.off("network", heard);
        events.off("data", heard);
      }
    }
    this.#heard = undefined;
    this.#listening = false;
    this.disconnect(true);
    this.clearRetry();
    this.#context = undefined;
    this.#state = "off";
  }

  status(): unknown {
    const out: Record<string, unknown> = { state: this.#state, broker: this.#broker ? `${this.#broker.host}:${this.#broker.port}` : "", baseTopic: this.#base || this.baseTopic() };
    if (this.#lastError) out.lastError = this.#lastError;
    if (this.#state === "retrying" && this.#context) out.retryInMs = Math.max(0, this.link.retryAt - this.#context.host.clock.now());
    const link = this.#link;
    out.published = link ? link.published : 0;
    out.received = link ? link.received : 0;
    out.refused = link ? link.refused : 0;
    out.exposed = this.#books ? [...this.#books.exposed.keys()] : [];
    return out;
  }

  pageSection(): Iterable<string> {
    return mqttSection(this.#state, this.#broker, this.#base || this.baseTopic(), this.#lastError);
  }

  // ---- the connection ----

  private changed(value: readonly string[] | string | NetworkStatus): void {
    if (typeof value === "string") this.dataChanged(value);
    else if (Array.isArray(value)) {
      if ((value as readonly string[]).some((k) => SETTING_KEYS.includes(k))) this.reconcile(true);
    } else this.reconcile(false);
  }

  private textCodec(): TextCodec {
    return this.#context?.host.text ?? JS_TEXT_CODEC;
  }

  private baseTopic(): string {
    const context = this.#context;
    if (!context) return "";
    const topic = String(context.config.get("mqtt_topic") ?? "");
    return topic || String(context.config.get("hostname") ?? "");
  }

  /** Connects, reconnects or disconnects to match the settings and the network. */
  private reconcile(settingsChanged: boolean): void {
    const context = this.#context;
    if (!context) return;
    const parsed = parseBrokerUrl(String(context.config.get("mqtt_url") ?? ""));
    if (!parsed || "error" in parsed) {
      this.disconnect(true);
      this.clearRetry();
      this.#broker = undefined;
      this.#state = "off";
      this.#lastError = parsed ? parsed.error : "";
      return;
    }
    this.listen(context);
    if (!hasAddress(context.network())) {
      this.disconnect(false);
      this.clearRetry();
      this.#state = "waiting for the network";
      return;
    }
    if (settingsChanged) {
      this.disconnect(true);
      this.clearRetry();
      this.#attempts = 0;
      this.#lastError = "";
    }
    if (this.#client || this.#retryTimer !== undefined) return;
    this.connect(parsed);
  }

  private connect(broker: BrokerAddress): void {
    const context = this.#context as FeatureContext;
    const config = context.config;
    const info = context.host.system.info();
    const macId = info.mac.replace(/[^0-9a-fA-F]/g, "").toLowerCase();
    this.#broker = broker;
    this.#base = this.baseTopic();
    this.link.prefix = String(config.get("mqtt_discovery_prefix") || "homeassistant");
    this.link.discovery = config.get("mqtt_discovery") !== false;
    this.#state = "connecting";
    const options = this.#options;
    try {
      this.#client = new MqttClient(
        {
          tcp: context.host.tcp,
          clock: context.host.clock,
          text: this.textCodec(),
          host: broker.host,
          port: broker.port,
          clientId: `iot-${macId}`,
          username: String(config.get("mqtt_user") ?? "") || undefined,
          password: String(config.get("mqtt_password") ?? "") || undefined,
          will: { topic: `${this.#base}/status`, payload: "offline", retain: true, qos: 1 },
          keepAliveSeconds: options.keepAliveSeconds,
          maxPacketBytes: options.maxPacketBytes,
          maxQueueBytes: options.maxQueueBytes,
        },
        {
          connected: () => this.onConnected(macId),
          message: (topic, payload, retained) => this.message(topic, payload, retained),
          drained: () => this.flush(),
          oversized: (_type, length, topic) => this.oversized(length, topic),
          subscribeRefused: (count) => this.#context?.log.warn(`the broker refused ${count} subscription(s): check its ACL for ${this.#base}/set/+`),
          closed: (error) => this.closed(error),
        },
      );
    } catch (e) {
      this.closed(errorText(e));
    }
  }

  private onConnected(macId: string): void {
    const context = this.#context;
    const client = this.#client;
    if (!context || !client) return;
    this.#state = "connected";
    this.#attempts = 0;
    this.#lastError = "";
    this.link.connectedAt = context.host.clock.now();
    const network = context.network();
    this.link.device = {
      macId,
      mac: context.host.system.info().mac.toLowerCase(),
      name: String(context.config.get("hostname") ?? ""),
      manufacturer: this.#options.manufacturer ?? "IoT Manager for Moddable",
      model: this.#options.model ?? context.app.title,
      swVersion: context.app.version,
      configurationUrl: network.ip ? `http://${network.ip}/` : undefined,
    };
    context.log.info(`connected to ${this.#broker?.host}:${this.#broker?.port} as ${this.#base}`);
    const filters = [`${this.#base}/set/+`];
    if (this.link.discovery) filters.push(`${this.link.prefix}/status`);
    if (this.#options.restartCommand) filters.push(`${this.#base}/command/restart`);
    // The first packets of a connection: the socket's buffer is empty, so they fit.
    client.subscribe(filters, 1);
    this.everythingDue();
    this.link.tickTimer = context.host.clock.set(() => this.tick(), 1000, 1000);
    this.flush();
  }

  private everythingDue(): void {
    const context = this.#context as FeatureContext;
    this.link.onlineDue = true;
    this.link.infoDue = true;
    this.link.dataObjectDue = true;
    for (const key of context.data.keys()) {
      this.b.dirtyData.add(key);
      if (this.link.discovery) this.b.discoverData.add(key);
    }
    for (const entry of this.b.exposed.values()) {
      this.b.dirtyVars.add(entry.level);
      if (this.link.discovery) this.b.discoverVars.add(entry.level);
    }
    this.link.restartDiscoveryDue = this.link.discovery && this.#options.restartCommand === true;
  }

  private closed(error: string): void {
    const context = this.#context;
    this.stopConnection();
    if (!context) return;
    this.#lastError = error;
    const min = this.#options.retryMinMs ?? 1000;
    const max = this.#options.retryMaxMs ?? 60_000;
    const full = Math.min(max, min * 2 ** Math.min(this.#attempts, 30));
    const delay = Math.round(full / 2 + ((this.#options.random ?? Math.random)() * full) / 2);
    this.#attempts++;
    this.#state = "retrying";
    this.link.retryAt = context.host.clock.now() + delay;
    context.log.warn(`${error}; trying again in ${Math.round(delay / 100) / 10} s`);
    this.#retryTimer = context.host.clock.set(() => {
      this.#retryTimer = undefined;
      this.reconcile(false);
    }, delay);
  }

  /** Ends the connection; graceful: "offline" first and DISCONNECT, so the will is not needed. */
  private disconnect(graceful: boolean): void {
    const client = this.#client;
    if (!client) return;
    if (graceful && client.connected) {
      try {
        client.publish(`${this.#base}/status`, "offline", true);
      } catch {
        // Going away anyway.
      }
      client.close();
    } else client.abort();
    this.stopConnection();
  }

  private stopConnection(): void {
    this.#client = undefined;
    const link = this.#link;
    if (link) {
      const clock = this.#context?.host.clock;
      clock?.clear(link.tickTimer);
      clock?.clear(link.flushTimer);
      clock?.clear(link.objectTimer);
      link.tickTimer = undefined;
      link.flushTimer = undefined;
      link.objectTimer = undefined;
      link.errors = undefined;
    }
    if (this.#state === "connected" || this.#state === "connecting") this.#state = "off";
  }

  private clearRetry(): void {
    this.#context?.host.clock.clear(this.#retryTimer);
    this.#retryTimer = undefined;
  }

  // ---- state ----

  private dataChanged(key: string): void {
    const context = this.#context;
    // Before the first connection nothing is owed: connecting publishes everything.
    if (!context || !this.#books) return;
    const data = context.data;
    if (key === "") {
      for (const known of [...this.b.dataLevels.keys()]) if (!data.has(known)) this.removeData(known);
      for (const k of data.keys()) this.dataAdded(k);
    } else if (data.has(key)) this.dataAdded(key);
    else this.removeData(key);
    this.link.dataObjectDue = true;
    this.schedule();
  }

  private dataAdded(key: string): void {
    this.b.dirtyData.add(key);
    if (this.link.discovery && this.b.dataLevels.peek(key) === undefined) this.b.discoverData.add(key);
  }

  /** A key went: its retained value and its discovery config are cleared. */
  private removeData(key: string): void {
    this.b.dirtyData.delete(key);
    this.b.discoverData.delete(key);
    const level = this.b.dataLevels.peek(key);
    if (level === undefined) return;
    this.b.removals.add(`${this.#base}/data/${level}`);
    const id = this.b.dataIds.peek(level);
    if (id !== undefined && this.link.discovery) this.b.removals.add(configTopic(this.topics(), "sensor", id));
    this.b.dataLevels.release(key);
    this.b.dataIds.release(level);
  }

  private topics(): DiscoveryTopics {
    return { prefix: this.link.prefix, nodeId: this.link.device?.macId ?? "device", base: this.#base };
  }

  private schedule(): void {
    const context = this.#context;
    if (!context || !this.connected || this.link.flushTimer !== undefined) return;
    // A turn later: every set() of the same turn goes out in one pass.
    this.link.flushTimer = context.host.clock.set(() => {
      this.link.flushTimer = undefined;
      this.flush();
    }, 0);
  }

  private tick(): void {
    const context = this.#context;
    if (!context) return;
    this.link.ticks++;
    const every = Math.max(1, Math.round((this.#options.statusIntervalMs ?? 60_000) / 1000));
    if (this.link.ticks % every === 0) this.link.infoDue = true;
    // Variables have no change event: their state text is compared once a second.
    for (const entry of this.b.exposed.values()) if (stateText(entry.component, entry.variable) !== entry.published) this.b.dirtyVars.add(entry.level);
    if (this.link.dropped) {
      context.log.warn(`dropped ${this.link.dropped} MQTT command(s): more than ${this.#options.commandsPerSecond ?? 10} a second`);
      this.link.dropped = 0;
    }
    this.flush();
  }

  /** Publishes; false when the client has no room (drained() brings the flush back). */
  private publish(topic: string, payload: string, retain: boolean): boolean {
    const client = this.#client;
    if (!client) return false;
    try {
      if (!client.publish(topic, payload, retain)) return false;
      this.link.published++;
    } catch (e) {
      // Too large to ever send: said once per topic, and dropped.
      if (!this.b.tooLarge.has(topic)) {
        this.b.tooLarge.add(topic);
        this.#context?.log.error(`not published: ${errorText(e)}`);
      }
    }
    return true;
  }

  /** Sends what is owed, most important first, until the client has no room. */
  private flush(): void {
    const context = this.#context;
    if (!context || !this.connected) return;
    const base = this.#base;
    if (this.link.onlineDue) {
      if (!this.publish(`${base}/status`, "online", true)) return;
      this.link.onlineDue = false;
    }
    for (const topic of this.b.removals) {
      if (!this.publish(topic, "", true)) return;
      this.b.removals.delete(topic);
    }
    const errors = this.link.errors;
    while (errors?.length) {
      if (!this.publish(`${base}/error`, errors[0], false)) return;
      errors.shift();
    }
    const device = this.link.device as DeviceInfo;
    const data = context.data;
    if (this.link.discovery) {
      const topics = this.topics();
      for (const key of this.b.discoverData) {
        if (data.has(key)) {
          const level = this.b.dataLevels.name(key);
          const id = this.b.dataIds.name(level);
          if (!this.publish(configTopic(topics, "sensor", id), sensorConfig(topics, device, key, level, id, this.b.described.get(key)), true)) return;
        }
        this.b.discoverData.delete(key);
      }
      for (const level of this.b.discoverVars) {
        const entry = this.b.exposed.get(level);
        if (entry && !this.publish(configTopic(topics, entry.component, entry.objectId), variableConfig(topics, device, entry.component, entry.variable, level, entry.objectId, entry.options), true)) return;
        this.b.discoverVars.delete(level);
      }
      if (this.link.restartDiscoveryDue) {
        if (!this.publish(configTopic(topics, "button", "restart"), restartButtonConfig(topics, device), true)) return;
        this.link.restartDiscoveryDue = false;
      }
    }
    for (const key of this.b.dirtyData) {
      const value = data.get(key);
      if (value !== undefined && !this.publish(`${base}/data/${this.b.dataLevels.name(key)}`, dataPayload(value), true)) return;
      this.b.dirtyData.delete(key);
    }
    for (const level of this.b.dirtyVars) {
      const entry = this.b.exposed.get(level);
      if (entry) {
        const text = stateText(entry.component, entry.variable);
        if (!this.publish(`${base}/state/${level}`, text, true)) return;
        entry.published = text;
      }
      this.b.dirtyVars.delete(level);
    }
    if (this.link.dataObjectDue) {
      const now = context.host.clock.now();
      const interval = this.#options.dataIntervalMs ?? 1000;
      if (now - this.link.lastDataObject >= interval) {
        if (!this.publish(`${base}/data`, data.toJSONText(), true)) return;
        this.link.dataObjectDue = false;
        this.link.lastDataObject = now;
      } else if (this.link.objectTimer === undefined) {
        // Its own timer: the per-key flush (#flushTimer) must not wait for the object's turn.
        this.link.objectTimer = context.host.clock.set(() => {
          this.link.objectTimer = undefined;
          this.flush();
        }, interval - (now - this.link.lastDataObject));
      }
    }
    if (this.link.infoDue) {
      if (!this.publish(`${base}/status/info`, this.info(), true)) return;
      this.link.infoDue = false;
    }
  }

  private info(): string {
    const context = this.#context as FeatureContext;
    const status = context.status();
    const network = context.network();
    const info: Record<string, unknown> = {
      uptime: status.uptime,
      version: context.app.version,
      framework: FRAMEWORK_VERSION,
      platform: status.platform,
      ip: network.ip,
    };
    if (typeof network.rssi === "number") info.rssi = network.rssi;
    if (typeof status.freeMemory === "number") info.freeMemory = status.freeMemory;
    return JSON.stringify(info);
  }

  // ---- commands ----

  private message(topic: string, payload: Uint8Array, _retained: boolean): void {
    try {
      this.command(topic, payload);
    } catch (e) {
      // A fault of this feature's own must not end the connection (the client would close it).
      this.#context?.log.error(`handling ${topic.slice(0, 120)} failed: ${errorText(e)}`);
    }
  }

  private command(topic: string, payload: Uint8Array): void {
    const context = this.#context;
    if (!context) return;
    this.link.received++;
    const base = this.#base;
    if (this.link.discovery && topic === `${this.link.prefix}/status`) {
      // Home Assistant's birth message: it (re)started and wants every config again.
      let text = "";
      try {
        text = payload.length === 6 ? this.textCodec().decode(payload) : "";
      } catch {
        // Not UTF-8: not the birth message.
      }
      if (text === "online") {
        context.log.info("Home Assistant came online: discovery again");
        this.everythingDue();
        this.link.onlineDue = false;
        this.schedule();
      }
      return;
    }
    const setPrefix = `${base}/set/`;
    const restartTopic = `${base}/command/restart`;
    if (!topic.startsWith(setPrefix) && topic !== restartTopic) return;
    if (!this.takeToken()) {
      this.link.dropped++;
      return;
    }
    const name = topic === restartTopic ? "restart" : topic.slice(setPrefix.length);
    const entry = this.b.exposed.get(name);
    let text: string;
    try {
      text = this.textCodec().decode(payload);
    } catch {
      return this.refuse(name, entry?.variable.id, `${entry ? `${entry.variable.id}: ` : ""}the payload is not UTF-8 text`);
    }
    if (topic === restartTopic) {
      if (this.#options.restartCommand && text === "restart") {
        context.log.warn("restart asked for over MQTT");
        context.restartSoon();
      } else this.refuse(name, undefined, 'the payload must be "restart"');
      return;
    }
    if (!entry) return this.refuse(name, undefined, `no variable is exposed as "${name.slice(0, 64)}"`);
    const variable = entry.variable;
    try {
      const value = variable.coerce(commandInput(entry.component, variable, text, entry.options.options));
      if (variable.write(value)) context.log.info(`${variable.id} set over MQTT`);
    } catch (e) {
      const reason = (e instanceof Error && e.name === "PersistentValueError") || e instanceof CommandError ? e.message : `could not save: ${errorText(e)}`;
      return this.refuse(name, variable.id, e instanceof CommandError ? `${variable.id}: ${reason}` : reason);
    }
    this.b.dirtyVars.add(entry.level);
    this.schedule();
  }

  private takeToken(): boolean {
    const now = (this.#context as FeatureContext).host.clock.now();
    const rate = this.#options.commandsPerSecond ?? 10;
    this.link.tokens = Math.min(rate, this.link.tokens + ((now - this.link.tokensAt) * rate) / 1000);
    this.link.tokensAt = now;
    if (this.link.tokens < 1) return false;
    this.link.tokens -= 1;
    return true;
  }

  private refuse(name: string, variable: string | undefined, error: string): void {
    this.link.refused++;
    this.#context?.log.warn(`MQTT command refused: ${error}`);
    const body: Record<string, string> = { name };
    if (variable) body.variable = variable;
    body.error = error;
    const errors = (this.link.errors ??= []);
    errors.push(JSON.stringify(body));
    if (errors.length > MAX_PENDING_ERRORS) errors.shift();
    this.schedule();
  }

  private oversized(length: number, topic: string | undefined): void {
    const base = this.#base;
    const name = topic?.startsWith(`${base}/set/`) ? topic.slice(base.length + 5) : undefined;
    const entry = name === undefined ? undefined : this.b.exposed.get(name);
    const limit = this.#options.maxPacketBytes ?? 4096;
    const what = `a message of ${length} bytes${topic ? ` on ${topic.slice(0, 120)}` : ""} was dropped: this device takes at most ${limit}`;
    if (name !== undefined) {
      this.link.received++;
      this.refuse(name, entry?.variable.id, entry ? `${entry.variable.id}: ${what}` : what);
    } else this.#context?.log.warn(what);
  }
}

/**
 * The page's card (a module-level generator: its prototype can be frozen for flash). The page's
 * own script refreshes every data-status element from GET /api/status, so the card follows the
 * connection without a script of its own.
 */
function* mqttSection(state: MqttState, broker: BrokerAddress | undefined, base: string, lastError: string): Generator<string> {
  yield `<section class="card mb-3" id="mqtt"><div class="card-body"><h2 class="h5">MQTT</h2>`;
  yield `<p class="mb-1">State: <strong data-status="mqtt.state" id="mqtt-state">${escapeHtml(state)}</strong>`;
  yield ` (broker <span data-status="mqtt.broker" id="mqtt-broker">${escapeHtml(broker ? `${broker.host}:${broker.port}` : "-")}</span>)`;
  yield `</p><p class="small mb-1">Base topic: <code data-status="mqtt.baseTopic" id="mqtt-base">${escapeHtml(base)}</code></p>`;
  yield `<p class="small mb-0 text-muted">Last error: <span data-status="mqtt.lastError" id="mqtt-error">${escapeHtml(lastError || "-")}</span></p>`;
  yield `</div></section>`;
}
Object.freeze(mqttSection.prototype);
