import { sha256Hex } from "../domain/secret-token.js";

/**
 * Credentials this replica has verified (API tokens, session cookies), so that one used again is
 * not looked up in the database on every request.
 *
 * Safe only while it hears of every change: the database notifies each replica when a credential
 * or its user changes (migrations 0007 and 0008), and the cache is then emptied; while that notice
 * channel is down the cache keeps and serves nothing. A lookup that was in flight when a notice
 * came is not kept (it may have read the row before the change). Entries also end after `ttlMs`
 * whatever happens (a notice lost on a connection that died unnoticed), and as soon as the
 * credential itself is no longer usable (`usableAt`: its expiry, a session's idle timeout).
 * Keys are SHA-256 digests of the secret, never the secret itself.
 */
export interface VerifiedCache<V> {
  /** What a verified secret resolved to, when cached, still usable and not stale. */
  get(secret: string): V | undefined;
  /**
   * Where a lookup starts: what `put` checks, so that a lookup overtaken by a change is not kept.
   */
  begin(): LookupTicket;
  /** Keeps what a verified secret resolved to, unless the cache changed or stopped since `ticket`. */
  put(secret: string, value: V, ticket: LookupTicket): void;
  /**
   * Replaces what a kept secret resolved to (e.g. a session's recorded use), keeping the entry's
   * end, unless the cache changed or stopped since `ticket`; nothing when the secret is not kept.
   */
  update(secret: string, value: V, ticket: LookupTicket): void;
  /** Forgets one secret (found ended). */
  forget(secret: string): void;
  /** Forgets everything: a credential or a user changed. */
  invalidate(): void;
  /** Whether changes are being heard; false empties the cache and stops it keeping anything. */
  setListening(listening: boolean): void;
  readonly size: number;
}

/** Opaque: the cache's generation when a lookup began. */
export type LookupTicket = { readonly generation: number };

export interface VerifiedCacheOptions {
  /** Longest an entry is served; 0 turns the cache off. */
  readonly ttlMs: number;
  /** Entries kept at most (the oldest go first). */
  readonly maxEntries: number;
  readonly now?: () => number;
}

interface Entry<V> {
  readonly value: V;
  readonly until: number;
}

export function createVerifiedCache<V>(
  options: VerifiedCacheOptions & {
    /** Whether the credential `value` describes may still be used at `at` (ms since the epoch). */
    readonly usableAt: (value: V, at: number) => boolean;
  },
): VerifiedCache<V> {
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry<V>>();
  let generation = 0;
  let listening = false;
  const forget = () => {
    generation += 1;
    entries.clear();
  };
  return {
    get(secret) {
      if (!listening || entries.size === 0) return undefined;
      const key = sha256Hex(secret);
      const entry = entries.get(key);
      if (!entry) return undefined;
      const at = now();
      if (at >= entry.until || !options.usableAt(entry.value, at)) {
        entries.delete(key);
        return undefined;
      }
      return entry.value;
    },
    begin: () => ({ generation }),
    put(secret, value, ticket) {
      if (!listening || options.ttlMs <= 0 || ticket.generation !== generation) return;
      const key = sha256Hex(secret);
      // Re-inserted at the end: a refreshed entry is the newest.
      entries.delete(key);
      if (entries.size >= options.maxEntries) {
        // Maps iterate in insertion order: the first key is the oldest entry.
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
      entries.set(key, { value, until: now() + options.ttlMs });
    },
    update(secret, value, ticket) {
      if (!listening || ticket.generation !== generation) return;
      const key = sha256Hex(secret);
      const entry = entries.get(key);
      if (entry) entries.set(key, { value, until: entry.until });
    },
    forget(secret) {
      entries.delete(sha256Hex(secret));
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
