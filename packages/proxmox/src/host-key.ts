/** SSH host key fingerprints in OpenSSH form ("SHA256:<base64 without padding>"). */
import { createHash } from "node:crypto";

/**
 * The OpenSSH SHA-256 fingerprint of a raw SSH public key blob (what `ssh-keygen -lf` prints and what
 * ssh2's `hostVerifier` receives).
 * @example fingerprintOf(utils.parseKey(pub).getPublicSSH()) // "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8"
 */
export function fingerprintOf(publicKey: Buffer): string {
  return `SHA256:${createHash("sha256").update(publicKey).digest("base64").replace(/=+$/, "")}`;
}

/** Normalises a configured fingerprint: trims, drops base64 padding, accepts a missing "SHA256:" prefix. */
export function normalizeHostFingerprint(fp: string): string {
  const t = fp.trim().replace(/=+$/, "");
  if (t === "") return "";
  return /^sha256:/i.test(t) ? `SHA256:${t.slice(7)}` : `SHA256:${t}`;
}
