import type { Principal } from "./principal.js";
import {
  createVerifiedCache,
  type LookupTicket,
  type VerifiedCache,
  type VerifiedCacheOptions,
} from "./verified-cache.js";

export type { LookupTicket };

/**
 * API tokens this replica has verified (see VerifiedCache): the token's statement was a third of
 * the list's database work. An entry also ends with the token's own expiry. Keys are SHA-256
 * digests of the bearer value.
 */
export type TokenCache = VerifiedCache<Principal>;

export type TokenCacheOptions = VerifiedCacheOptions;

export function createTokenCache(options: TokenCacheOptions): TokenCache {
  return createVerifiedCache<Principal>({
    ...options,
    usableAt: (principal, at) => at < (principal.token?.expiresAt.getTime() ?? 0),
  });
}
