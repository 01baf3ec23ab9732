/*
 * The SDK's `x509` module (modules/crypt/etc/x509.js, SDK 8.2.3; included by crypt/tls.json),
 * which the SDK's typings do not declare: only the two calls the device host's TLS check makes.
 * Ambient: the manifest lists this file under typescript.compilerOptions.types, and
 * hosts/moddable/tsconfig.json includes it.
 *
 * decode(cert) splits a DER certificate into {tbs, algo, sig, spki}; decodeSPKI(cert) reads its
 * public key. Both throw ("x509: malformed input", "x509: bad SPKI") on bytes they cannot read.
 * What they return is handed, unread, to the CertificateManager's _verify(spki, x509).
 */

declare module "x509" {
  const X509: {
    decode(cert: ArrayBuffer | Uint8Array): object;
    decodeSPKI(cert: ArrayBuffer | Uint8Array): object;
  };
  export default X509;
}
