/*
 * The mDNS responder (RFC 6762) on MemoryUdp with virtual time, the same code the device and the
 * simulator run: probing and announcing, answers for A, AAAA (NSEC), PTR, SRV, TXT and the
 * service list, legacy unicast, known answers, the interface the asker is on, conflicts, a
 * simultaneous probe, a rename mid-probe, malformed packets, goodbyes. Runs on Node and on XS.
 */

import { DNS_CLASS_TOP_BIT, DNS_TYPE, encodeDnsMessage, parseDnsMessage, type DnsMessage, type DnsRecordOut } from "../../modules/dns/dns-packet";
import { Logger } from "../../modules/log/logger";
import { MDNS_GROUP, MdnsResponder, type MdnsConfig } from "../../modules/mdns/mdns-responder";
import * as assert from "../support/assert";
import { MemoryUdp } from "../support/memory-udp";
import { VirtualClock } from "../support/virtual-clock";

const CONFIG: MdnsConfig = {
  hostname: "iot-123456",
  addresses: ["192.168.1.50"],
  services: [
    { type: "_http._tcp", port: 80, txt: ["version=1.0.0", "framework=0.1.0", "mac=24:0a:c4:12:34:56", "path=/"] },
    { type: "_prometheus-http._tcp", port: 80, txt: ["path=/metrics"] },
  ],
};

interface Rig {
  clock: VirtualClock;
  udp: MemoryUdp;
  lines: string[];
  responder: MdnsResponder;
}

function rig(): Rig {
  const clock = new VirtualClock();
  const udp = new MemoryUdp();
  const lines: string[] = [];
  const responder = new MdnsResponder({ udp, clock, log: new Logger({ write: (_l, line) => void lines.push(line) }, true), random: () => 0.5 });
  return { clock, udp, lines, responder };
}

function sent(r: Rig): { to: string; port: number; message: DnsMessage }[] {
  return r.udp.sentFrom(5353).map((d) => ({ to: d.address, port: d.port, message: parseDnsMessage(d.bytes) }));
}

async function claimed(config: MdnsConfig = CONFIG): Promise<Rig> {
  const r = rig();
  r.responder.start(config);
  await r.clock.advance(3000);
  assert.equal(r.responder.status().state, "claimed");
  return r;
}

function query(questions: { name: string; type: number; unicast?: boolean }[], answers: DnsRecordOut[] = [], id = 0): Uint8Array {
  return encodeDnsMessage({ id, flags: 0, questions, answers });
}

/** Delivers a query from `from` and returns the messages sent in reply (to the group or to the asker). */
function ask(r: Rig, bytes: Uint8Array, from = { address: "192.168.1.20", port: 5353 }): { to: string; port: number; message: DnsMessage }[] {
  const before = r.udp.sentFrom(5353).length;
  r.udp.deliver(5353, bytes, from);
  return sent(r).slice(before);
}

describe("mDNS responder: probing and announcing", () => {
  it("probes three times 250 ms apart (QU, ANY, proposed records), then announces twice", async () => {
    const r = rig();
    r.responder.start(CONFIG);
    assert.equal(r.responder.status().state, "starting");
    await r.clock.advance(124);
    assert.equal(sent(r).length, 0, "a random wait first (here 125 ms)");
    await r.clock.advance(1 + 500);
    const probes = sent(r);
    assert.equal(probes.length, 3);
    for (const p of probes) {
      assert.equal(p.to, MDNS_GROUP);
      assert.equal(p.port, 5353);
      assert.equal(p.message.response, false);
      assert.deepEqual(p.message.questions.map((q) => [q.name, q.type, q.unicast]), [
        ["iot-123456.local", DNS_TYPE.ANY, true],
        ["iot-123456._http._tcp.local", DNS_TYPE.ANY, true],
        ["iot-123456._prometheus-http._tcp.local", DNS_TYPE.ANY, true],
      ]);
      assert.deepEqual(p.message.authorities.map((a) => [a.name, a.type, a.data && typeof a.data === "object" && "port" in a.data ? a.data.port : a.data]), [
        ["iot-123456.local", DNS_TYPE.A, "192.168.1.50"],
        ["iot-123456._http._tcp.local", DNS_TYPE.SRV, 80],
        ["iot-123456._prometheus-http._tcp.local", DNS_TYPE.SRV, 80],
      ]);
    }
    assert.equal(r.responder.status().state, "probing");
    await r.clock.advance(250);
    assert.equal(r.responder.status().state, "claimed");
    await r.clock.advance(1500);
    const announcements = sent(r).slice(3);
    assert.equal(announcements.length, 2, "announced twice");
    const a = announcements[0].message;
    assert.equal(a.response, true);
    const byType = (t: number) => a.answers.filter((x) => x.type === t);
    assert.equal(byType(DNS_TYPE.A)[0].data, "192.168.1.50");
    assert.equal(byType(DNS_TYPE.A)[0].cacheFlush, true);
    assert.deepEqual(byType(DNS_TYPE.SRV).map((x) => (x.data as { target: string }).target), ["iot-123456.local", "iot-123456.local"]);
    assert.deepEqual(byType(DNS_TYPE.TXT)[0].data, CONFIG.services[0].txt);
    assert.deepEqual(byType(DNS_TYPE.PTR).map((x) => `${x.name} -> ${x.data}`), [
      "_http._tcp.local -> iot-123456._http._tcp.local",
      "_services._dns-sd._udp.local -> _http._tcp.local",
      "_prometheus-http._tcp.local -> iot-123456._prometheus-http._tcp.local",
      "_services._dns-sd._udp.local -> _prometheus-http._tcp.local",
    ]);
    assert.equal(r.clock.pending, 0, "nothing scheduled once announced: idle");
    r.responder.stop();
  });

  it("takes hostname-2 when another device answers for the name during the probe, and says so", async () => {
    const r = rig();
    r.responder.start(CONFIG);
    await r.clock.advance(130);
    r.udp.deliver(5353, encodeDnsMessage({ flags: 0x8400, answers: [{ name: "IOT-123456.local", type: DNS_TYPE.A, ttl: 120, cacheFlush: true, address: "192.168.1.77" }] }), { address: "192.168.1.77", port: 5353 });
    assert.equal(r.responder.status().name, "iot-123456-2.local");
    assert.match(r.responder.status().conflict ?? "", /iot-123456\.local is taken on this network.*iot-123456-2\.local/);
    await r.clock.advance(2000);
    assert.equal(r.responder.status().state, "claimed");
    assert.equal(r.responder.status().wanted, "iot-123456");
    const last = sent(r).at(-1)?.message;
    assert.ok(last?.answers.some((a) => a.name === "iot-123456-2.local" && a.type === DNS_TYPE.A));
    assert.equal(r.lines.filter((l) => l.startsWith("WARN") && l.includes("is taken")).length, 1, "warned once");
    r.responder.stop();
  });

  it("a 63-byte hostname that conflicts gives up its end to the suffix; a TXT string DNS cannot carry is logged, never thrown", async () => {
    const long = "a".repeat(63);
    const r = rig();
    r.responder.start({ ...CONFIG, hostname: long, services: [{ type: "_http._tcp", port: 80, txt: ["x=" + "y".repeat(300)] }] });
    await r.clock.advance(130);
    r.udp.deliver(5353, encodeDnsMessage({ flags: 0x8400, answers: [{ name: `${long}.local`, type: DNS_TYPE.A, ttl: 120, address: "192.168.1.77" }] }), { address: "192.168.1.77", port: 5353 });
    assert.equal(r.responder.status().name, `${"a".repeat(61)}-2.local`);
    await r.clock.advance(3000);
    assert.equal(r.responder.status().state, "claimed");
    assert.equal(r.lines.filter((l) => l.includes("could not be made")).length, 1, r.lines.join("\n"));
    r.responder.stop();
  });

  it("a simultaneous probe with later data wins: we probe again a second later; with earlier data we go on", async () => {
    const r = rig();
    r.responder.start(CONFIG);
    await r.clock.advance(130);
    const probe = (address: string) =>
      encodeDnsMessage({ flags: 0, questions: [{ name: "iot-123456.local", type: DNS_TYPE.ANY, unicast: true }], authorities: [{ name: "iot-123456.local", type: DNS_TYPE.A, ttl: 120, address }] });
    r.udp.deliver(5353, probe("192.168.1.10"), { address: "192.168.1.10", port: 5353 });
    await r.clock.advance(800);
    assert.equal(r.responder.status().state, "claimed", "an earlier address loses to ours: we went on and claimed the name");
    assert.equal(r.responder.status().name, "iot-123456.local");
    const r2 = rig();
    r2.responder.start(CONFIG);
    await r2.clock.advance(130);
    r2.udp.deliver(5353, probe("192.168.1.99"), { address: "192.168.1.99", port: 5353 });
    await r2.clock.advance(600);
    assert.equal(r2.responder.status().state, "probing", "lost the tie-break: waiting a second");
    assert.equal(r2.responder.status().name, "iot-123456.local", "the same name, probed again");
    await r2.clock.advance(2000);
    assert.equal(r2.responder.status().state, "claimed");
    // Our own probe, heard back over multicast loopback, is no tie.
    const r3 = rig();
    r3.responder.start(CONFIG);
    await r3.clock.advance(130);
    const own = r3.udp.sentFrom(5353)[0].bytes;
    r3.udp.deliver(5353, own, { address: "192.168.1.50", port: 5353 });
    await r3.clock.advance(800);
    assert.equal(r3.responder.status().state, "claimed");
    for (const x of [r, r2, r3]) x.responder.stop();
  });

  it("a hostname that changes while the probe runs: the new one is probed at once, logged once", async () => {
    const r = rig();
    r.responder.start(CONFIG);
    await r.clock.advance(300);
    r.responder.update({ ...CONFIG, hostname: "greenhouse" });
    await r.clock.advance(2000);
    assert.equal(r.responder.status().name, "greenhouse.local");
    assert.equal(r.responder.status().state, "claimed");
    assert.equal(r.lines.filter((l) => l.includes("while iot-123456.local was being probed")).length, 1);
    r.responder.stop();
  });

  it("a new hostname after the claim says goodbye to the old names and claims the new", async () => {
    const r = await claimed();
    const before = sent(r).length;
    r.responder.update({ ...CONFIG, hostname: "greenhouse" });
    const goodbye = sent(r)[before].message;
    assert.ok(goodbye.answers.length > 0 && goodbye.answers.every((a) => a.ttl === 0), "TTL 0 for the old records");
    assert.ok(goodbye.answers.some((a) => a.name === "iot-123456.local"), "the old host name");
    await r.clock.advance(2000);
    assert.equal(r.responder.status().name, "greenhouse.local");
    r.responder.stop();
  });
});

describe("mDNS responder: answers", () => {
  it("A for the host name, by multicast to a query from port 5353, case-insensitively", async () => {
    const r = await claimed();
    const replies = ask(r, query([{ name: "IoT-123456.LOCAL", type: DNS_TYPE.A }]));
    assert.equal(replies.length, 1);
    assert.equal(replies[0].to, MDNS_GROUP);
    assert.deepEqual(replies[0].message.answers.map((a) => [a.type, a.data, a.ttl]), [[DNS_TYPE.A, "192.168.1.50", 120]]);
    assert.equal(ask(r, query([{ name: "iot-123456.local", type: DNS_TYPE.A }])).length, 0, "not multicast again within a second");
    await r.clock.advance(1000);
    assert.equal(ask(r, query([{ name: "iot-123456.local", type: DNS_TYPE.A }])).length, 1);
    r.responder.stop();
  });

  it("QU questions by unicast; legacy queries (another port) with the id, the question and short TTLs", async () => {
    const r = await claimed();
    const qu = ask(r, query([{ name: "iot-123456.local", type: DNS_TYPE.A, unicast: true }]));
    assert.deepEqual([qu[0].to, qu[0].port], ["192.168.1.20", 5353]);
    const legacy = ask(r, query([{ name: "iot-123456.local", type: DNS_TYPE.A }], [], 0x4242), { address: "192.168.1.20", port: 41000 });
    assert.equal(legacy.length, 1);
    assert.deepEqual([legacy[0].to, legacy[0].port], ["192.168.1.20", 41000]);
    const m = legacy[0].message;
    assert.equal(m.id, 0x4242);
    assert.deepEqual(m.questions.map((q) => q.name), ["iot-123456.local"]);
    assert.equal(m.answers[0].ttl, 10);
    assert.equal(m.answers[0].cacheFlush, false);
    r.responder.stop();
  });

  it("PTR for a service type, with SRV, TXT and A as additional records; known answers left out", async () => {
    const r = await claimed();
    const [reply] = ask(r, query([{ name: "_http._tcp.local", type: DNS_TYPE.PTR }]), { address: "192.168.1.20", port: 41000 });
    assert.deepEqual(reply.message.answers.map((a) => a.data), ["iot-123456._http._tcp.local"]);
    assert.deepEqual(reply.message.additionals.map((a) => a.type), [DNS_TYPE.SRV, DNS_TYPE.TXT, DNS_TYPE.A]);
    const srv = reply.message.additionals[0].data as { port: number; target: string };
    assert.equal(srv.port, 80);
    assert.equal(srv.target, "iot-123456.local");
    const known = ask(r, query([{ name: "_http._tcp.local", type: DNS_TYPE.PTR }], [{ name: "_http._tcp.local", type: DNS_TYPE.PTR, ttl: 4000, target: "iot-123456._http._tcp.local" }]), { address: "192.168.1.20", port: 41000 });
    assert.equal(known.length, 0, "the asker already knows it");
    const stale = ask(r, query([{ name: "_http._tcp.local", type: DNS_TYPE.PTR }], [{ name: "_http._tcp.local", type: DNS_TYPE.PTR, ttl: 100, target: "iot-123456._http._tcp.local" }]), { address: "192.168.1.20", port: 41000 });
    assert.equal(stale.length, 1, "a known answer about to expire is answered again");
    r.responder.stop();
  });

  it("SRV and TXT for an instance, the service list, and an NSEC for AAAA", async () => {
    const r = await claimed();
    const from = { address: "192.168.1.20", port: 41000 };
    const [srv] = ask(r, query([{ name: "iot-123456._http._tcp.local", type: DNS_TYPE.SRV }]), from);
    assert.equal(srv.message.answers[0].type, DNS_TYPE.SRV);
    assert.equal(srv.message.additionals[0].data, "192.168.1.50");
    const [txt] = ask(r, query([{ name: "iot-123456._http._tcp.local", type: DNS_TYPE.TXT }]), from);
    assert.deepEqual(txt.message.answers[0].data, CONFIG.services[0].txt);
    const [list] = ask(r, query([{ name: "_services._dns-sd._udp.local", type: DNS_TYPE.PTR }]), from);
    assert.deepEqual(list.message.answers.map((a) => a.data), ["_http._tcp.local", "_prometheus-http._tcp.local"]);
    const [aaaa] = ask(r, query([{ name: "iot-123456.local", type: DNS_TYPE.AAAA }]), from);
    assert.equal(aaaa.message.answers[0].type, DNS_TYPE.NSEC);
    assert.deepEqual((aaaa.message.answers[0].data as { types: readonly number[] }).types, [DNS_TYPE.A]);
    r.responder.stop();
  });

  it("answers a phone on the access point with the access point's address", async () => {
    const r = await claimed({ ...CONFIG, addresses: ["192.168.1.50", "192.168.4.1"] });
    const [reply] = ask(r, query([{ name: "iot-123456.local", type: DNS_TYPE.A, unicast: true }]), { address: "192.168.4.2", port: 5353 });
    assert.equal(reply.message.answers[0].data, "192.168.4.1");
    const [lan] = ask(r, query([{ name: "iot-123456.local", type: DNS_TYPE.A, unicast: true }]), { address: "192.168.1.20", port: 5353 });
    assert.equal(lan.message.answers[0].data, "192.168.1.50");
    r.responder.stop();
  });

  it("ignores queries for other names, responses, and malformed packets, logging each kind once; nothing breaks", async () => {
    const r = await claimed();
    assert.equal(ask(r, query([{ name: "printer.local", type: DNS_TYPE.A }])).length, 0);
    assert.equal(ask(r, query([{ name: "printer.local", type: DNS_TYPE.A }])).length, 0);
    const garbage = [
      Uint8Array.of(1, 2, 3),
      Uint8Array.of(0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1),
      Uint8Array.of(0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 63, 1, 2, 3, 4, 5, 6),
      Uint8Array.of(0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0, 0, 0),
      Uint8Array.of(0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0x61, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 9, 1, 2, 3),
    ];
    for (let round = 0; round < 2; round++) for (const g of garbage) assert.equal(ask(r, g).length, 0);
    const malformed = r.lines.filter((l) => l.includes("malformed mDNS packet"));
    assert.equal(malformed.length, garbage.length, `each kind once:\n${malformed.join("\n")}`);
    assert.equal(r.lines.filter((l) => l.includes("other than iot-123456.local")).length, 1);
    assert.equal(ask(r, query([{ name: "iot-123456.local", type: DNS_TYPE.A, unicast: true }])).length, 1, "still answering");
    r.responder.stop();
  });

  it("after the claim, another device's record for our name sends us back to probing, and then to -2 if it defends", async () => {
    const r = await claimed();
    const theirs = encodeDnsMessage({ flags: 0x8400, answers: [{ name: "iot-123456.local", type: DNS_TYPE.A, ttl: 120, cacheFlush: true, address: "192.168.1.99" }] });
    r.udp.deliver(5353, theirs, { address: "192.168.1.99", port: 5353 });
    assert.equal(r.responder.status().state, "probing");
    await r.clock.advance(100);
    r.udp.deliver(5353, theirs, { address: "192.168.1.99", port: 5353 });
    assert.equal(r.responder.status().name, "iot-123456-2.local");
    await r.clock.advance(2000);
    assert.equal(r.responder.status().state, "claimed");
    r.responder.stop();
  });

  it("stop() says goodbye with TTL 0, closes the socket and leaves no timer", async () => {
    const r = await claimed();
    const log = r.udp.sentFrom(5353);
    const before = log.length;
    r.responder.stop();
    assert.equal(log.length, before + 1);
    const bye = parseDnsMessage(log[before].bytes);
    assert.equal(log[before].address, MDNS_GROUP);
    assert.ok(bye.answers.every((a) => a.ttl === 0));
    assert.equal(r.udp.isBound(5353), false);
    assert.equal(r.clock.pending, 0);
    assert.equal(r.responder.status().state, "off");
  });
});

describe("DNS codec", () => {
  it("round-trips every record type it writes, compressing repeated names", () => {
    const bytes = encodeDnsMessage({
      id: 7,
      flags: 0x8400,
      questions: [{ name: "a.example.local", type: DNS_TYPE.ANY, unicast: true }],
      answers: [
        { name: "a.example.local", type: DNS_TYPE.A, ttl: 120, cacheFlush: true, address: "10.1.2.3" },
        { name: "_x._tcp.local", type: DNS_TYPE.PTR, ttl: 4500, target: "a._x._tcp.local" },
        { name: "a._x._tcp.local", type: DNS_TYPE.SRV, ttl: 120, port: 8080, target: "a.example.local" },
        { name: "a._x._tcp.local", type: DNS_TYPE.TXT, ttl: 4500, strings: ["k=v", "ünï"] },
        { name: "a.example.local", type: DNS_TYPE.NSEC, ttl: 120, next: "a.example.local", types: [DNS_TYPE.A, DNS_TYPE.TXT, DNS_TYPE.SRV] },
      ],
    });
    assert.ok(bytes.length < 200, `compressed (${bytes.length} bytes)`);
    const m = parseDnsMessage(bytes);
    assert.equal(m.id, 7);
    assert.equal(m.questions[0].unicast, true);
    assert.deepEqual(m.answers.map((a) => a.data), [
      "10.1.2.3",
      "a._x._tcp.local",
      { priority: 0, weight: 0, port: 8080, target: "a.example.local" },
      ["k=v", "ünï"],
      { next: "a.example.local", types: [DNS_TYPE.A, DNS_TYPE.TXT, DNS_TYPE.SRV] },
    ]);
    assert.equal(m.answers[0].cacheFlush, true);
    assert.equal((m.answers[0].rclass | 0) & DNS_CLASS_TOP_BIT, 0);
  });
});
