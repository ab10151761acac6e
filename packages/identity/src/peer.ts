import { X509Certificate } from "node:crypto";
import { identityUri } from "./identities.js";

const PREFIX = identityUri("");

/**
 * The service a peer certificate was issued to (its `spiffe://proximity/<name>` URI SAN), or null.
 * Call only with a certificate the TLS layer has already verified against the platform CA.
 */
export function serviceOfCertificate(cert: X509Certificate | Buffer | string): string | null {
  let x509: X509Certificate;
  try {
    x509 = cert instanceof X509Certificate ? cert : new X509Certificate(cert);
  } catch {
    return null;
  }
  const names = (x509.subjectAltName ?? "").split(/,\s*/);
  const uris = names.filter((n) => n.startsWith("URI:")).map((n) => n.slice(4));
  const mine = uris.filter((u) => u.startsWith(PREFIX));
  if (mine.length !== 1) return null;
  const name = mine[0]!.slice(PREFIX.length);
  return /^[a-z][a-z0-9-]{0,62}$/.test(name) ? name : null;
}
