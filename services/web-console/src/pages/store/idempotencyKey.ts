/**
 * A random Idempotency-Key. getRandomValues, not randomUUID: the latter exists only in secure
 * contexts, and the console may be served over plain HTTP in development.
 */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
