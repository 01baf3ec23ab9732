/*
 * The simulated device's mDNS responder, black box: `npm start --mdns-port P` and a real mDNS
 * client library (multicast-dns, over node:dgram) on loopback, asking by multicast (a query from
 * the mDNS port, answered to the group) and as a legacy one-shot resolver (a query from another
 * port, answered by unicast), for A, PTR, SRV and TXT. A hostname change is announced without a
 * reboot; a name another device defends becomes name-2, in status and on the page.
 * Everything stays on 127.0.0.1: the client joins the group on loopback only.
 */

import * as assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import makeMdns from "multicast-dns";
import { freeUdpPort } from "../support/chrony";
import { startSimulatorProcess, type SimulatorProcess } from "../support/simulator-process";

type Mdns = ReturnType<typeof makeMdns>;
/** A record as multicast-dns decodes it (dns-packet), the fields these tests read. */
interface Answer {
  name: string;
  type: string;
  ttl?: number;
  data?: unknown;
}

async function status(sim: SimulatorProcess): Promise<Record<string, any>> {
  return (await (await fetch(`${sim.url}/api/status`)).json()) as Record<string, any>;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} not within ${ms} ms`);
    await delay(50);
  }
}

/** A client on the group (multicast, from the mDNS port), loopback only. */
function groupClient(port: number): Mdns {
  return makeMdns({ port, interface: "127.0.0.1", bind: "0.0.0.0", multicast: true, loopback: true, reuseAddr: true });
}

/** Asks and collects the answers and additionals of responses that hold `name`, for `ms`. */
function ask(client: Mdns, questions: { name: string; type: string }[], to?: { port: number; address: string }, ms = 1500): Promise<Answer[]> {
  return new Promise((resolve) => {
    const records: Answer[] = [];
    const onResponse = (packet: unknown): void => {
      const response = packet as { answers: Answer[]; additionals?: Answer[] };
      for (const r of [...response.answers, ...(response.additionals ?? [])]) records.push(r);
      if (questions.every((q) => records.some((r) => r.name.toLowerCase() === q.name.toLowerCase() && r.type === q.type))) finish();
    };
    const finish = (): void => {
      clearTimeout(timer);
      client.removeListener("response", onResponse);
      resolve(records);
    };
    const timer = setTimeout(finish, ms);
    client.on("response", onResponse);
    const packet = { questions: questions.map((q) => ({ name: q.name, type: q.type as "A" })) };
    if (to) client.query(packet, to);
    else client.query(packet);
  });
}

function destroy(client: Mdns): Promise<void> {
  return new Promise((resolve) => client.destroy(() => resolve()));
}

describe("simulator: mDNS with a real mDNS client", function () {
  this.timeout(60_000);
  let sim: SimulatorProcess;
  let port: number;
  let hostname: string;

  before(async () => {
    port = await freeUdpPort();
    sim = await startSimulatorProcess({ args: ["--mdns-port", String(port)] });
    hostname = String((await status(sim)).hostname);
    await until("the name claimed", async () => ((await status(sim)).mdns?.state === "claimed" ? true : undefined));
  });
  after(async () => {
    await sim?.stop();
  });

  it("resolves hostname.local (A) by multicast, and finds _http._tcp with SRV, TXT and A", async () => {
    const client = groupClient(port);
    try {
      const a = await ask(client, [{ name: `${hostname}.local`, type: "A" }]);
      assert.equal(a.find((r) => r.type === "A")?.data, "127.0.0.1");
      const records = await ask(client, [
        { name: "_http._tcp.local", type: "PTR" },
        { name: `${hostname}._http._tcp.local`, type: "SRV" },
        { name: `${hostname}._http._tcp.local`, type: "TXT" },
      ]);
      const ptr = records.find((r) => r.type === "PTR" && r.name === "_http._tcp.local");
      assert.equal(ptr?.data, `${hostname}._http._tcp.local`);
      const srv = records.find((r) => r.type === "SRV") as { data: { port: number; target: string } } | undefined;
      assert.equal(srv?.data.target, `${hostname}.local`);
      assert.equal(srv?.data.port, Number(new URL(sim.url).port), "the web server's port");
      const txt = records.find((r) => r.type === "TXT") as { data: Buffer[] } | undefined;
      const pairs = (txt?.data ?? []).map((b) => b.toString());
      assert.ok(pairs.includes("version=1.0.0"), pairs.join(" "));
      assert.ok(pairs.some((p) => p.startsWith("framework=")));
      assert.ok(pairs.some((p) => /^mac=[0-9a-f:]{17}$/i.test(p)), pairs.join(" "));
      const prometheus = await ask(client, [{ name: "_prometheus-http._tcp.local", type: "PTR" }]);
      assert.ok(prometheus.some((r) => r.type === "PTR" && r.data === `${hostname}._prometheus-http._tcp.local`), "the metrics service");
    } finally {
      await destroy(client);
    }
  });

  it("answers a legacy one-shot query from another port by unicast", async () => {
    const client = makeMdns({ multicast: false, port: 0 });
    try {
      const a = await ask(client, [{ name: `${hostname}.local`, type: "A" }], { port, address: "127.0.0.1" });
      const record = a.find((r) => r.type === "A");
      assert.equal(record?.data, "127.0.0.1");
      assert.ok((record?.ttl ?? 99) <= 10, "legacy answers have short TTLs");
      const txt = await ask(client, [{ name: `${hostname}._http._tcp.local`, type: "TXT" }], { port, address: "127.0.0.1" });
      assert.ok(txt.some((r) => r.type === "TXT"));
      const other = await ask(client, [{ name: "printer.local", type: "A" }], { port, address: "127.0.0.1" }, 500);
      assert.equal(other.length, 0, "no answer for another name");
    } finally {
      await destroy(client);
    }
  });

  it("announces a new hostname without a reboot, and takes name-2 when another device defends the name", async () => {
    const defender = groupClient(port);
    // Another device on the network that holds "taken.local" and defends it.
    defender.on("query", (packet: unknown) => {
      const query = packet as { questions: { name: string }[] };
      if (query.questions.some((q) => q.name.toLowerCase() === "taken.local"))
        defender.respond({ answers: [{ name: "taken.local", type: "A", ttl: 120, data: "127.0.0.99", flush: true }] });
    });
    try {
      const heard: Answer[] = [];
      defender.on("response", (r: unknown) => heard.push(...(r as { answers: Answer[] }).answers));
      let res = await fetch(`${sim.url}/api/config`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ hostname: "greenhouse" }) });
      assert.equal(res.status, 200);
      await until("greenhouse.local announced", async () => (heard.some((r) => r.type === "A" && r.name === "greenhouse.local" && r.data === "127.0.0.1") ? true : undefined));
      const a = await ask(defender, [{ name: "greenhouse.local", type: "A" }]);
      assert.ok(a.some((r) => r.type === "A" && r.data === "127.0.0.1"));
      res = await fetch(`${sim.url}/api/config`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ hostname: "taken" }) });
      assert.equal(res.status, 200);
      const mdns = await until("a conflict resolved", async () => {
        const s = (await status(sim)).mdns;
        return s?.state === "claimed" && s.name !== "greenhouse.local" ? s : undefined;
      });
      assert.equal(mdns.name, "taken-2.local");
      assert.match(mdns.conflict, /taken\.local is taken/);
      const page = await (await fetch(`${sim.url}/`)).text();
      assert.match(page, /taken\.local is taken on this network/);
      const resolved = await ask(defender, [{ name: "taken-2.local", type: "A" }]);
      assert.ok(resolved.some((r) => r.type === "A" && r.data === "127.0.0.1"));
    } finally {
      await destroy(defender);
    }
  });
});
