/*
 * The captive portal's HTTP side: while the access point is open, phones and laptops that join
 * it must be sent to the device's page instead of being told "this network has internet".
 *
 * - Connectivity probes (Android, Apple, Windows, Firefox, ...) always get a 302 to the portal
 *   page, never the 204 or "Success" body they hope for: that is what makes the OS pop the
 *   portal up.
 * - While the access point is open, any request whose Host is not the device (a name the
 *   portal DNS resolved to us) gets the same 302. The device is its AP address, its station
 *   address, its hostname (with or without ".local"), and loopback (the simulator).
 * - A request from the station's own network (same /24 as the station address) is left alone:
 *   it came over the router, maybe through a name the router's DNS gave the device, and a
 *   redirect to the AP address would send it somewhere it cannot reach.
 * The manager calls portalRedirect() (through the WiFi feature's intercept()) before routing;
 * the probes that get past it (the portal closed, a request from the station's network) are
 * answered there too, by probeAnswer().
 */

import type { HttpRequest, HttpResponse } from "../http/http-message";
import { hostName } from "../http/host-header";
import { methodNotAllowed, redirect } from "../http/response";

/** Paths the operating systems fetch to decide whether a network is captive. */
export const PROBE_PATHS: readonly string[] = Object.freeze([
  "/generate_204", // Android, Chrome
  "/gen_204", // Android
  "/hotspot-detect.html", // Apple
  "/library/test/success.html", // Apple (older)
  "/connecttest.txt", // Windows 10+
  "/ncsi.txt", // Windows 7/8
  "/redirect", // Windows (the page it opens when captive)
  "/success.txt", // Firefox
  "/canonical.html", // Firefox, Ubuntu
  "/mobile/status.php", // older Android
  "/kindle-wifi/wifistub.html", // Kindle
]);

export interface PortalView {
  /** The access point is open (the portal is active). */
  readonly apOpen: boolean;
  /** The access point's address, e.g. "192.168.4.1". */
  readonly apAddress: string;
  /** The station's address, "" when it has none. */
  readonly stationIp: string;
  /** The device's hostname (config hostname), "" when none. */
  readonly hostname: string;
}

function stripMapped(address: string): string {
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}

function sameSubnet24(a: string, b: string): boolean {
  const pa = a.split(".");
  const pb = b.split(".");
  return pa.length === 4 && pb.length === 4 && pa[0] === pb[0] && pa[1] === pb[1] && pa[2] === pb[2];
}

export function isDeviceHost(name: string, view: PortalView): boolean {
  if (name === "") return true; // HTTP/1.0 without Host: it reached us by address
  if (name === view.apAddress || name === "localhost" || name === "::1" || name.startsWith("127.")) return true;
  if (view.stationIp && name === view.stationIp) return true;
  const hostname = view.hostname.toLowerCase();
  return hostname !== "" && (name === hostname || name === `${hostname}.local`);
}

export function portalUrl(view: PortalView): string {
  return `http://${view.apAddress}/`;
}

export function isProbePath(path: string): boolean {
  return PROBE_PATHS.includes(path);
}

const PROBE_METHODS: readonly string[] = Object.freeze(["GET", "HEAD"]);

/**
 * The answer to a probe path (isProbePath) that reached the device by one of its own names, as
 * a GET-only route would give it: GET and HEAD a 302 (to the portal while the access point is
 * open, else to the page: never what the OS hopes for), OPTIONS the methods, anything else 405.
 * Answered from intercept(), so the eleven paths hold no routes.
 */
export function probeAnswer(method: string, view: PortalView | undefined): HttpResponse {
  if (method === "GET" || method === "HEAD") return redirect(view?.apOpen ? portalUrl(view) : "/", 302);
  if (method === "OPTIONS") return { status: 204, headers: { allow: "GET, HEAD" }, body: "" };
  return methodNotAllowed(PROBE_METHODS);
}

/** The portal's redirect for this request, or undefined to let the router answer it. */
export function portalRedirect(request: HttpRequest, view: PortalView): HttpResponse | undefined {
  if (!view.apOpen) return undefined;
  if (view.stationIp && request.remote && sameSubnet24(stripMapped(request.remote), view.stationIp)) return undefined;
  if (isProbePath(request.path) || !isDeviceHost(hostName(request.headers.host), view)) return redirect(portalUrl(view), 302);
  return undefined;
}
