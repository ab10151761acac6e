/** Lifetime rules of API tokens (config: API_TOKEN_DEFAULT_DAYS, API_TOKEN_MAX_DAYS). */
export interface TokenLifetimePolicy {
  /** Lifetime of a token created without an expiry. */
  readonly defaultDays: number;
  /** Longest lifetime a token may be given. */
  readonly maxDays: number;
}

export type ExpiryDecision = { readonly expiresAt: Date } | { readonly problem: string };

const DAY_MS = 86_400_000;

/**
 * When a new token expires: the requested time if it is in the future, within the maximum and not
 * after the expiry of the token creating it (a token never outlives its parent); without a request
 * the default lifetime, cut to the parent's expiry.
 */
export function tokenExpiry(
  requested: Date | null,
  parentExpiresAt: Date | null,
  policy: TokenLifetimePolicy,
  now: Date,
): ExpiryDecision {
  if (requested) {
    if (requested.getTime() <= now.getTime()) return { problem: "must be in the future" };
    if (requested.getTime() > now.getTime() + policy.maxDays * DAY_MS) {
      return { problem: `must be at most ${policy.maxDays} days from now` };
    }
    if (parentExpiresAt && requested.getTime() > parentExpiresAt.getTime()) {
      return { problem: "must not be later than the expiry of the token used to create it" };
    }
    return { expiresAt: requested };
  }
  const byDefault = new Date(now.getTime() + policy.defaultDays * DAY_MS);
  return { expiresAt: parentExpiresAt && parentExpiresAt < byDefault ? parentExpiresAt : byDefault };
}
