import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";

/** Stored and server keys of SCRAM-SHA-256 (RFC 5802, RFC 7677) for a password and salt. */
export function scramSha256Keys(
  password: string,
  salt: Buffer,
  iterations: number,
): { storedKey: Buffer; serverKey: Buffer } {
  // Printable ASCII only: SASLprep leaves it unchanged, so the server derives the same keys.
  if (!/^[\x21-\x7e]+$/.test(password)) throw new Error("SCRAM passwords must be printable ASCII");
  const salted = pbkdf2Sync(password, salt, iterations, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  return {
    storedKey: createHash("sha256").update(clientKey).digest(),
    serverKey: createHmac("sha256", salted).update("Server Key").digest(),
  };
}

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for a password, computed here so that
 * `ALTER ROLE … PASSWORD '<verifier>'` never carries the password itself (server logs, statement
 * statistics), as psql's `\password` does.
 */
export function scramSha256Verifier(password: string, iterations = 4096): string {
  const salt = randomBytes(16);
  const { storedKey, serverKey } = scramSha256Keys(password, salt, iterations);
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}
