/*
 * Stand-in of the SDK module "x509" (modules/crypt/etc/x509.js, SDK 8.2.3): the two calls the
 * device host makes, decode(cert) and decodeSPKI(cert), for the certificates the SecureSocket
 * stand-in put on the wire. What they return only means something to that stand-in's
 * CertificateManager._verify (signer SKI against AKI), as the SDK's results only mean something
 * to its own. Bytes it does not know throw, as x509.js throws on bytes it cannot read.
 */

import { served } from "./securesocket";

function facts(cert: ArrayBuffer | Uint8Array) {
  const known = cert instanceof Uint8Array ? served(cert) : undefined;
  if (!known) throw new Error("x509: malformed input");
  return known;
}

const X509 = Object.freeze({
  decode(cert: ArrayBuffer | Uint8Array): object {
    return { aki: facts(cert).aki };
  },
  decodeSPKI(cert: ArrayBuffer | Uint8Array): object {
    return { ski: facts(cert).ski };
  },
});

export default X509;
