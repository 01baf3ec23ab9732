/*
 * The OTA image URL: http://<host or IPv4>[:<port>]/<path>, and the redirects the download
 * follows. Errors are UrlError with a sentence a person can act on.
 *
 * - The ota_url setting and POST /api/ota {"url"} take plain http:// only: an https URL is
 *   refused with a message that says so. The device trusts only the root certificates its
 *   manifest lists (GitHub's), so an https server of the user's own would fail its handshake
 *   anyway; a local server is reached over http.
 * - {https: true} is what the GitHub source asks for (modules/ota/github/): https URLs, and
 *   redirects that stay on https. A redirect from https to plain http is refused: the image
 *   would travel unprotected after a check that was protected.
 */

import type { HttpGetOptions } from "../http/http-client";

export class UrlError extends Error {}
// On the prototype, as built-in errors have it: `this.name = ...` throws where preloading froze Error.prototype.
Object.defineProperty(UrlError.prototype, "name", { value: "UrlError", writable: true, configurable: true });

/** Made where it is used: a preloaded regex corrupts XS 8.2.3's heap when it runs (tests/node/preload-lint.ts). */
const HOST = (): RegExp => /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*$/;
const IPV4 = (): RegExp => /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const NOT_IN_URL = (): RegExp => /[\u0000-\u0020"<>\\^`{|}\u007f-\uffff]/;

export interface UrlRules {
  /** https URLs (and only https) are taken: the GitHub source's downloads. */
  readonly https?: boolean;
}

export function parseHttpUrl(text: string, rules: UrlRules = {}): HttpGetOptions {
  const url = text.trim();
  if (url === "") throw new UrlError("no image URL: set ota_url in the settings or send {\"url\": \"http://...\"}");
  if (!rules.https && /^https:/i.test(url)) throw new UrlError("https is not supported: the device downloads updates over plain http:// (GitHub releases come over https through the GitHub source)");
  if (rules.https && /^http:/i.test(url)) throw new UrlError(`refused to leave https for plain http (${url.slice(0, 80)})`);
  const m = (rules.https ? /^https:\/\/([^/?#]*)([^#]*)/i : /^http:\/\/([^/?#]*)([^#]*)/i).exec(url);
  if (!m) throw new UrlError(`"${url.slice(0, 80)}" is not an ${rules.https ? "https" : "http"}:// URL`);
  if (NOT_IN_URL().test(url)) throw new UrlError("the URL contains spaces or characters that must be percent-encoded");
  const authority = m[1];
  if (authority.includes("@")) throw new UrlError("the URL must not contain a user name or password");
  if (authority.startsWith("[")) throw new UrlError("IPv6 addresses are not supported: use a host name or an IPv4 address");
  const colon = authority.lastIndexOf(":");
  const host = colon < 0 ? authority : authority.slice(0, colon);
  let port = rules.https ? 443 : 80;
  if (colon >= 0) {
    const portText = authority.slice(colon + 1);
    port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
    if (!(port >= 1 && port <= 65535)) throw new UrlError(`"${portText}" is not a port number (1-65535)`);
  }
  if (host === "") throw new UrlError("the URL has no host");
  const ip = IPV4().exec(host);
  if (ip ? ip.slice(1).some((part) => Number(part) > 255) : !HOST().test(host) || /^[\d.]+$/.test(host))
    throw new UrlError(`"${host}" is not a valid host name or IPv4 address`);
  let path = m[2];
  if (path === "" || path.startsWith("?")) path = "/" + path;
  return rules.https ? { host: host.toLowerCase(), port, path, secure: true } : { host: host.toLowerCase(), port, path };
}

/**
 * An update image's address: it must name a .bin file, with no query. The device is then no
 * probe of its network: a URL someone saves cannot make it call an internal page
 * (/admin/delete-all?user=root), and a redirect cannot take it there either.
 */
export function checkImageTarget(target: HttpGetOptions, redirected: boolean): HttpGetOptions {
  const path = target.path;
  const query = path.indexOf("?");
  if (query >= 0)
    throw new UrlError(redirected ? "the server redirected to an address with a query: only an image (a .bin file) is followed" : "the image URL must not have a query (?...): name the .bin file");
  if (!path.toLowerCase().endsWith(".bin"))
    throw new UrlError(redirected ? "the server redirected to something that is not an image (a .bin file)" : "the image URL must name a .bin file: http://host[:port]/path/firmware.bin");
  return target;
}

/** The URL again, its path cut to 120 characters (signed URLs run to kilobytes: a log line need not). */
export function formatUrl(target: HttpGetOptions): string {
  const scheme = target.secure ? "https" : "http";
  const path = target.path.length > 120 ? `${target.path.slice(0, 120)}...` : target.path;
  return `${scheme}://${target.host}${target.port === (target.secure ? 443 : 80) ? "" : ":" + target.port}${path}`;
}

/** Where a redirect's Location points, seen from the URL that answered it. */
export function resolveLocation(base: HttpGetOptions, location: string, rules: UrlRules = {}): HttpGetOptions {
  const value = location.trim();
  if (/^[a-z][a-z0-9+.-]*:/i.test(value)) {
    if (!rules.https && /^https:/i.test(value)) throw new UrlError(`the server redirected to ${value.slice(0, 80)}, but the device cannot use https for ota_url downloads`);
    if (rules.https && /^http:/i.test(value)) throw new UrlError(`the server redirected to plain http (${value.slice(0, 80)}): refused, an https download stays on https`);
    return parseHttpUrl(value, rules);
  }
  if (value.startsWith("//")) return parseHttpUrl((rules.https ? "https:" : "http:") + value, rules);
  const cut = value.indexOf("#");
  const ref = cut < 0 ? value : value.slice(0, cut);
  if (NOT_IN_URL().test(ref)) throw new UrlError("the server redirected to a malformed location");
  const at = (path: string): HttpGetOptions => (base.secure ? { host: base.host, port: base.port, path, secure: true } : { host: base.host, port: base.port, path });
  if (ref.startsWith("/")) return at(ref);
  // Relative to the directory of the current path (queries do not take part).
  const basePath = base.path.split("?")[0];
  const dir = basePath.slice(0, basePath.lastIndexOf("/") + 1);
  if (ref === "") return at(base.path);
  return at(ref.startsWith("?") ? basePath + ref : dir + ref);
}
