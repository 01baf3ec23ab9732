/*
 * Home Assistant's MQTT discovery schemas, as fields and rules, for checking what the device
 * announces. Read from Home Assistant's source (homeassistant/components/mqtt/: the common entity
 * schema in mixins.py/schemas.py, sensor.py, switch.py, number.py, text.py, select.py, button.py,
 * light/schema_json.py, and abbreviations.py for the device block). Home Assistant's discovery
 * schemas drop keys they do not know without a word (vol.REMOVE_EXTRA), so a misspelt field
 * would silently do nothing there: here it is a failure. Engine-neutral: the core tests use it on XS.
 */

import { utf8Length } from "../../modules/text/utf8";

const COMMON = [
  "availability",
  "availability_mode",
  "availability_template",
  "availability_topic",
  "payload_available",
  "payload_not_available",
  "device",
  "enabled_by_default",
  "entity_category",
  "entity_picture",
  "icon",
  "json_attributes_template",
  "json_attributes_topic",
  "name",
  "object_id",
  "default_entity_id",
  "unique_id",
  "encoding",
  "qos",
  "platform",
  "origin",
];

const PLATFORMS: Readonly<Record<string, { fields: string[]; required: string[] }>> = {
  sensor: {
    fields: ["state_topic", "device_class", "expire_after", "force_update", "last_reset_value_template", "options", "suggested_display_precision", "state_class", "unit_of_measurement", "value_template"],
    required: ["state_topic"],
  },
  switch: {
    fields: ["command_topic", "command_template", "state_topic", "device_class", "optimistic", "payload_off", "payload_on", "retain", "state_off", "state_on", "value_template"],
    required: ["command_topic"],
  },
  number: {
    fields: ["command_topic", "command_template", "state_topic", "device_class", "max", "min", "mode", "optimistic", "payload_reset", "retain", "step", "unit_of_measurement", "value_template"],
    required: ["command_topic"],
  },
  text: {
    fields: ["command_topic", "command_template", "state_topic", "max", "min", "mode", "pattern", "optimistic", "retain", "value_template"],
    required: ["command_topic"],
  },
  select: {
    fields: ["command_topic", "command_template", "state_topic", "optimistic", "options", "retain", "value_template"],
    required: ["command_topic", "options"],
  },
  button: {
    fields: ["command_topic", "command_template", "device_class", "payload_press", "retain"],
    required: ["command_topic"],
  },
  light: {
    fields: [
      "schema",
      "command_topic",
      "state_topic",
      "brightness",
      "brightness_scale",
      "effect",
      "effect_list",
      "flash",
      "flash_time_long",
      "flash_time_short",
      "max_kelvin",
      "min_kelvin",
      "max_mireds",
      "min_mireds",
      "optimistic",
      "retain",
      "supported_color_modes",
      "transition",
      "white_scale",
    ],
    required: ["command_topic", "schema"],
  },
};

const DEVICE_FIELDS = ["connections", "configuration_url", "identifiers", "name", "manufacturer", "model", "model_id", "sw_version", "hw_version", "serial_number", "suggested_area", "via_device"];
const STRING_FIELDS = ["name", "unique_id", "payload_available", "payload_not_available", "unit_of_measurement", "device_class", "state_class", "icon", "payload_on", "payload_off", "payload_press", "pattern", "schema", "mode", "entity_category"];
const TOPIC_FIELDS = ["availability_topic", "state_topic", "command_topic", "json_attributes_topic"];
const COLOR_MODES = ["onoff", "brightness", "color_temp", "hs", "xy", "rgb", "rgbw", "rgbww", "white"];

function validTopic(topic: unknown, publish: boolean): boolean {
  if (typeof topic !== "string" || topic === "" || utf8Length(topic) > 65535 || topic.includes("\0")) return false;
  return !publish || (!topic.includes("+") && !topic.includes("#"));
}

/** The problems Home Assistant would have with a discovery config for component; [] when none. */
export function checkDiscovery(component: string, config: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const platform = PLATFORMS[component];
  if (!platform) return [`Home Assistant has no MQTT platform "${component}" here`];
  const known = new Set([...COMMON, ...platform.fields]);
  for (const key of Object.keys(config)) if (!known.has(key)) problems.push(`unknown field ${key}`);
  for (const key of platform.required) if (config[key] === undefined) problems.push(`missing ${key}`);
  for (const key of STRING_FIELDS) if (config[key] !== undefined && typeof config[key] !== "string") problems.push(`${key} must be a string`);
  // State and availability topics are subscribed to, command topics published to: neither may hold wildcards here.
  for (const key of TOPIC_FIELDS) if (config[key] !== undefined && !validTopic(config[key], true)) problems.push(`${key} is not a valid topic`);
  if (typeof config.unique_id !== "string" || config.unique_id === "") problems.push("unique_id is needed for an entity to be editable in Home Assistant");
  const device = config.device as Record<string, unknown> | undefined;
  if (device === undefined) problems.push("no device block");
  else {
    for (const key of Object.keys(device)) if (!DEVICE_FIELDS.includes(key)) problems.push(`unknown device field ${key}`);
    if (!Array.isArray(device.identifiers) || device.identifiers.length === 0 || !device.identifiers.every((i) => typeof i === "string")) problems.push("device.identifiers must be a list of strings");
    if (device.connections !== undefined && (!Array.isArray(device.connections) || !device.connections.every((c) => Array.isArray(c) && c.length === 2))) problems.push("device.connections must be [type, id] pairs");
    if (device.configuration_url !== undefined && !/^(https?|homeassistant):\/\/\S+$/.test(String(device.configuration_url))) problems.push("device.configuration_url must be a URL");
    for (const key of ["name", "manufacturer", "model", "sw_version"]) if (device[key] !== undefined && typeof device[key] !== "string") problems.push(`device.${key} must be a string`);
  }
  if (config.state_class !== undefined && !["measurement", "total", "total_increasing"].includes(String(config.state_class))) problems.push("state_class must be measurement, total or total_increasing");
  if (component === "number") {
    const min = config.min ?? 1;
    const max = config.max ?? 100;
    const step = config.step ?? 1;
    if (typeof min !== "number" || typeof max !== "number" || typeof step !== "number") problems.push("min, max and step must be numbers");
    else {
      if (!(max > min)) problems.push("max must be greater than min");
      if (step < 0.001) problems.push("step must be at least 0.001");
    }
    if (config.mode !== undefined && !["auto", "box", "slider"].includes(String(config.mode))) problems.push("mode must be auto, box or slider");
  }
  if (component === "text") {
    const min = config.min ?? 0;
    const max = config.max ?? 255;
    if (typeof min !== "number" || typeof max !== "number" || min < 0 || !Number.isInteger(min) || !Number.isInteger(max)) problems.push("min and max must be whole numbers >= 0");
    else if (min >= max) problems.push("text length min must be < max");
    else if (max > 255) problems.push("max text length must be <= 255");
    if (config.pattern !== undefined) {
      try {
        new RegExp(String(config.pattern));
      } catch {
        problems.push("pattern must be a regular expression");
      }
    }
  }
  if (component === "select" && (!Array.isArray(config.options) || config.options.length === 0 || !config.options.every((o) => typeof o === "string"))) problems.push("options must be a non-empty list of strings");
  if (component === "light") {
    if (config.schema !== "json") problems.push("only the json schema is checked here");
    const modes = config.supported_color_modes;
    if (!Array.isArray(modes) || modes.length === 0 || !modes.every((m) => COLOR_MODES.includes(String(m)))) problems.push("supported_color_modes must list valid color modes");
  }
  if (component === "switch") {
    if (config.payload_on !== undefined && config.payload_on === config.payload_off) problems.push("payload_on and payload_off must differ");
  }
  return problems;
}
