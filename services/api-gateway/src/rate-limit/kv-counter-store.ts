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
/** Hits admitted locally are added to the shared counter this often (and whenever the allowance is used up). */
const SYNC_INTERVAL_MS = 200;
/** How often counters of ended windows are dropped (checked on each hit, so no timer to stop). */
const SWEEP_INTERVAL_MS = 5_000;
/** Share of a limit one replica may admit on its own between two syncs, and its cap. */
const LOCAL_SHARE = 0.05;
const MAX_LOCAL_ALLOWANCE = 1_000;

const isCasConflict = (err: unknown) =>
  (err as { api_error?: { err_code?: number } } | null)?.api_error?.err_code === WRONG_LAST_SEQUENCE;

/**
 * How many hits a replica may admit on a key without reaching the shared counter: 5 % of the
 * limit, at most 1,000; 0 for limits under 20, which are then counted exactly, hit by hit.
 */
export function localAllowance(max: number): number {
  return Math.min(MAX_LOCAL_ALLOWANCE, Math.floor(max * LOCAL_SHARE));
}

/** One key in one window, as this replica knows it. */
interface LocalCounter {
  readonly kvKey: string;
  readonly windowEnd: number;
  /** The shared count as last read from the bucket (this replica's synced hits included). */
  synced: number;
  /** Hits this replica admitted that are not in the bucket yet. */
  pending: number;
  flushing?: Promise<void>;
}

/**
 * Rate-limit counters in a NATS JetStream key-value bucket (KvBuckets.gatewayRateLimits, declared by
 * setup: max_age = the longest window), counted locally between syncs.
 * A window is a fixed slot of wall-clock time, so every replica counts into the same key
 * `<window number>.<sha256 of the limiter key>` (bounded length, no address or user id in clear).
 *
 * A replica admits a hit on its own (no round trip) while the count it knows (the shared count at
 * its last sync plus its own unsynced hits) is within the limit and its unsynced hits are under
 * `localAllowance(max)`; past the allowance the hit waits for a sync. Syncs add the unsynced hits
 * to the shared counter with compare-and-set (retried on a conflict, with a little jitter) and
 * read back the total, every SYNC_INTERVAL_MS while there are any. So the limit holds across
 * replicas within a bounded error: at most `replicas × localAllowance(max)` hits more than the
 * limit in one window (5 % of it per replica, at most 1,000), and exactly for limits under 20.
 * Once a key is over its limit its hits are refused on local knowledge alone, without contention.
 * A sync that lost every round leaves its hits for the next one; a hit that had to be counted
 * alone and lost every round passes uncounted (bounded by the concurrency of one burst).
 *
 * When NATS is down or slow a hit that needs the bucket rejects at once (or after
 * HIT_DEADLINE_MS) and is logged; the rate-limit plugin then lets the request through: the limit
 * is an abuse guard, and failing closed would turn a NATS outage into an outage of the whole API.
 * Login throttling, which must hold, lives in PostgreSQL.
 */
export function createKvCounterStore(options: KvCounterStoreOptions): CounterStore {
  const log = options.logger.child({ component: "rate-limit" });
  const bucket = rateLimitBucket(options.ns);
  const counters = new Map<string, LocalCounter>();
  let kvFor: { nc: NatsConnection; kv: Promise<KV> } | undefined;
  let lastWarning = 0;
  let syncTimer: NodeJS.Timeout | undefined;

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

  const warn = (err: unknown) => {
    if (Date.now() - lastWarning < WARN_EVERY_MS) return;
    lastWarning = Date.now();
    log.warn(
      { err, bucket },
      "rate-limit store unreachable or failing: requests are not rate limited until it answers",
    );
  };

  /**
   * Adds `delta` to the shared counter; the new total, or undefined when every round lost. With
   * `max`, a counter already over it is left as it is (a refused hit adds no contention).
   */
  const addShared = async (kvKey: string, delta: number, max?: number): Promise<number | undefined> => {
    const nc = options.connection.current();
    if (!nc) throw new Error("not connected to NATS");
    const kv = await kvOf(nc);
    for (let round = 0; round < MAX_CAS_ROUNDS; round++) {
      const entry = await kv.get(kvKey);
      const live = entry?.operation === "PUT" ? entry : null;
      const current = live ? Number(live.string()) || 0 : 0;
      if (max !== undefined && current > max) return current;
      try {
        if (live) await kv.update(kvKey, String(current + delta), live.revision);
        else await kv.create(kvKey, String(current + delta));
        return current + delta;
      } catch (err) {
        if (!isCasConflict(err)) throw err;
      }
      await new Promise((r) => setTimeout(r, Math.random() * 4));
    }
    log.debug({ bucket }, "rate-limit counter contended");
    return undefined;
  };

  const withDeadline = async <T>(work: Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("rate-limit store timed out")), HIT_DEADLINE_MS);
    });
    try {
      return await Promise.race([work, deadline]);
    } finally {
      clearTimeout(timer);
    }
  };

  /**
   * Adds the counter's unsynced hits to the shared one (one sync at a time per counter). The
   * deadline bounds the caller's wait, not the sync: a sync that lands after its caller gave up
   * still takes its hits off `pending`, so they are never added twice (false 429s on a slow bus).
   */
  const sync = (counter: LocalCounter): Promise<void> => {
    if (!counter.flushing && counter.pending > 0) {
      const delta = counter.pending;
      counter.flushing = addShared(counter.kvKey, delta)
        .then((total) => {
          if (total === undefined) return;
          counter.pending -= delta;
          counter.synced = Math.max(counter.synced, total);
        })
        .finally(() => {
          counter.flushing = undefined;
        });
    }
    return counter.flushing ? withDeadline(counter.flushing) : Promise.resolve();
  };

  /** Forgets counters of windows that ended (at most every few seconds): the map holds live keys only. */
  let nextSweep = 0;
  const sweep = (now: number) => {
    if (now < nextSweep) return;
    nextSweep = now + SWEEP_INTERVAL_MS;
    for (const [key, counter] of counters)
      if (counter.windowEnd <= now && !counter.flushing) counters.delete(key);
  };

  const syncAll = () => {
    syncTimer = undefined;
    const now = Date.now();
    let more = false;
    for (const [key, counter] of counters) {
      // A window that ended is never read again: its unsynced hits no longer matter.
      if (counter.windowEnd <= now) counters.delete(key);
      else if (counter.pending > 0) {
        more = true;
        sync(counter).catch(warn);
      }
    }
    if (more) scheduleSync();
  };
  const scheduleSync = () => {
    if (syncTimer) return;
    syncTimer = setTimeout(syncAll, SYNC_INTERVAL_MS);
    syncTimer.unref();
  };

  const counterFor = (key: string, windowMs: number, now: number): LocalCounter => {
    sweep(now);
    const window = Math.floor(now / windowMs);
    const id = `${windowMs}.${window}.${key}`;
    let counter = counters.get(id);
    if (!counter) {
      const kvKey = `${windowMs}.${window}.${createHash("sha256").update(key).digest("base64url")}`;
      counter = { kvKey, windowEnd: (window + 1) * windowMs, synced: 0, pending: 0 };
      counters.set(id, counter);
    }
    return counter;
  };

  /** The hit decided on what this replica knows, or undefined when it must reach the bucket. */
  const decideLocally = (counter: LocalCounter, max: number, ttl: number): CounterState | undefined => {
    const known = counter.synced + counter.pending;
    if (known > max) return { current: known, ttl };
    if (counter.pending < localAllowance(max)) {
      counter.pending++;
      scheduleSync();
      return { current: known + 1, ttl };
    }
    return undefined;
  };

  return {
    hit: async (key, windowMs, max) => {
      const now = Date.now();
      const counter = counterFor(key, windowMs, now);
      const ttl = counter.windowEnd - now;
      const local = decideLocally(counter, max, ttl);
      if (local) return local;
      try {
        // The allowance is used up: sync, then decide again on fresh knowledge.
        await sync(counter);
        const fresh = decideLocally(counter, max, ttl);
        if (fresh) return fresh;
        // Still no allowance (limits under 20, or a sync racing this hit): count this hit alone.
        const total = await withDeadline(addShared(counter.kvKey, 1, max));
        if (total === undefined) return { current: max, ttl };
        counter.synced = Math.max(counter.synced, total);
        return { current: total, ttl };
      } catch (err) {
        warn(err);
        throw err;
      }
    },
  };
}
