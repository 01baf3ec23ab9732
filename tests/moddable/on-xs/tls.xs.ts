/*
 * TLS on the device host, on XS: ModdableTcp's connect({tls}) over the SecureSocket stand-in
 * (which checks certificates by ssl_cert.js's rules and swallows the handshake's exception as
 * the SDK does), under the core's HttpClient. A good chain reaches the server; a missing root
 * names its caNNN.der, a wrong name, an expired certificate, an unknown issuer and a server
 * that speaks no TLS each fail with their own words; a heap too fragmented for a handshake is
 * refused before any socket is made.
 */

import { ModdableTcp } from "hosts/moddable/tcp";
import { MODDABLE_TEXT_CODEC } from "hosts/moddable/text-codec";
import type { TcpConnection } from "../../../modules/host/tcp";
import { TcpHttpClient, type HttpResponseHead } from "../../../modules/http/http-client";
import { utf8Encode } from "../../../modules/text/utf8";
import * as assert from "../../support/assert";
import { derCertificate } from "../../support/der-certificate";
import { assertQuiet, chip, machine, resetDevice, tls, wire } from "../standins/control";
import type { ServedCertificate } from "../standins/securesocket";

const DAY = 86_400_000;
const ROOT_SKI = "a1".repeat(20);
const INTERMEDIATE_SKI = "b2".repeat(20);
const LEAF_SKI = "c3".repeat(20);

function cert(names: string[], ski: string, aki: string, from = Date.now() - DAY, to = Date.now() + 90 * DAY): ServedCertificate {
  return { der: derCertificate({ names, notBefore: from, notAfter: to, ski, aki }), names, notBefore: from, notAfter: to, ski, aki };
}

function goodChain(): ServedCertificate[] {
  return [cert(["api.github.com", "*.github.com"], LEAF_SKI, INTERMEDIATE_SKI), cert(["Sectigo ECC Domain Validation"], INTERMEDIATE_SKI, ROOT_SKI)];
}

interface Outcome {
  head?: HttpResponseHead;
  body: string;
  error?: string;
  done: boolean;
}

async function get(port: number, host = "api.github.com"): Promise<Outcome> {
  const tcp = new ModdableTcp();
  const client = new TcpHttpClient({ tcp, text: MODDABLE_TEXT_CODEC, clockValid: () => true });
  const out: Outcome = { body: "", done: false };
  client.get({ host, port, path: "/repos/a/b/releases/latest", secure: true }, {
    response: (head) => void (out.head = head),
    data: (bytes) => void (out.body += MODDABLE_TEXT_CODEC.decode(bytes)),
    end: () => void (out.done = true),
    error: (message) => {
      out.error = message;
      out.done = true;
    },
  });
  await machine.until(() => out.done, 10_000);
  return out;
}

/** A plain server on the device's own stack: what the TLS stand-in's plain bytes reach. */
function serve(port: number): { requests: string[] } {
  const seen = { requests: [] as string[] };
  const tcp = new ModdableTcp();
  tcp.listen({ port }, (connection: TcpConnection) => {
    let text = "";
    connection.listen({
      data: (bytes) => {
        text += MODDABLE_TEXT_CODEC.decode(bytes);
        if (!text.includes("\r\n\r\n")) return;
        seen.requests.push(text);
        const body = '{"tag_name":"v2.0.0"}';
        connection.write(utf8Encode(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`));
        connection.close();
      },
      writable: () => undefined,
      closed: () => undefined,
    });
  });
  return seen;
}

describe("Moddable host on XS: TLS (SecureSocket stand-in)", () => {
  beforeEach(() => {
    resetDevice();
    wire.hosts.set("api.github.com", "127.0.0.1");
    tls.store.splice(0, tls.store.length, ...Array.from({ length: 180 }, (_, i) => (i === 176 ? ROOT_SKI : i.toString(16).padStart(40, "0"))));
    tls.resources.add(176);
  });
  afterEach(async () => {
    await machine.advance(1000);
    assertQuiet();
  });

  it("a chain that ends in a root the firmware has: the request goes through, named api.github.com", async () => {
    const server = serve(8443);
    tls.servers.set(8443, goodChain());
    const out = await get(8443);
    assert.equal(out.error, undefined, out.error);
    assert.equal(out.head?.status, 200);
    assert.equal(out.body, '{"tag_name":"v2.0.0"}');
    assert.deepEqual(tls.names, ["api.github.com"]);
    assert.match(server.requests[0], /^GET \/repos\/a\/b\/releases\/latest HTTP\/1\.1\r\nHost: api\.github\.com:8443\r\n/);
  });

  it("a root the manifest does not list fails naming the file to add", async () => {
    serve(8443);
    tls.servers.set(8443, goodChain());
    tls.resources.clear();
    const out = await get(8443);
    assert.match(String(out.error), /root certificate missing: the server's chain ends in ca176\.der, which this firmware lacks \(add \$\(MODULES\)\/crypt\/data\/ca176/);
  });

  it("a certificate for another name, an expired one, and an unknown issuer each say so", async () => {
    serve(8443);
    const cases: [ServedCertificate[], RegExp][] = [
      [[cert(["other.example"], LEAF_SKI, INTERMEDIATE_SKI), goodChain()[1]], /certificate name mismatch: the certificate is for other\.example, not api\.github\.com/],
      [[cert(["api.github.com"], LEAF_SKI, INTERMEDIATE_SKI, Date.now() - 400 * DAY, Date.now() - 10 * DAY), goodChain()[1]], /certificate expired or not yet valid: the server's certificate expired on \d{4}-\d\d-\d\d/],
      [[goodChain()[0], cert(["Unknown CA"], INTERMEDIATE_SKI, "ee".repeat(20))], /certificate not trusted/],
      [[goodChain()[0]], /certificate not trusted/],
    ];
    for (const [chain, expected] of cases) {
      tls.servers.set(8443, chain);
      const out = await get(8443);
      assert.match(String(out.error), expected);
    }
  });

  it("a made-up leaf before the real intermediate is refused, though SDK 8.2.3's verify() accepts it", async () => {
    const server = serve(8443);
    // Signed by a key of the attacker's (its AKI is not the intermediate's SKI), right name, good dates.
    const forged = cert(["api.github.com"], LEAF_SKI, "dd".repeat(20));
    tls.servers.set(8443, [forged, goodChain()[1]]);
    const out = await get(8443);
    assert.match(String(out.error), /^certificate not trusted: the server's certificate is not signed by the certificate after it/);
    assert.equal(server.requests.length, 0, "nothing was sent to the impostor");
    // The control: the same leaf, signed by the intermediate, goes through.
    const intermediate = goodChain()[1];
    tls.servers.set(8443, [cert(["api.github.com"], LEAF_SKI, intermediate.ski), intermediate]);
    const good = await get(8443);
    assert.equal(good.error, undefined, good.error);
  });

  it("a server that speaks no TLS fails the handshake", async () => {
    serve(8080);
    const out = await get(8080);
    assert.match(String(out.error), /TLS handshake failed: handshake: unknown type: 72/);
  });

  it("a heap too fragmented for a handshake is refused before a socket is made", async () => {
    serve(8443);
    tls.servers.set(8443, goodChain());
    chip.largestFreeBlock = 8000;
    try {
      const out = await get(8443);
      assert.match(String(out.error), /the largest free block of memory is 8000 bytes, and a TLS connection needs about 20480/);
      assert.equal(tls.handshakes, 0);
    } finally {
      chip.largestFreeBlock = 40_000;
    }
  });
});
