/*
 * A device for the MQTT tests on Node: an IotManager on the simulator's host (real node:net,
 * Node's clock, files in a fresh state folder) with the MQTT feature pointed at a broker, the
 * data and variables of every kind the feature announces, and its log lines collected.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LogLevel } from "../../modules/host/log";
import { IotManager } from "../../modules/manager";
import type { MqttApi } from "../../modules/mqtt/mqtt-feature";
import { PersistentBoolean } from "../../modules/persistent/persistent-boolean";
import { PersistentFloat } from "../../modules/persistent/persistent-float";
import { PersistentInteger } from "../../modules/persistent/persistent-integer";
import { PersistentRange } from "../../modules/persistent/persistent-range";
import { PersistentRgb } from "../../modules/persistent/persistent-rgb";
import { PersistentString } from "../../modules/persistent/persistent-string";
import { PersistentJson } from "../../modules/persistent/persistent-json";
import { createNodeHost, type NodeHost } from "../../hosts/node/host";
import { DEVICE_PASSWORD, DEVICE_USER, type Mosquitto } from "./mosquitto";

export interface TestDevice {
  readonly iot: IotManager;
  readonly mqtt: MqttApi;
  readonly host: NodeHost;
  readonly lines: { level: LogLevel; line: string }[];
  readonly variables: {
    enabled: PersistentBoolean;
    count: PersistentInteger;
    threshold: PersistentFloat;
    level: PersistentRange;
    colour: PersistentRgb;
    greeting: PersistentString;
    mode: PersistentString;
    settings: PersistentJson;
  };
  /** The base topic (the hostname unless mqtt_topic says otherwise). */
  readonly base: string;
  waitFor(test: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  stop(): void;
}

export interface DeviceOptions {
  broker: Mosquitto;
  user?: string;
  password?: string;
  topic?: string;
  stateDir?: string;
  restartCommand?: boolean;
  maxPacketBytes?: number;
  retryMaxMs?: number;
  commandsPerSecond?: number;
}

export async function startDevice(options: DeviceOptions): Promise<TestDevice> {
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), "iot-mqtt-dev-"));
  const lines: { level: LogLevel; line: string }[] = [];
  const host = createNodeHost({ stateDir, port: 0, bind: "127.0.0.1", onRestart: () => undefined, logSink: (level, line) => void lines.push({ level, line }) });
  const storage = host.storage;
  const variables = {
    enabled: new PersistentBoolean("enabled", { storage, label: "Enabled" }),
    count: new PersistentInteger("count", { storage, default: 3 }),
    threshold: new PersistentFloat("threshold", { storage, default: 21.5, label: "Threshold" }),
    level: new PersistentRange("level", { storage, min: 0, max: 100, step: 5, default: 50 }),
    colour: new PersistentRgb("colour", { storage, default: "#ff8000" }),
    greeting: new PersistentString("greeting", { storage, default: "hello", maxBytes: 64 }),
    mode: new PersistentString("mode", { storage, default: "auto" }),
    settings: new PersistentJson("settings", { storage, default: { a: 1 } }),
  };
  const iot = new IotManager(
    {
      title: "MQTT Test",
      version: "2.3.4",
      mqtt: {
        restartCommand: options.restartCommand,
        maxPacketBytes: options.maxPacketBytes,
        retryMinMs: 200,
        retryMaxMs: options.retryMaxMs ?? 1000,
        commandsPerSecond: options.commandsPerSecond,
        describe: { temperature: { unit: "°C", deviceClass: "temperature", stateClass: "measurement" } },
      },
    },
    host,
  );
  const mqtt = iot.mqtt;
  mqtt.expose(variables.enabled);
  mqtt.expose(variables.count);
  mqtt.expose(variables.threshold, { unit: "°C" });
  mqtt.expose(variables.level, { unit: "%" });
  mqtt.expose(variables.colour);
  mqtt.expose(variables.greeting);
  mqtt.expose(variables.mode, { options: ["auto", "on", "off"] });
  mqtt.expose(variables.settings);
  iot.data.set("temperature", 21.5);
  iot.data.set("Key 0", "0");
  iot.data.set("a/b", "slash");
  iot.data.set("a+b", "plus");
  iot.data.set("a_b", "underscore");
  iot.data.set("#", "hash");
  const config: Record<string, string | boolean> = {
    mqtt_url: options.broker.url,
    mqtt_user: options.user ?? DEVICE_USER,
    mqtt_password: options.password ?? DEVICE_PASSWORD,
  };
  if (options.topic !== undefined) config.mqtt_topic = options.topic;
  iot.config.update(config);
  void iot.run();
  await iot.listening;
  const base = String(iot.config.get("mqtt_topic") || iot.config.get("hostname"));
  return {
    iot,
    mqtt,
    host,
    lines,
    variables,
    base,
    async waitFor(test, what, timeoutMs = 10_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!test()) {
        if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms; log:\n${lines.map((l) => l.line).join("\n")}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    stop(): void {
      iot.stop();
      host.shutdown();
      if (!options.stateDir) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
