/**
 * The gateway's clock as seen from here. Report ages compare server times (`sampled_at`,
 * `updated_at`) with now: with the browser's own clock a few minutes off, every app would look
 * unreported (or none would). Each API answer's `Date` header (HTTP, whole seconds: close enough
 * against minutes) gives the offset between the two clocks at its receipt. Without one (an answer
 * made up here, a test's fake API) nothing is corrected.
 */
let offsetMs = 0;

/** Records the server's clock from an answer's `Date` header, received at `receivedAt` (browser ms). */
export function recordServerDate(dateHeader: string | null, receivedAt: number = Date.now()): void {
  if (!dateHeader) return;
  const serverAt = Date.parse(dateHeader);
  if (Number.isFinite(serverAt)) offsetMs = serverAt - receivedAt;
}

/** A browser time (ms since the epoch, e.g. when a query was answered) on the server's clock. */
export function toServerTime(browserMs: number): number {
  return browserMs + offsetMs;
}

/** Now on the server's clock, as far as its last answer tells. */
export function serverNow(): number {
  return toServerTime(Date.now());
}

/** Forgets the recorded offset (tests). */
export function resetServerClock(): void {
  offsetMs = 0;
}
