/*
 * Who this device says it is when it plays a Hue bridge: the names an Echo reads in the SSDP
 * answer, in /description.xml and in the bridge's config, all derived from the board's MAC so
 * they are the same after every reboot and update and differ between boards.
 *
 * - bridgeid: the MAC with FFFE in its middle, upper case ("240AC4FFFE123456"), as a bridge
 *   makes it from its own MAC.
 * - UDN: uuid:2f402f80-da50-11e1-9b23-<mac>, the form every Hue bridge uses.
 * - serialNumber: the MAC's 12 digits, lower case.
 * - description.xml: UPnP Basic:1, "Philips hue bridge 2012", model 929000226503, as the
 *   original bridge answers (and as Alexa's local discovery expects).
 * Text that goes into XML (the friendly name holds the app's title) is escaped.
 */

import { escapeHtml } from "../text/escape-html";

export interface BridgeIdentity {
  /** 12 lower-case hex digits. */
  readonly macDigits: string;
  /** "aa:bb:cc:dd:ee:ff". */
  readonly mac: string;
  readonly bridgeId: string;
  readonly uuid: string;
  readonly serial: string;
}

/** The 12 hex digits of a MAC in any usual notation, lower case, or undefined when it is none. */
export function macDigits(mac: string | undefined): string | undefined {
  let digits = "";
  for (const ch of (mac ?? "").toLowerCase()) {
    if ((ch >= "0" && ch <= "9") || (ch >= "a" && ch <= "f")) digits += ch;
    else if (ch !== ":" && ch !== "-" && ch !== ".") return undefined;
  }
  return digits.length === 12 && digits !== "000000000000" ? digits : undefined;
}

export function bridgeIdentity(digits: string): BridgeIdentity {
  const pairs: string[] = [];
  for (let i = 0; i < 12; i += 2) pairs.push(digits.slice(i, i + 2));
  return Object.freeze({
    macDigits: digits,
    mac: pairs.join(":"),
    bridgeId: bridgeIdOf(digits),
    uuid: bridgeUuid(digits),
    serial: digits,
  });
}

/** The bridge's id (its MAC with fffe in the middle, upper case): what SSDP's hue-bridgeid says. */
export function bridgeIdOf(digits: string): string {
  return `${digits.slice(0, 6)}fffe${digits.slice(6)}`.toUpperCase();
}

/** The bridge's UPnP UUID, made from its MAC as a Hue bridge's is. */
export function bridgeUuid(digits: string): string {
  return `2f402f80-da50-11e1-9b23-${digits}`;
}

export const DESCRIPTION_PATH = "/description.xml";

/** GET /description.xml: the bridge's UPnP device description. */
export function descriptionXml(identity: BridgeIdentity, ip: string, port: number, name: string): string {
  const base = `http://${ip}:${port}/`;
  return (
    `<?xml version="1.0" encoding="UTF-8" ?>\r\n` +
    `<root xmlns="urn:schemas-upnp-org:device-1-0">\r\n` +
    `<specVersion><major>1</major><minor>0</minor></specVersion>\r\n` +
    `<URLBase>${escapeHtml(base)}</URLBase>\r\n` +
    `<device>\r\n` +
    `<deviceType>urn:schemas-upnp-org:device:Basic:1</deviceType>\r\n` +
    `<friendlyName>${escapeHtml(`${name} (${ip})`)}</friendlyName>\r\n` +
    `<manufacturer>Royal Philips Electronics</manufacturer>\r\n` +
    `<manufacturerURL>http://www.philips.com</manufacturerURL>\r\n` +
    `<modelDescription>Philips hue Personal Wireless Lighting</modelDescription>\r\n` +
    `<modelName>Philips hue bridge 2012</modelName>\r\n` +
    `<modelNumber>929000226503</modelNumber>\r\n` +
    `<modelURL>http://www.meethue.com</modelURL>\r\n` +
    `<serialNumber>${identity.serial}</serialNumber>\r\n` +
    `<UDN>uuid:${identity.uuid}</UDN>\r\n` +
    `<presentationURL>index.html</presentationURL>\r\n` +
    `</device>\r\n` +
    `</root>\r\n`
  );
}
