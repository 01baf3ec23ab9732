/*
 * The Hue bridge API (v1) as far as an Echo uses it: the JSON of lights and of the bridge's
 * config, Hue's error objects, and the checks of a PUT /lights/<id>/state body.
 *
 * - Answers are HTTP 200 with Hue's JSON, errors included, as a bridge sends them:
 *   [{"error": {"type": 1, "address": "/lights", "description": "unauthorized user"}}].
 *   Types used: 1 unauthorized user, 2 invalid JSON, 3 resource not available, 5 missing
 *   parameters, 6 parameter not available, 7 invalid value, 101 link button not pressed,
 *   901 internal error.
 * - A state change answers one entry per attribute, in the order sent:
 *   [{"success": {"/lights/<id>/state/on": true}}, {"success": {"/lights/<id>/state/bri": 254}}].
 *   Numbers out of range are clamped (bri 1..254, hue 0..65535, sat 0..254, ct 153..500, xy
 *   0..1, bri_inc -254..254) and the success carries the value applied; a value of the wrong
 *   type is error 7, an attribute the light does not have is error 6. The good attributes of
 *   a body still apply when others are refused, as on a bridge. With colour attributes
 *   together, xy wins over ct, ct over hue/sat (Hue's order).
 * - Text the client sent (a value, a parameter's name) comes back in an error's description
 *   cut to 64 characters: JSON-escaped, served as application/json with nosniff.
 */

import type { HueState, StateChange, AlexaDevice } from "./alexa-device";
import { clamp, HUE_LIMITS } from "./hue-colour";
import type { BridgeIdentity } from "./hue-bridge";

export interface HueError {
  error: { type: number; address: string; description: string };
}

export function hueError(type: number, address: string, description: string): HueError {
  return { error: { type, address, description } };
}

/** Client text shown back in an error: at most 64 characters. */
export function shown(value: unknown): string {
  let text: string;
  try {
    text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  let out = "";
  let n = 0;
  for (const ch of text) {
    if (++n > 64) return `${out}…`;
    out += ch;
  }
  return out;
}

export function invalidValue(address: string, name: string, value: unknown): HueError {
  return hueError(7, address, `invalid value, ${shown(value)}, for parameter, ${shown(name)}`);
}

export function notAvailable(address: string, name: string): HueError {
  return hueError(6, address, `parameter, ${shown(name)}, not available`);
}

export const HUE_MODELS = Object.freeze({
  "On/Off plug-in unit": Object.freeze({ modelid: "LOM001", productname: "Hue Smart plug", archetype: "plug" }),
  "Dimmable light": Object.freeze({ modelid: "LWB010", productname: "Hue white lamp", archetype: "classicbulb" }),
  "Extended color light": Object.freeze({ modelid: "LCT015", productname: "Hue color lamp", archetype: "sultanbulb" }),
});

/** The light as GET /lights/<id> has it. */
export function lightJson(device: AlexaDevice, state: HueState): Record<string, unknown> {
  const model = HUE_MODELS[device.type];
  const hueState: Record<string, unknown> = { on: state.on };
  if (state.bri !== undefined) hueState.bri = state.bri;
  if (state.hue !== undefined) {
    hueState.hue = state.hue;
    hueState.sat = state.sat;
    hueState.effect = "none";
    hueState.xy = state.xy;
    hueState.ct = state.ct;
  }
  hueState.alert = "none";
  if (state.colormode !== undefined) hueState.colormode = state.colormode;
  hueState.mode = "homeautomation";
  hueState.reachable = state.reachable;
  return {
    state: hueState,
    swupdate: { state: "noupdates", lastinstall: null },
    type: device.type,
    name: device.name,
    modelid: model.modelid,
    manufacturername: "Philips",
    productname: model.productname,
    uniqueid: device.identity?.uniqueid ?? "",
    swversion: "1.46.13_r26312",
    config: { archetype: model.archetype, function: "mixed", direction: "omnidirectional" },
  };
}

export interface ConfigModel {
  readonly name: string;
  readonly identity: BridgeIdentity;
  readonly ip: string;
  readonly linkButton: boolean;
  /** The paired users, for the whitelist; absent for the short, public config. */
  readonly whitelist?: readonly { username: string; devicetype: string; paired: number }[];
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

/** GET /api/<username>/config: the bridge's config as a bridge answers a paired client. */
export function configJson(model: ConfigModel): Record<string, unknown> {
  const now = Date.now();
  const whitelist: Record<string, unknown> = {};
  for (const user of model.whitelist ?? []) {
    const at = user.paired > 0 ? isoSeconds(user.paired) : "2020-01-01T00:00:00";
    whitelist[user.username] = { "last use date": at, "create date": at, name: user.devicetype };
  }
  return {
    name: model.name,
    zigbeechannel: 15,
    bridgeid: model.identity.bridgeId,
    mac: model.identity.mac,
    dhcp: true,
    ipaddress: model.ip,
    netmask: "255.255.255.0",
    gateway: "0.0.0.0",
    proxyaddress: "none",
    proxyport: 0,
    UTC: isoSeconds(now),
    localtime: isoSeconds(now),
    timezone: "UTC",
    modelid: "BSB002",
    datastoreversion: "70",
    swversion: "1941132080",
    apiversion: "1.24.0",
    linkbutton: model.linkButton,
    portalservices: false,
    portalconnection: "disconnected",
    factorynew: false,
    replacesbridgeid: null,
    starterkitid: "",
    whitelist,
  };
}

const COLOUR_ATTRIBUTES: readonly string[] = Object.freeze(["hue", "sat", "xy", "ct"]);
/** Accepted and answered, with no effect on an emulated light. */
const IGNORED: readonly string[] = Object.freeze(["transitiontime", "alert", "effect"]);
/** More attributes than Hue has are no state change: refused whole, not answered one by one. */
export const MAX_ATTRIBUTES = 16;

function integerIn(value: unknown, min: number, max: number): number | undefined {
  if (typeof value !== "number" || !Number.isFinite(value)) return undefined;
  return clamp(Math.round(value), min, max);
}

/**
 * Checks a PUT /lights/<id>/state body: the change to apply, and the answer (one entry per
 * attribute, in order). The change holds only what was accepted.
 */
export function readStateChange(device: AlexaDevice, id: string, body: Record<string, unknown>): { change: StateChange; answer: (HueError | { success: Record<string, unknown> })[] } {
  const base = `/lights/${id}/state`;
  const change: StateChange = {};
  const answer: (HueError | { success: Record<string, unknown> })[] = [];
  const keys = Object.keys(body);
  if (keys.length === 0 || keys.length > MAX_ATTRIBUTES) return { change, answer: [hueError(5, base, "invalid/missing parameters in body")] };
  const colour: { hue?: number; sat?: number; xy?: [number, number]; ct?: number } = {};
  for (const name of keys) {
    const value = body[name];
    const address = `${base}/${name}`;
    const ok = (applied: unknown): void => void answer.push({ success: { [address]: applied } });
    if (name === "on") {
      if (typeof value !== "boolean") answer.push(invalidValue(address, name, value));
      else ok((change.on = value));
    } else if (name === "bri" || name === "bri_inc") {
      if (!device.dimmable) {
        answer.push(notAvailable(address, name));
        continue;
      }
      const n = name === "bri" ? integerIn(value, HUE_LIMITS.briMin, HUE_LIMITS.briMax) : integerIn(value, -254, 254);
      if (n === undefined) answer.push(invalidValue(address, name, value));
      else if (name === "bri") ok((change.bri = n));
      else ok((change.briInc = n));
    } else if (COLOUR_ATTRIBUTES.includes(name)) {
      if (!device.coloured) {
        answer.push(notAvailable(address, name));
        continue;
      }
      if (name === "xy") {
        const pair =
          Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === "number" && Number.isFinite(v))
            ? ([clamp(value[0] as number, 0, 1), clamp(value[1] as number, 0, 1)] as [number, number])
            : undefined;
        if (!pair) answer.push(invalidValue(address, name, value));
        else ok((colour.xy = pair));
      } else {
        const limits = name === "hue" ? [0, HUE_LIMITS.hueMax] : name === "sat" ? [0, HUE_LIMITS.satMax] : [HUE_LIMITS.ctMin, HUE_LIMITS.ctMax];
        const n = integerIn(value, limits[0], limits[1]);
        if (n === undefined) answer.push(invalidValue(address, name, value));
        else ok((colour[name as "hue" | "sat" | "ct"] = n));
      }
    } else if (IGNORED.includes(name)) {
      if (name === "transitiontime") {
        const n = integerIn(value, 0, 65535);
        if (n === undefined) answer.push(invalidValue(address, name, value));
        else ok(n);
      } else if (typeof value !== "string") answer.push(invalidValue(address, name, value));
      else ok(name === "effect" ? "none" : value === "select" || value === "lselect" ? value : "none");
    } else {
      answer.push(notAvailable(address, name));
    }
  }
  if (colour.xy) change.colour = { mode: "xy", xy: colour.xy };
  else if (colour.ct !== undefined) change.colour = { mode: "ct", ct: colour.ct };
  else if (colour.hue !== undefined || colour.sat !== undefined) change.colour = { mode: "hs", hue: colour.hue, sat: colour.sat };
  return { change, answer };
}
