/*
 * The captive portal's DNS answers as bytes: A questions answered with the AP address, other
 * types answered empty at once, EDNS queries answered cleanly, malformed datagrams refused or
 * dropped. Runs on Node and on XS.
 */

import { dnsReply, ipv4Bytes } from "../../modules/wifi/dns-message";
import * as assert from "../support/assert";
import { dnsQuery as query } from "../support/dns-query";

const answerAll = (): string => "192.168.4.1";

function u16(b: Uint8Array, at: number): number {
  return (b[at] << 8) | b[at + 1];
}

describe("DNS message: answers", () => {
  it("answers an A question with one A record for the AP address", () => {
    const q = query("connectivitycheck.gstatic.com");
    let asked = "";
    const r = dnsReply(q, (name) => ((asked = name), "192.168.4.1"), 30);
    assert.ok(r);
    assert.equal(asked, "connectivitycheck.gstatic.com");
    assert.equal(u16(r, 0), 0xbeef, "same id");
    assert.equal(r[2] & 0x80, 0x80, "QR");
    assert.equal(r[2] & 0x04, 0x04, "authoritative");
    assert.equal(r[2] & 0x01, 0x01, "RD copied");
    assert.equal(r[3] & 0x0f, 0, "NOERROR");
    assert.deepEqual([u16(r, 4), u16(r, 6), u16(r, 8), u16(r, 10)], [1, 1, 0, 0]);
    const qlen = q.length - 12;
    assert.deepEqual(Array.from(r.subarray(12, 12 + qlen)), Array.from(q.subarray(12)), "question echoed");
    const a = r.subarray(12 + qlen);
    assert.deepEqual(Array.from(a), [0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, 192, 168, 4, 1]);
  });

  it("lower-cases the name it asks about", () => {
    let asked = "";
    dnsReply(query("CAPTIVE.Apple.COM"), (name) => ((asked = name), "192.168.4.1"));
    assert.equal(asked, "captive.apple.com");
  });

  it("answers an EDNS query without echoing the OPT record", () => {
    const r = dnsReply(query("example.com", 1, { edns: true }), answerAll);
    assert.ok(r);
    assert.deepEqual([u16(r, 4), u16(r, 6), u16(r, 8), u16(r, 10)], [1, 1, 0, 0]);
    assert.equal(r.length, 12 + (13 + 4) + 16);
    assert.deepEqual(Array.from(r.subarray(r.length - 4)), [192, 168, 4, 1]);
  });

  it("answers AAAA and other types at once, with no record", () => {
    for (const type of [28, 65, 16]) {
      const r = dnsReply(query("example.com", type), answerAll);
      assert.ok(r);
      assert.equal(r[3] & 0x0f, 0);
      assert.equal(u16(r, 6), 0, `type ${type}: no answer`);
    }
  });

  it("answers with no record when the answer is not an IPv4 address", () => {
    const r = dnsReply(query("example.com"), () => undefined);
    assert.equal(r && u16(r, 6), 0);
    const bad = dnsReply(query("example.com"), () => "not-an-ip");
    assert.equal(bad && u16(bad, 6), 0);
  });
});

describe("DNS message: refusals", () => {
  it("never answers a response, or less than a header", () => {
    assert.equal(dnsReply(query("example.com", 1, { flags: 0x8180 }), answerAll), undefined);
    assert.equal(dnsReply(new Uint8Array(11), answerAll), undefined);
  });

  it("FORMERR for a truncated question, a compression pointer, or several questions", () => {
    const q = query("example.com");
    for (const bad of [q.subarray(0, q.length - 2), query("example.com", 1, { qdcount: 2 })]) {
      const r = dnsReply(bad, answerAll);
      assert.equal(r && r[3] & 0x0f, 1);
    }
    const pointer = new Uint8Array([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]);
    assert.equal(dnsReply(pointer, answerAll)?.[3], 0x81, "FORMERR");
  });

  it("NOTIMP for another opcode", () => {
    const r = dnsReply(query("example.com", 1, { flags: 0x2800 }), answerAll);
    assert.equal(r && r[3] & 0x0f, 4);
  });

  it("refuses a name longer than 255 bytes", () => {
    const long = Array.from({ length: 5 }, () => "a".repeat(60)).join(".");
    assert.equal(dnsReply(query(long), answerAll)?.[3], 0x81, "FORMERR");
  });
});

describe("DNS message: ipv4Bytes", () => {
  it("reads dotted IPv4 only", () => {
    assert.deepEqual(ipv4Bytes("192.168.4.1"), [192, 168, 4, 1]);
    for (const bad of ["256.1.1.1", "1.2.3", "1.2.3.4.5", "a.b.c.d", "", "::1", "1.2.3.-4"]) assert.equal(ipv4Bytes(bad), undefined, bad);
  });
});
