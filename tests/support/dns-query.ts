/*
 * DNS queries as a resolver sends them, and the A record read back from an answer: for the
 * tests of the captive portal's DNS on any engine.
 */

export function dnsQuery(name: string, type = 1, options: { id?: number; edns?: boolean; flags?: number; qdcount?: number } = {}): Uint8Array {
  const bytes: number[] = [];
  const id = options.id ?? 0xbeef;
  const flags = options.flags ?? 0x0100; // RD
  bytes.push(id >> 8, id & 0xff, flags >> 8, flags & 0xff, 0, options.qdcount ?? 1, 0, 0, 0, 0, 0, options.edns ? 1 : 0);
  for (const label of name.split(".")) {
    if (!label) continue;
    bytes.push(label.length);
    for (let i = 0; i < label.length; i++) bytes.push(label.charCodeAt(i));
  }
  bytes.push(0, type >> 8, type & 0xff, 0, 1);
  // EDNS0 OPT: root name, type 41, UDP size 1232, no flags, no data.
  if (options.edns) bytes.push(0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0);
  return new Uint8Array(bytes);
}

/** The dotted address of the last 4 bytes of a reply whose only answer is one A record. */
export function answeredAddress(reply: Uint8Array): string | undefined {
  const answers = (reply[6] << 8) | reply[7];
  if (answers !== 1 || reply.length < 16) return undefined;
  return Array.from(reply.subarray(reply.length - 4)).join(".");
}
