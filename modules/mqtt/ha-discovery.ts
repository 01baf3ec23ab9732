/*
 * Home Assistant MQTT discovery: the config topic and payload of each entity the device offers.
 *
 *   <prefix>/<component>/<node_id>/<object_id>/config   (retained; an empty payload removes it)
 *
 * Every payload carries unique_id (the MAC and the object id, so renaming the hostname keeps
 * the entity), the availability topic (<base>/status: online/offline, the will), the device
 * block (identifiers, connections, name, manufacturer, model, sw_version, configuration_url)
 * and the state topic; writable entities a command topic. Field names are Home Assistant's own
 * (homeassistant/components/mqtt/*.py), written out in full rather than abbreviated: the
 * payloads are built one at a time, so their size costs no memory that stays.
 */

import type { MqttComponent, MqttDescribeOptions, MqttExposeOptions, MqttVariable } from "./mqtt-exposed";

export interface DeviceInfo {
  /** The MAC without separators, lower case: unique_id's and identifiers' root. */
  readonly macId: string;
  readonly mac: string;
  readonly name: string;
  readonly manufacturer: string;
  readonly model: string;
  readonly swVersion: string;
  /** http://<ip>/ while the device has an address. */
  readonly configurationUrl?: string;
}

export interface DiscoveryTopics {
  readonly prefix: string;
  readonly nodeId: string;
  readonly base: string;
}

export function configTopic(topics: DiscoveryTopics, component: string, objectId: string): string {
  return `${topics.prefix}/${component}/${topics.nodeId}/${objectId}/config`;
}

function common(topics: DiscoveryTopics, device: DeviceInfo, kind: string, objectId: string, name: string): Record<string, unknown> {
  const block: Record<string, unknown> = {
    identifiers: [`iot-manager-${device.macId}`],
    connections: [["mac", device.mac]],
    name: device.name,
    manufacturer: device.manufacturer,
    model: device.model,
    sw_version: device.swVersion,
  };
  if (device.configurationUrl) block.configuration_url = device.configurationUrl;
  return {
    name,
    unique_id: `${device.macId}_${kind}_${objectId}`,
    availability_topic: `${topics.base}/status`,
    payload_available: "online",
    payload_not_available: "offline",
    device: block,
  };
}

/** A data entry as a sensor. */
export function sensorConfig(topics: DiscoveryTopics, device: DeviceInfo, key: string, level: string, objectId: string, describe: MqttDescribeOptions | undefined): string {
  const config = common(topics, device, "data", objectId, describe?.label ?? key);
  config.state_topic = `${topics.base}/data/${level}`;
  if (describe?.unit) config.unit_of_measurement = describe.unit;
  if (describe?.deviceClass) config.device_class = describe.deviceClass;
  if (describe?.stateClass) config.state_class = describe.stateClass;
  if (describe?.icon) config.icon = describe.icon;
  return JSON.stringify(config);
}

/** Home Assistant's text entities hold at most 255 characters. */
const HA_TEXT_MAX = 255;

/** An exposed variable as its component. */
export function variableConfig(
  topics: DiscoveryTopics,
  device: DeviceInfo,
  component: MqttComponent,
  variable: MqttVariable,
  level: string,
  objectId: string,
  options: MqttExposeOptions,
): string {
  const config = common(topics, device, "var", objectId, options.label ?? variable.label);
  config.state_topic = `${topics.base}/state/${level}`;
  config.command_topic = `${topics.base}/set/${level}`;
  if (options.icon) config.icon = options.icon;
  if (options.deviceClass) config.device_class = options.deviceClass;
  if (component === "switch") {
    config.payload_on = "true";
    config.payload_off = "false";
  } else if (component === "number") {
    const input = variable.input;
    // Home Assistant's own defaults (1..100, step 1) would refuse most values: always say.
    config.min = input.min ?? -1e9;
    config.max = input.max ?? 1e9;
    config.step = typeof input.step === "number" ? input.step : 0.001;
    config.mode = options.mode ?? (variable.type === "range" ? "slider" : "box");
    if (options.unit) config.unit_of_measurement = options.unit;
  } else if (component === "text") {
    config.min = 0;
    config.max = Math.min(HA_TEXT_MAX, variable.maxBytes ?? HA_TEXT_MAX);
    if (variable.input.pattern) config.pattern = variable.input.pattern;
  } else if (component === "select") {
    config.options = [...(options.options ?? [])];
  } else if (component === "light") {
    config.schema = "json";
    config.supported_color_modes = ["rgb"];
    config.brightness = false;
  }
  return JSON.stringify(config);
}

/** The restart button an app may opt in to. */
export function restartButtonConfig(topics: DiscoveryTopics, device: DeviceInfo): string {
  const config = common(topics, device, "cmd", "restart", "Restart");
  config.command_topic = `${topics.base}/command/restart`;
  config.payload_press = "restart";
  config.device_class = "restart";
  config.entity_category = "config";
  return JSON.stringify(config);
}
