import { createHash } from "node:crypto";
import { KvBuckets, openKvBucket } from "@proximity/bus";
import type { Logger } from "@proximity/logger";
import type { KV, NatsConnection } from "nats";
import { rateLimitBucket } from "./rate-limit-bucket.js";
import type { RateLimitConnection } from "./rate-limit-connection.js";

/** A counter after one more hit: the count in the current window and the ms until it ends. */
export interface CounterState {
  readonly current: number;
  readonly ttl: number;
}

/** Fixed-window counters shared by every gateway replica. */
export interface CounterStore {
  /** Counts one hit on `key`; rejects when the store cannot be reached (callers fail open). */
  hit(key: string, windowMs: number, max: number): Promise<CounterState>;
}

export interface KvCounterStoreOptions {
  readonly connection: RateLimitConnection;
  /** Bus namespace: the bucket is `<ns>_ratelimit`. */
  readonly ns: string;
  /** The longest window any limit uses: the bucket must keep a counter that long. */
  readonly windowMs: number;
  /**
   * Create the bucket if absent (BUS_DECLARE_STREAMS, a NATS without authentication); otherwise
   * bind to the one setup declared (KvBuckets.gatewayRateLimits), with no right to change it.
   */
  readonly declare: boolean;
  readonly logger: Logger;
}

/** Longest a hit may take; past it the request goes on unlimited (fail open). */
const HIT_DEADLINE_MS = 500;
/** Compare-and-set rounds on one key; each round at least one contender's write wins. */
const MAX_CAS_ROUNDS = 16;
/** JetStream's "wrong last sequence": another replica wrote the key since we read it. */
const WRONG_LAST_SEQUENCE = 10071;
/** At most one "store unreachable" warning per this period. */
const WARN_EVERY_MS = 60_000;

const isCasConflict = (err: unknown) =>
  (err as { api_error?: { err_code?: number } } | null)?.api_error?.err_code === WRONG_LAST_SEQUENCE;

/**
 * Rate-limit counters in a NATS JetStream key-value bucket (KvBuckets.gatewayRateLimits, declared by
 * setup: max_age = the longest window).
 * A window is a fixed slot of wall-clock time, so every replica counts into the same key
 * `<window number>.<sha256 of the limiter key>` (bounded length, no address or user id in clear).
 * A hit reads the count and writes count+1 only if the key's revision is unchanged, retrying on
 * a conflict (with a little jitter); a key already over its limit is not written again, so once
 * a burst has crossed the limit its hits are refused on the read alone, without contention. A hit
 * that lost every round passes uncounted: that can only happen to hits in flight while the
 * count was still under the limit, so the overshoot is bounded by the concurrency of one burst.
 *
 * When NATS is down or slow the hit rejects at once (or after HIT_DEADLINE_MS) and is logged;
 * the rate-limit plugin then lets the request through: the limit is an abuse guard, and failing
 * closed would turn a NATS outage into an outage of the whole API. Login throttling, which must
 * hold, lives in PostgreSQL.
 */
export function createKvCounterStore(options: KvCounterStoreOptions): CounterStore {
  const log = options.logger.child({ component: "rate-limit" });
  const bucket = rateLimitBucket(options.ns);
  let kvFor: { nc: NatsConnection; kv: Promise<KV> } | undefined;
  let lastWarning = 0;

  const kvOf = (nc: NatsConnection): Promise<KV> => {
    if (kvFor?.nc !== nc) {
      // Small entries (the whole message counts, the compare-and-set header too), a minute each:
      // the bucket's definition in the bus topology.
      const kv = openKvBucket(
        nc.jetstream({ timeout: HIT_DEADLINE_MS }),
        options.ns,
        KvBuckets.gatewayRateLimits,
        {
          declare: options.declare,
          ttlMs: options.windowMs,
        },
      ).then(({ kv, ttlMs }) => {
        if (ttlMs < options.windowMs)
          throw new Error(
            `the ${bucket} bucket keeps a counter ${ttlMs} ms, shorter than a ${options.windowMs} ms window`,
          );
        return kv;
      });
      kvFor = { nc, kv };
      // A failed bind is retried on the next hit.
      kv.catch(() => {
        if (kvFor?.kv === kv) kvFor = undefined;
      });
    }
    return kvFor.kv;
  };

  const count = async (nc: NatsConnection, key: string, windowMs: number, max: number) => {
    const now = Date.now();
    const window = Math.floor(now / windowMs);
    const ttl = (window + 1) * windowMs - now;
    const kvKey = `${windowMs}.${window}.${createHash("sha256").update(key).digest("base64url")}`;
    const kv = await kvOf(nc);
    for (let round = 0; round < MAX_CAS_ROUNDS; round++) {
      const entry = await kv.get(kvKey);
      const live = entry?.operation === "PUT" ? entry : null;
      const current = live ? Number(live.string()) || 0 : 0;
      if (current > max) return { current, ttl };
      try {
        if (live) await kv.update(kvKey, String(current + 1), live.revision);
        else await kv.create(kvKey, String(current + 1));
        return { current: current + 1, ttl };
      } catch (err) {
        if (!isCasConflict(err)) throw err;
      }
      await new Promise((r) => setTimeout(r, Math.random() * 4));
    }
    log.debug({ bucket }, "rate-limit counter contended: hit passed uncounted");
    return { current: max, ttl };
  };

  const warn = (err: unknown) => {
    if (Date.now() - lastWarning < WARN_EVERY_MS) return;
    lastWarning = Date.now();
    log.warn(
      { err, bucket },
      "rate-limit store unreachable or failing: requests are not rate limited until it answers",
    );
  };

  return {
    hit: async (key, windowMs, max) => {
      const nc = options.connection.current();
      try {
        if (!nc) throw new Error("not connected to NATS");
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error("rate-limit store timed out")), HIT_DEADLINE_MS);
        });
        try {
          return await Promise.race([count(nc, key, windowMs, max), deadline]);
        } finally {
          clearTimeout(timer);
        }
      } catch (err) {
        warn(err);
        throw err;
      }
    },
  };
}
