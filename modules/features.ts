/*
 * The feature list: every feature the framework offers, by name, in the order the page shows
 * them. Adding a feature is its folder, one line here and its modules in manifest.json; the
 * manager (manager.ts) makes each one the app does not switch off ({metrics: false}) and leaves
 * out, with the reason logged, each one whose host lacks what it needs. A feature with calls
 * for the app (feature.api) names their type in FeatureApis: the app reaches them as
 * iot.<name> (or iot.feature("<name>")).
 */

import { AlexaFeature, type AlexaApi, type AlexaOptions } from "./alexa/alexa-feature";
import type { FeatureEntry } from "./feature";
import { LiveFeature, type LiveOptions } from "./live/live-feature";
import { MdnsFeature, type MdnsFeatureOptions } from "./mdns/mdns-feature";
import { MetricsFeature, type MetricsOptions } from "./metrics/metrics-feature";
import { MqttFeature, type MqttApi, type MqttFeatureOptions } from "./mqtt/mqtt-feature";
import { OtaFeature, type OtaFeatureOptions } from "./ota/ota-feature";
import { TimeFeature, type TimeFeatureOptions } from "./time/time-feature";
import { WifiFeature, type WifiFeatureOptions } from "./wifi/wifi-feature";

/** What the app may pass for each feature (or false to leave it out). */
export interface FeatureOptions {
  wifi: Omit<WifiFeatureOptions, "title">;
  ota: Pick<OtaFeatureOptions, "probationMs" | "stallTimeoutMs" | "rebootDelayMs">;
  metrics: MetricsOptions;
  mqtt: MqttFeatureOptions;
  alexa: AlexaOptions;
  live: LiveOptions;
  time: TimeFeatureOptions;
  mdns: MdnsFeatureOptions;
}

/**
 * The app-facing calls of the features that offer some, by feature name: iot.alexa is typed
 * AlexaApi through this (manager.ts merges it into IotManager). One line per such feature.
 */
export interface FeatureApis {
  mqtt: MqttApi;
  alexa: AlexaApi;
}

export type FeatureSwitches = { readonly [K in keyof FeatureOptions]?: FeatureOptions[K] | false };

export const FEATURES: readonly FeatureEntry[] = Object.freeze([
  Object.freeze({
    name: "wifi",
    create: (options: unknown, app: { title: string }) => new WifiFeature({ ...(options as FeatureOptions["wifi"] | undefined), title: app.title }),
  }),
  Object.freeze({
    name: "ota",
    create: (options: unknown, app: { otaUrl?: string }) => new OtaFeature({ ...(options as FeatureOptions["ota"] | undefined), otaUrl: app.otaUrl }),
  }),
  Object.freeze({
    name: "metrics",
    create: (options: unknown) => new MetricsFeature(options as MetricsOptions | undefined),
  }),
  Object.freeze({
    name: "mqtt",
    create: (options: unknown) => new MqttFeature(options as MqttFeatureOptions | undefined),
  }),
  Object.freeze({
    name: "alexa",
    create: (options: unknown) => new AlexaFeature(options as AlexaOptions | undefined),
  }),
  Object.freeze({ name: "live", create: (options: unknown) => new LiveFeature(options as LiveOptions | undefined) }),
  Object.freeze({
    name: "time",
    create: (options: unknown) => new TimeFeature(options as TimeFeatureOptions | undefined),
  }),
  Object.freeze({
    name: "mdns",
    create: (options: unknown) => new MdnsFeature(options as MdnsFeatureOptions | undefined),
  }),
]);
