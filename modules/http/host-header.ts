/*
 * Which names a request may call the device by. A page on another site can re-point its own
 * domain at the device's address (DNS rebinding) and then send requests whose Host and Origin
 * both name that domain, so a same-origin check alone would let it change the device. Requests
 * that change something must therefore address the device by an IP address, as localhost, or
 * by its hostname: "iot-a1b2c3", "iot-a1b2c3.local", or any name whose first label is the
 * hostname ("iot-a1b2c3.fritz.box", as routers' DNS hands out).
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

/** True when the Host header calls the device by an address or by its own hostname. */
export function namesDevice(header: string | undefined, hostname: string): boolean {
  const name = hostName(header);
  if (name === "" || name === "localhost" || IPV4.test(name) || name.includes(":")) return true;
  const own = hostname.toLowerCase();
  return own !== "" && (name === own || name.startsWith(`${own}.`));
}
