/*
 * The mqtt_url setting: mqtt://host[:port] (port 1883 when left out). mqtts:// is recognised and
 * refused in plain words until the device has TLS; user names and passwords belong in their
 * own settings (mqtt_user, mqtt_password), never in the URL, where the page would show them.
 */

export interface BrokerAddress {
  readonly host: string;
  readonly port: number;
}

/** The broker named by url, or the reason it is refused. "" is no broker (the feature is off). */
export function parseBrokerUrl(url: string): BrokerAddress | { readonly error: string } | undefined {
  const text = url.trim();
  if (text === "") return undefined;
  // Made here: a preloaded regex corrupts XS 8.2.3's heap when it runs (tests/node/preload-lint.ts).
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)\/?$/.exec(text);
  if (!m) return { error: "expected mqtt://host or mqtt://host:port" };
  const scheme = m[1].toLowerCase();
  if (scheme === "mqtts" || scheme === "ssl" || scheme === "tls")
    return { error: "mqtts:// needs TLS, which this build does not have yet: use mqtt:// on a network you trust" };
  if (scheme !== "mqtt" && scheme !== "tcp") return { error: `the scheme ${scheme}:// is not MQTT: use mqtt://host:port` };
  const authority = m[2];
  if (authority.includes("@")) return { error: "put the user name and password in their own settings, not in the URL" };
  const hp = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::([0-9]{1,5}))?$/.exec(authority);
  if (!hp) return { error: "the host must be a name or an address, with an optional :port" };
  const port = hp[2] === undefined ? 1883 : Number(hp[2]);
  if (port < 1 || port > 65535) return { error: "the port must be 1 to 65535" };
  const host = hp[1].startsWith("[") ? hp[1].slice(1, -1) : hp[1];
  return { host, port };
}

/** The setting's check: undefined when url is empty or a broker, else the reason. */
export function checkBrokerUrl(url: unknown): string | undefined {
  const parsed = parseBrokerUrl(String(url));
  return parsed && "error" in parsed ? parsed.error : undefined;
}
