/**
 * Remembers the ids (`jti`) of call tokens until they expire, so each token is accepted once.
 * In memory, per process: a replica does not see what another accepted, which the mTLS binding
 * covers (a replay must come from the issuer's own certificate).
 *
 * Each calling service has a bounded bucket of its own: a caller that fills its bucket (a burst,
 * or a compromised service flooding on purpose) is refused for its own calls only and never
 * crowds out another caller. The handlers admit a token only after the caller passed the RPC's
 * allow-list, so the buckets are bounded by the services allowed to call, not by what anyone sends.
 */
export interface ReplayGuard {
  /**
   * Records `jti` of `caller` until `exp` (seconds since the epoch). Returns "fresh" the first
   * time, "replayed" when it was seen before, "full" when the caller's bucket holds its capacity of
   * unexpired ids (the call must be refused: forgetting an unexpired id would let it be replayed).
   */
  admit(caller: string, jti: string, exp: number, now?: number): "fresh" | "replayed" | "full";
  /** Unexpired ids held, every caller together. */
  readonly size: number;
}

export interface ReplayGuardOptions {
  /**
   * Unexpired ids kept per calling service, default 50 000 (≈ 800 calls/s sustained per caller
   * with the usual 60-second tokens, a few MB).
   */
  readonly perCaller?: number;
}

const DEFAULT_PER_CALLER = 50_000;
/** Seconds between two sweeps of every bucket (a full bucket is swept at once). */
const SWEEP_EVERY_S = 10;

/**
 * @example
 * const replays = createReplayGuard();
 * if (replays.admit(claims.iss, claims.jti, claims.exp) !== "fresh") refuse();
 */
export function createReplayGuard(options: ReplayGuardOptions = {}): ReplayGuard {
  const capacity = options.perCaller ?? DEFAULT_PER_CALLER;
  if (!Number.isSafeInteger(capacity) || capacity < 1)
    throw new Error("perCaller must be a positive integer");
  const buckets = new Map<string, Map<string, number>>();
  let nextSweep = 0;
  const sweepBucket = (seen: Map<string, number>, now: number) => {
    for (const [jti, exp] of seen) if (exp <= now) seen.delete(jti);
  };
  const sweepAll = (now: number) => {
    for (const [caller, seen] of buckets) {
      sweepBucket(seen, now);
      if (seen.size === 0) buckets.delete(caller);
    }
    nextSweep = now + SWEEP_EVERY_S;
  };
  return {
    admit(caller, jti, exp, now = Math.floor(Date.now() / 1000)) {
      const known = buckets.get(caller)?.get(jti);
      if (known !== undefined && known > now) return "replayed";
      if (now >= nextSweep) sweepAll(now);
      let seen = buckets.get(caller);
      if (!seen) {
        seen = new Map();
        buckets.set(caller, seen);
      }
      if (seen.size >= capacity) sweepBucket(seen, now);
      if (seen.size >= capacity) return "full";
      seen.set(jti, exp);
      return "fresh";
    },
    get size() {
      let total = 0;
      for (const seen of buckets.values()) total += seen.size;
      return total;
    },
  };
}
