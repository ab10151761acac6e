/**
 * Login throttling: failures are counted per account and per client address over a sliding
 * window. The address limit is higher because several people may share one address (NAT, proxy).
 */
export const LOGIN_THROTTLE = {
  windowMs: 15 * 60 * 1000,
  maxFailuresPerAccount: 10,
  maxFailuresPerAddress: 30,
} as const;

export interface FailureWindow {
  /** Failures inside the window. */
  readonly count: number;
  /** Time of the oldest failure inside the window (null when count is 0). */
  readonly oldest: Date | null;
}

/**
 * Seconds until a login may be tried again, or 0 when allowed: once a limit is hit, the caller
 * waits until the oldest failure leaves the window.
 */
export function loginRetryAfterSeconds(account: FailureWindow, address: FailureWindow, now: Date): number {
  const waits = [
    [account, LOGIN_THROTTLE.maxFailuresPerAccount] as const,
    [address, LOGIN_THROTTLE.maxFailuresPerAddress] as const,
  ]
    .filter(([window, max]) => window.count >= max && window.oldest)
    .map(([window]) => window.oldest!.getTime() + LOGIN_THROTTLE.windowMs - now.getTime());
  return waits.length ? Math.max(1, Math.ceil(Math.max(...waits) / 1000)) : 0;
}
