/*
 * HTTPS servers on loopback for test:moddable's TLS measurement (heap-probe/tls-probe.js), each
 * with a certificate chain shaped like GitHub's and made by a CA of the run's own with the
 * openssl command (node has no way to issue a certificate, and the device must verify a real
 * signature at each link): a root the device is given, an intermediate the server sends, and a
 * leaf for tls-probe.test.
 * - "rsa": RSA-4096 root, RSA-2048 intermediate and leaf, SHA-256 (USERTrust RSA's shape);
 * - "ecdsa": P-384 root and intermediate, P-256 leaf, ECDSA with SHA-384 (USERTrust ECC's, which
 *   github.com's chain ends in today).
 * The servers speak TLS 1.2 at most (the SDK's stack has nothing newer) and answer any request
 * with ANSWER_BYTES of text, as one record of the largest size: what a release's JSON costs.
 * Node only, Linux only (as run-on-sdk.ts).
 */

import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

export const TLS_SERVER_NAME = "tls-probe.test";
/** One full TLS record (2^14 bytes of plaintext): the largest a server may send, and GitHub sends. */
export const ANSWER_BYTES = 16 * 1024;

export type ChainKind = "rsa" | "ecdsa";

interface KeySpec {
  root: string[];
  intermediate: string[];
  leaf: string[];
  digest: string;
}

const KEYS: Record<ChainKind, KeySpec> = {
  rsa: {
    root: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:4096"],
    intermediate: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
    leaf: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
    digest: "-sha256",
  },
  ecdsa: {
    root: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
    intermediate: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
    leaf: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
    digest: "-sha384",
  },
};

function openssl(args: string[], cwd: string): void {
  const r = spawnSync("openssl", args, { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`openssl ${args.join(" ")}: ${r.error?.message ?? r.stderr.trim()}`);
}

export interface Chain {
  kind: ChainKind;
  /** The root, DER: what the device registers. */
  rootDer: Buffer;
  /** Leaf then intermediate, PEM: what the server sends. */
  certPem: string;
  keyPem: string;
}

/** Makes one chain in dir (files named <kind>-*); throws with openssl's words when it cannot. */
export function makeChain(kind: ChainKind, dir: string): Chain {
  const spec = KEYS[kind];
  const f = (name: string): string => `${kind}-${name}`;
  openssl(["genpkey", ...spec.root, "-out", f("root.key")], dir);
  openssl(["genpkey", ...spec.intermediate, "-out", f("int.key")], dir);
  openssl(["genpkey", ...spec.leaf, "-out", f("leaf.key")], dir);
  // Valid from now: the device compares the dates with its clock, the host's in the simulator.
  const days = ["-days", "2"];
  openssl(["req", "-x509", "-new", "-key", f("root.key"), "-subj", `/CN=Probe ${kind} root`, spec.digest, ...days,
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", f("root.pem")], dir);
  writeFileSync(join(dir, f("int.ext")), "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n");
  writeFileSync(join(dir, f("leaf.ext")), `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:${TLS_SERVER_NAME}\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n`);
  openssl(["req", "-new", "-key", f("int.key"), "-subj", `/CN=Probe ${kind} intermediate`, "-out", f("int.csr")], dir);
  openssl(["x509", "-req", "-in", f("int.csr"), "-CA", f("root.pem"), "-CAkey", f("root.key"), "-set_serial", "2", spec.digest, ...days, "-extfile", f("int.ext"), "-out", f("int.pem")], dir);
  openssl(["req", "-new", "-key", f("leaf.key"), "-subj", `/CN=${TLS_SERVER_NAME}`, "-out", f("leaf.csr")], dir);
  openssl(["x509", "-req", "-in", f("leaf.csr"), "-CA", f("int.pem"), "-CAkey", f("int.key"), "-set_serial", "3", spec.digest, ...days, "-extfile", f("leaf.ext"), "-out", f("leaf.pem")], dir);
  openssl(["x509", "-in", f("root.pem"), "-outform", "DER", "-out", f("root.der")], dir);
  const read = (name: string): string => readFileSync(join(dir, f(name)), "utf8");
  return { kind, rootDer: readFileSync(join(dir, f("root.der"))), certPem: read("leaf.pem") + read("int.pem"), keyPem: read("leaf.key") };
}

export interface TlsServer {
  kind: ChainKind;
  port: number;
  /** The cipher suites the device's connections agreed, in order. */
  ciphers: string[];
  close(): Promise<void>;
}

export async function startTlsServer(chain: Chain): Promise<TlsServer> {
  const ciphers: string[] = [];
  const answer = "x".repeat(ANSWER_BYTES);
  const server: Server = createServer({ cert: chain.certPem, key: chain.keyPem, maxVersion: "TLSv1.2" }, (request, response) => {
    ciphers.push(request.socket && "getCipher" in request.socket ? (request.socket as import("node:tls").TLSSocket).getCipher().standardName : "?");
    response.writeHead(200, { "Content-Type": "text/plain", "Content-Length": String(answer.length), Connection: "close" });
    response.end(answer);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    kind: chain.kind,
    port: (server.address() as AddressInfo).port,
    ciphers,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
