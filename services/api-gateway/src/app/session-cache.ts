import type { SessionWithUser } from "../db/session.repository.js";
import { createVerifiedCache, type VerifiedCache, type VerifiedCacheOptions } from "./verified-cache.js";

/**
 * Session cookies this replica has resolved (see VerifiedCache): every request of the web console
 * looked its session up. An entry also ends when the session expires or has been idle for
 * `idleMs` as far as this replica knows: a use seen by another replica only makes the session
 * look idle here sooner, and it is then looked up again. Keys are SHA-256 digests of the cookie.
 */
export type SessionCache = VerifiedCache<SessionWithUser>;

export function createSessionCache(
  options: VerifiedCacheOptions & { readonly idleMs: number },
): SessionCache {
  const { idleMs, ...cache } = options;
  return createVerifiedCache<SessionWithUser>({
    ...cache,
    usableAt: (session, at) => at < session.expiresAt.getTime() && session.lastSeenAt.getTime() > at - idleMs,
  });
}
