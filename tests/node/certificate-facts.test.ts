/*
 * The device host's diagnosis of refused TLS chains (modules/crypto/certificate-facts.ts) on
 * real certificates made by node-forge (the test CA of the GitHub stand-in), and the hand-made
 * DER of tests/support/der-certificate.ts (what the XS tests use) read back by node:crypto's
 * X509Certificate, so both shapes are real X.509.
 */

import * as assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { certificateFacts, namesMatch, tlsFailure } from "../../modules/crypto/certificate-facts";
import { derCertificate } from "../support/der-certificate";
import { derOf, TestCa } from "../support/github-stand-in";

describe("certificate facts: why a TLS chain was refused", () => {
  const ca = new TestCa();
  const DAY = 86_400_000;

  it("reads the dates and the names of real certificates as node:crypto does", () => {
    const pem = ca.issue({ names: ["api.github.test", "*.github.test", "10.1.2.3"] });
    const facts = certificateFacts(derOf(pem.cert));
    const x509 = new X509Certificate(pem.cert);
    assert.ok(facts);
    assert.equal(facts.notBefore, Date.parse(x509.validFrom));
    assert.equal(facts.notAfter, Date.parse(x509.validTo));
    assert.deepEqual(facts.names, ["api.github.test", "*.github.test", "10.1.2.3"]);
    assert.equal(certificateFacts(new Uint8Array([0x30, 0x03, 0x02, 0x01])), undefined, "bytes that are no certificate");
  });

  it("names the rule: expired, not yet valid, another name, else untrusted", () => {
    const now = Date.now();
    const leaf = (spec: Parameters<TestCa["issue"]>[0]) => derOf(ca.issue(spec).cert);
    assert.match(tlsFailure([leaf({ names: ["a.test"], notBefore: new Date(now - 9 * DAY), notAfter: new Date(now - DAY) })], "a.test", now), /^certificate expired or not yet valid: the server's certificate expired on/);
    assert.match(tlsFailure([leaf({ names: ["a.test"], notBefore: new Date(now + DAY), notAfter: new Date(now + 9 * DAY) })], "a.test", now), /not valid before/);
    assert.match(tlsFailure([leaf({ names: ["b.test"] })], "a.test", now), /^certificate name mismatch: the certificate is for b\.test, not a\.test$/);
    assert.match(tlsFailure([leaf({ names: ["a.test"] }), ca.der], "a.test", now), /^certificate not trusted/);
  });

  it("matches names as the SDK does: one * for the whole leftmost label", () => {
    assert.ok(namesMatch(["*.github.com"], "api.github.com"));
    assert.ok(!namesMatch(["*.github.com"], "github.com"));
    assert.ok(!namesMatch(["*.github.com"], "a.b.github.com"));
    assert.ok(namesMatch(["API.github.com".toLowerCase()], "api.GitHub.com"));
  });

  it("the hand-made DER the XS tests use is a certificate node:crypto reads", () => {
    const now = Date.UTC(2027, 5, 1);
    const der = derCertificate({ names: ["api.github.com", "127.0.0.1"], notBefore: now - DAY, notAfter: Date.UTC(2051, 0, 1), ski: "c3".repeat(20), aki: "b2".repeat(20) });
    const x509 = new X509Certificate(Buffer.from(der));
    assert.equal(x509.subjectAltName, "DNS:api.github.com, IP Address:127.0.0.1");
    assert.equal(Date.parse(x509.validTo), Date.UTC(2051, 0, 1));
    assert.deepEqual(certificateFacts(der), { notBefore: now - DAY, notAfter: Date.UTC(2051, 0, 1), names: ["api.github.com", "127.0.0.1"] });
  });
});
