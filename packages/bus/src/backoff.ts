/** Capped exponential backoff: base · 2^(attempt-1), at most `maxMs`, with ±20 % jitter. */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const raw = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  const jitter = 0.8 + random() * 0.4;
  return Math.max(0, Math.round(Math.min(maxMs, raw * jitter)));
}
