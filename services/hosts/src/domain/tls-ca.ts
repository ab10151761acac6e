import { X509Certificate } from "node:crypto";

/** Upper bound on a CA bundle: a few certificates, not an arbitrary blob in every host row. */
export const MAX_CA_PEM_LENGTH = 64 * 1024;

/**
 * The SHA-256 fingerprint ("AB:CD:…") of the first certificate of a PEM CA, or undefined when the
 * text is not a PEM X.509 certificate. Node's X509Certificate also accepts DER; requiring the PEM
 * armour keeps what the provisioner hands to TLS (`ca`, which expects PEM) the same thing that was
 * validated here.
 */
export function caFingerprint(pem: string): string | undefined {
  if (pem.length > MAX_CA_PEM_LENGTH || !pem.includes("-----BEGIN CERTIFICATE-----")) return undefined;
  try {
    return new X509Certificate(pem).fingerprint256;
  } catch {
    return undefined;
  }
}
