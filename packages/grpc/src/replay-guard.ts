/**
 * Remembers the ids (`jti`) of call tokens until they expire, so each token is accepted once.
 * In memory, per process: a replica does not see what another accepted, which the mTLS binding
 * covers (a replay must come from the issuer's own certificate).
 */
export interface ReplayGuard {
  /**
   * Records `jti` until `exp` (seconds since the epoch). Returns "fresh" the first time, "replayed"
   * when it was seen before, "full" when the cache holds `capacity` unexpired ids (the call must be
   * refused: forgetting an unexpired id would let it be replayed).
   */
  admit(jti: string, exp: number, now?: number): "fresh" | "replayed" | "full";
  readonly size: number;
}

/** Default capacity: 100 000 ids ≈ 800 calls/s sustained with 2-minute tokens, a few MB. */
const DEFAULT_CAPACITY = 100_000;

export function createReplayGuard(capacity = DEFAULT_CAPACITY): ReplayGuard {
  const seen = new Map<string, number>();
  let nextSweep = 0;
  const sweep = (now: number) => {
    for (const [jti, exp] of seen) if (exp <= now) seen.delete(jti);
    nextSweep = now + 10;
  };
  return {
    admit(jti, exp, now = Math.floor(Date.now() / 1000)) {
      const known = seen.get(jti);
      if (known !== undefined && known > now) return "replayed";
      if (now >= nextSweep || seen.size >= capacity) sweep(now);
      if (seen.size >= capacity) return "full";
      seen.set(jti, exp);
      return "fresh";
    },
    get size() {
      return seen.size;
    },
  };
}
