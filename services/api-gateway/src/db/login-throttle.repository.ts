import { type Kysely, type RawBuilder, sql } from "kysely";
import type { ScopePolicy, ThrottleKey, ThrottleScope } from "../domain/login-throttle-policy.js";
import type { GatewayDb, GatewayTables } from "./database.js";

type Db = Kysely<GatewayTables>;

/** SQL twin of domain delayAfterAttempts (ms), on an SQL expression of the attempt count. */
function delayMs(policy: ScopePolicy, attempts: RawBuilder<number>): RawBuilder<number> {
  return sql<number>`case when ${attempts} < ${policy.freeAttempts} then 0
    else least(${policy.maxDelayMs}::float8,
               ${policy.baseDelayMs}::float8 * power(2::float8, least(${attempts} - ${policy.freeAttempts}, 30)))
    end`;
}

/**
 * SQL twin of domain leakFailures on the row `t`: whole leak periods since `counted_at`, the
 * count left now, and the clock that goes with it.
 */
function leakOf(policy: ScopePolicy) {
  const leaked = sql<number>`greatest(floor(extract(epoch from now() - t.counted_at) * 1000 / ${policy.leakMs}), 0)::int`;
  const attempts = sql<number>`greatest(t.attempts - ${leaked}, 0)`;
  const countedAt = sql<Date>`case when t.attempts - ${leaked} <= 0 then now()
    else t.counted_at + ${leaked} * ${policy.leakMs} * interval '1 millisecond' end`;
  return { attempts, countedAt };
}

/**
 * Takes one attempt on `key` in a single statement: the row is created, or updated only when its
 * `next_allowed_at` has passed, with the failures leaked so far taken off, the attempt counted and
 * the next delay set. Returns false (and changes nothing) when the key must still wait. The row
 * lock of the upsert serialises concurrent attempts on one key, and each sees the count the
 * previous one left. The wait is checked against the clock, not now() (the transaction's start):
 * an attempt that queued behind the lock must not be refused by a free attempt's
 * `next_allowed_at = now()` stamped by a transaction that started after its own.
 */
export async function reserveThrottleSlot(db: Db, key: ThrottleKey, policy: ScopePolicy): Promise<boolean> {
  const now = leakOf(policy);
  const counted = sql<number>`(${now.attempts} + 1)`;
  const result = await sql<{ attempts: number }>`
    insert into login_throttle as t (scope, key_hash, attempts, counted_at, next_allowed_at, updated_at)
    values (${key.scope}, ${key.keyHash}, 1, now(),
            now() + ${delayMs(policy, sql<number>`1`)} * interval '1 millisecond', now())
    on conflict (scope, key_hash) do update set
      attempts = ${counted},
      counted_at = ${now.countedAt},
      next_allowed_at = now() + ${delayMs(policy, counted)} * interval '1 millisecond',
      updated_at = now()
    where t.next_allowed_at <= clock_timestamp()
    returning attempts`.execute(db);
  return result.rows.length === 1;
}

/** When `key` may be tried again (null when it has no row). */
export async function throttleNextAllowedAt(db: Db, key: ThrottleKey): Promise<Date | null> {
  const row = await db
    .selectFrom("login_throttle")
    .select("next_allowed_at")
    .where("scope", "=", key.scope)
    .where("key_hash", "=", key.keyHash)
    .executeTakeFirst();
  return row ? new Date(row.next_allowed_at) : null;
}

/**
 * A proven-good attempt: its reservation is given back (after the leak so far; never below zero).
 * With `endDelay` the key's current delay ends too: the wait its own reservation set, and any
 * left by earlier failures (the next failure sets a delay again from the count).
 */
export async function refundThrottleSlot(
  db: Db,
  key: ThrottleKey,
  policy: ScopePolicy,
  options: { endDelay: boolean },
): Promise<void> {
  const now = leakOf(policy);
  const nextAllowedAt = options.endDelay
    ? sql<Date>`least(t.next_allowed_at, now())`
    : sql<Date>`t.next_allowed_at`;
  await sql`
    update login_throttle as t set
      attempts = greatest(${now.attempts} - 1, 0),
      counted_at = ${now.countedAt},
      next_allowed_at = ${nextAllowedAt},
      updated_at = now()
    where t.scope = ${key.scope} and t.key_hash = ${key.keyHash}`.execute(db);
}

/** Forgets a key altogether (a pair after a success). */
export async function clearThrottleKey(db: Db, key: ThrottleKey): Promise<void> {
  await db
    .deleteFrom("login_throttle")
    .where("scope", "=", key.scope)
    .where("key_hash", "=", key.keyHash)
    .execute();
}

/** True when the source signed in successfully since `since`. */
export async function isKnownSource(db: GatewayDb, sourceHash: string, since: Date): Promise<boolean> {
  const row = await db
    .selectFrom("login_known_sources")
    .select("source_hash")
    .where("source_hash", "=", sourceHash)
    .where("last_success_at", ">", since)
    .executeTakeFirst();
  return row !== undefined;
}

export async function rememberKnownSource(db: GatewayDb, sourceHash: string): Promise<void> {
  await db
    .insertInto("login_known_sources")
    .values({ source_hash: sourceHash })
    .onConflict((oc) => oc.column("source_hash").doUpdateSet({ last_success_at: sql`now()` }))
    .execute();
}

/**
 * Deletes at most `batch` rows of each table older than the cut-offs (index scans); returns the
 * count. A throttle row goes once nobody touched it since `throttleBefore`, its delay is over and
 * all its failures have leaked away (each scope at its own pace, `leakMsByScope`).
 */
export async function pruneLoginThrottle(
  db: GatewayDb,
  cutoffs: { throttleBefore: Date; knownSourceBefore: Date },
  leakMsByScope: Readonly<Record<ThrottleScope, number>>,
  batch: number,
): Promise<number> {
  const leakMs = sql<number>`case scope
    when 'pair' then ${leakMsByScope.pair}::float8
    when 'address' then ${leakMsByScope.address}::float8
    else ${leakMsByScope.account}::float8 end`;
  const throttle = await sql`
    delete from login_throttle where ctid = any(array(
      select ctid from login_throttle
      where updated_at < ${cutoffs.throttleBefore}
        and next_allowed_at <= now()
        and counted_at + attempts * ${leakMs} * interval '1 millisecond' <= now()
      limit ${batch}))`.execute(db);
  const sources = await sql`
    delete from login_known_sources where ctid = any(array(
      select ctid from login_known_sources where last_success_at < ${cutoffs.knownSourceBefore} limit ${batch}))`.execute(
    db,
  );
  return Number(throttle.numAffectedRows ?? 0n) + Number(sources.numAffectedRows ?? 0n);
}
