/**
 * Wrong current passwords (password changes) per account: a stolen session must not become a way
 * to guess the password. Counted over a sliding window from the authentication event log.
 */
export const PASSWORD_CHECK_THROTTLE = {
  windowMs: 15 * 60 * 1000,
  maxFailures: 5,
} as const;

/**
 * Seconds until the current password may be tried again, or 0 when allowed: at the limit, the
 * caller waits until the oldest failure leaves the window.
 */
export function passwordCheckRetryAfterSeconds(failures: number, oldest: Date | null, now: Date): number {
  if (failures < PASSWORD_CHECK_THROTTLE.maxFailures || !oldest) return 0;
  const waitMs = oldest.getTime() + PASSWORD_CHECK_THROTTLE.windowMs - now.getTime();
  return Math.max(1, Math.ceil(waitMs / 1000));
}
