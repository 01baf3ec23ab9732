/*
 * The XS side of the Alexa memory test (tests/xs/alexa-memory.test.ts): Alexa features attached
 * to contexts of their own on one test host (in-memory storage, TCP and UDP, a virtual clock),
 * kept alive between commands so the parent can take a heap snapshot (after XS's own
 * collection) around each step. Measuring inside one live set, not across boots of a manager,
 * keeps out what XS keeps from earlier boots.
 *
 * Commands (JSON through xsnap's issueCommand, answered with JSON):
 *   {op: "feature"}          a new AlexaFeature attached (no device yet) with a router of its own
 *   {op: "variables", count} count pairs of a PersistentBoolean and a PersistentRange (the demo's
 *                            lamp), made and read, so exposing them costs only the feature
 *   {op: "expose", count}    count more devices on the newest feature, from those variables
 *   {op: "pair"}             opens pairing and pairs one client on the newest feature
 *   {op: "lights"}           GET /api/<user>/lights on it: the answer's size
 *   {op: "reset"}            detaches and drops every feature, and makes a new host
 * Engine-neutral: xsnap's globals are reached through globalThis.
 */

import { AlexaFeature } from "../../modules/alexa/alexa-feature";
import type { FeatureContext } from "../../modules/feature";
import type { HttpRequest } from "../../modules/http/http-message";
import { Router } from "../../modules/http/router";
import { PersistentBoolean } from "../../modules/persistent/persistent-boolean";
import { PersistentRange } from "../../modules/persistent/persistent-range";
import { featureContext } from "../support/feature-context";
import { bodyText } from "../support/http-request";
import { MemoryStorage } from "../support/memory-storage";
import { MemoryUdp } from "../support/memory-udp";
import { createTestHost, type TestHost } from "../support/test-host";
import { serveCommands } from "./memory-app-commands";

interface Command {
  op: string;
  count?: number;
}

function newHost(): TestHost & { udp: MemoryUdp } {
  return Object.assign(createTestHost(new MemoryStorage()), { udp: new MemoryUdp() });
}

function newShared(on: TestHost): FeatureContext {
  const context = featureContext(on);
  context.config.declare(new AlexaFeature().settings);
  return context;
}

// One host, config, data store and event list, as the manager has (made afresh by "reset"); each
// feature gets a router of its own (its routes are part of its cost).
let host = newHost();
let shared = newShared(host);
const kept: { feature: AlexaFeature; context: FeatureContext; username: string }[] = [];
/** Variables made (and read once, so their records are open) before they are exposed. */
let variables: { on: PersistentBoolean; level: PersistentRange }[] = [];
let made = 0;

function request(method: string, path: string, body = "", type = "application/x-www-form-urlencoded"): HttpRequest {
  return { method, path, query: "", headers: { host: "192.168.1.50", "content-type": type }, body, remote: "192.168.1.77" };
}

function newest(): (typeof kept)[number] {
  const last = kept[kept.length - 1];
  if (!last) throw new Error("no feature: send {op: 'feature'} first");
  return last;
}

function run(command: Command): unknown {
  switch (command.op) {
    case "feature": {
      const feature = new AlexaFeature();
      const context: FeatureContext = { ...shared, router: new Router() };
      feature.attach(context);
      kept.push({ feature, context, username: "" });
      return { ok: true };
    }
    case "variables":
      for (let i = 0; i < (command.count ?? 1); i++, made++) {
        const on = new PersistentBoolean(`on${made}`, { storage: host.storage });
        const level = new PersistentRange(`level${made}`, { min: 0, max: 100, step: 1, default: 50, storage: host.storage });
        void on.value;
        void level.value;
        variables.push({ on, level });
      }
      return { ok: true };
    case "expose": {
      const { feature } = newest();
      for (let i = 0; i < (command.count ?? 1); i++) {
        const pair = variables.shift();
        if (!pair) throw new Error("no variables left: send {op: 'variables'} first");
        feature.api.expose(`Lamp ${pair.on.name}`, { on: pair.on, brightness: pair.level });
      }
      return { ok: true, devices: feature.api.devices.length };
    }
    case "pair": {
      const last = newest();
      last.context.router.handle(request("POST", "/api/alexa/pair", "{}", "application/json"));
      const answer = JSON.parse(bodyText(last.context.router.handle(request("POST", "/api", '{"devicetype":"Echo"}')))) as { success?: { username: string } }[];
      last.username = answer[0]?.success?.username ?? "";
      if (!last.username) throw new Error(`pairing failed: ${JSON.stringify(answer)}`);
      return { ok: true };
    }
    case "lights": {
      const last = newest();
      return { ok: true, bytes: bodyText(last.context.router.handle(request("GET", `/api/${last.username}/lights`))).length };
    }
    case "reset":
      // Everything dropped, host included: what a stopped feature left in the host's tables
      // (XS may keep a deleted Map entry's value for a while) goes with it.
      for (const { feature } of kept) feature.detach();
      kept.length = 0;
      host = newHost();
      shared = newShared(host);
      variables = [];
      return { ok: true };
    default:
      throw new Error(`unknown command ${command.op}`);
  }
}

serveCommands(run);
