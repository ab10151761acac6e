import { sha256Hex } from "../domain/secret-token.js";
import type { Principal } from "./principal.js";

/**
 * API tokens this replica has verified, so that a token used again is not looked up in the
 * database on every request (the token's statement was a third of the list's database work).
 *
 * Safe only while it hears of every change: the database notifies each replica when a token or a
 * user changes (migration 0007), and the cache is then emptied; while that notice channel is
 * down the cache keeps and serves nothing. A lookup that was in flight when a notice came is not
 * kept (it may have read the row before the change). Entries also end after `ttlMs` whatever
 * happens (a notice lost on a connection that died unnoticed) and with the token's own expiry.
 * Keys are SHA-256 digests of the bearer value, never the secret itself.
 */
export interface TokenCache {
  /** The principal of a verified token, when cached and neither expired nor stale. */
  get(bearer: string): Principal | undefined;
  /**
   * Where a lookup starts: what `put` checks, so that a lookup overtaken by a change is not kept.
   */
  begin(): LookupTicket;
  /** Keeps a verified token's principal, unless the cache changed or stopped since `ticket`. */
  put(bearer: string, principal: Principal, ticket: LookupTicket): void;
  /** Forgets everything: a token or a user changed. */
  invalidate(): void;
  /** Whether changes are being heard; false empties the cache and stops it keeping anything. */
  setListening(listening: boolean): void;
  readonly size: number;
}

/** Opaque: the cache's generation when a lookup began. */
export type LookupTicket = { readonly generation: number };

export interface TokenCacheOptions {
  /** Longest an entry is served; 0 turns the cache off. */
  readonly ttlMs: number;
  /** Entries kept at most (the oldest go first). */
  readonly maxEntries: number;
  readonly now?: () => number;
}

interface Entry {
  readonly principal: Principal;
  readonly until: number;
}

export function createTokenCache(options: TokenCacheOptions): TokenCache {
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  let generation = 0;
  let listening = false;
  const forget = () => {
    generation += 1;
    entries.clear();
  };
  return {
    get(bearer) {
      if (!listening || entries.size === 0) return undefined;
      const key = sha256Hex(bearer);
      const entry = entries.get(key);
      if (!entry) return undefined;
      const at = now();
      const expiresAt = entry.principal.token?.expiresAt.getTime() ?? 0;
      if (at >= entry.until || at >= expiresAt) {
        entries.delete(key);
        return undefined;
      }
      return entry.principal;
    },
    begin: () => ({ generation }),
    put(bearer, principal, ticket) {
      if (!listening || options.ttlMs <= 0 || ticket.generation !== generation) return;
      if (entries.size >= options.maxEntries) {
        // Maps iterate in insertion order: the first key is the oldest entry.
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
      entries.set(sha256Hex(bearer), { principal, until: now() + options.ttlMs });
    },
    invalidate: forget,
    setListening(value) {
      // Both ways: what was kept before a loss may have missed a change, and so may what a lookup
      // read before the channel came back.
      forget();
      listening = value;
    },
    get size() {
      return entries.size;
    },
  };
}
