/*
 * The access point's name and password.
 *
 * The name is recognisable and unique per device: the app's title (or hostname), reduced to
 * letters, digits and dashes, then the last two bytes of the MAC, e.g. "Greenhouse-3F2A". It
 * always fits the 32 bytes an SSID may hold.
 *
 * There is no universal default password: the access point is open unless the maker set one at
 * build time, and a maker's password must be one WPA2 accepts (8..63 printable ASCII
 * characters); anything else is refused at start, loudly, rather than silently opened.
 */

const SSID_MAX_BYTES = 32;
/** Room for "-" and four hex digits. */
const BASE_MAX = SSID_MAX_BYTES - 5;

export function macTail(mac: string): string {
  const hex = mac.replace(/[^0-9a-fA-F]/g, "").toUpperCase();
  return hex.length >= 4 ? hex.slice(-4) : hex.padStart(4, "0");
}

export function accessPointName(base: string, mac: string): string {
  let name = base
    .replace(/[^A-Za-z0-9-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^-|-$/g, "");
  if (!name) name = "Device";
  const tail = macTail(mac);
  // A hostname such as "iot-123f2a" already ends with the MAC's tail: it is unique as it is.
  if (name.length > tail.length && name.length <= SSID_MAX_BYTES && name.toUpperCase().endsWith(tail)) return name;
  return `${name.slice(0, BASE_MAX).replace(/-$/, "")}-${tail}`;
}

export class AccessPointPasswordError extends Error {}
// On the prototype, as built-in errors have it: `this.name = ...` throws where preloading froze Error.prototype.
Object.defineProperty(AccessPointPasswordError.prototype, "name", { value: "AccessPointPasswordError", writable: true, configurable: true });

/** Returns the password to use ("" for an open access point) or throws if WPA2 would refuse it. */
export function checkAccessPointPassword(password: string | undefined): string {
  if (password === undefined || password === "") return "";
  if (password.length < 8 || password.length > 63 || !/^[\x20-\x7e]+$/.test(password))
    throw new AccessPointPasswordError("the access point password must be 8 to 63 printable ASCII characters");
  return password;
}
