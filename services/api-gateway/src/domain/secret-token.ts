import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** A fresh opaque secret: 32 random bytes, base64url (session ids, CSRF tokens, API token secrets). */
export function newSecret(): string {
  return randomBytes(32).toString("base64url");
}

/** SHA-256 hex digest: what is stored instead of a secret (a database leak yields no usable token). */
export function sha256Hex(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

/** Constant-time comparison of `presented` (plain) against a stored SHA-256 hex digest. */
export function matchesHash(presented: string, storedHash: string): boolean {
  const a = Buffer.from(sha256Hex(presented), "hex");
  const b = Buffer.from(storedHash, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}
