/*
 * Which names a request may call the device by, when it asks for a change or for the API. A
 * page on another site can point a name of its own at the device's address (DNS rebinding) and
 * then send requests whose Host and Origin both name that domain: a same-origin check alone
 * would let it change the device. So the Host must be one of the device's own names:
 * - an IP address of the device (its station or access point address), or loopback;
 * - localhost;
 * - the hostname, or hostname.local (mDNS);
 * - a name listed in the allowed_hosts setting (a router's name for it: iot-3f2a.fritz.box).
 * Any other name, a name that merely starts with the hostname included, is refused. When the
 * request has an Origin, it must be the same origin as the Host (http://<Host>).
 */

/** The Host header's name: lower-cased, without port or IPv6 brackets. */
export function hostName(header: string | undefined): string {
  const host = (header ?? "").trim().toLowerCase();
  if (host.startsWith("[")) {
    const end = host.indexOf("]");
    return end < 0 ? host : host.slice(1, end);
  }
  const colon = host.indexOf(":");
  return colon < 0 ? host : host.slice(0, colon);
}

const IPV4 = /^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$/;

export function isIpLiteral(name: string): boolean {
  return IPV4.test(name) || name.includes(":");
}

function isLoopback(name: string): boolean {
  return name === "::1" || (IPV4.test(name) && name.startsWith("127."));
}

export interface DeviceNames {
  /** The hostname setting. */
  readonly hostname: string;
  /** The allowed_hosts setting: names separated by commas. */
  readonly allowed: string;
  /** The device's own addresses now (station, access point). */
  readonly addresses: readonly string[];
}

/** True when the Host header calls the device by one of its own names. */
export function namesDevice(header: string | undefined, names: DeviceNames): boolean {
  const name = hostName(header);
  if (name === "") return false;
  if (name === "localhost" || isLoopback(name)) return true;
  if (isIpLiteral(name)) return names.addresses.includes(name) || listed(name, names.allowed);
  const own = names.hostname.toLowerCase();
  if (own !== "" && (name === own || name === `${own}.local`)) return true;
  return listed(name, names.allowed);
}

function listed(name: string, allowed: string): boolean {
  if (allowed === "") return false;
  for (const entry of allowed.split(",")) if (entry.trim().toLowerCase() === name) return true;
  return false;
}

/** True when the request's Origin (if any) is the origin of the Host it was sent to. */
export function originMatchesHost(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  if (origin === "null" || host === undefined) return false;
  return origin.toLowerCase() === `http://${host.trim().toLowerCase()}`;
}
