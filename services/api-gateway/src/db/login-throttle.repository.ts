import { type Kysely, type RawBuilder, sql } from "kysely";
import type { ScopePolicy, ThrottleKey } from "../domain/login-throttle-policy.js";
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
 * Takes one attempt on `key` in a single statement: the row is created, or updated only when its
 * `next_allowed_at` has passed, with the attempt counted and the next delay set. Returns false
 * (and changes nothing) when the key must still wait. The row lock of the upsert serialises
 * concurrent attempts on one key, and each sees the count the previous one left.
 */
export async function reserveThrottleSlot(
  db: Db,
  key: ThrottleKey,
  policy: ScopePolicy,
  forgetAfterMs: number,
): Promise<boolean> {
  const counted = sql<number>`case when t.updated_at < now() - ${forgetAfterMs} * interval '1 millisecond'
    then 1 else t.attempts + 1 end`;
  const result = await sql<{ attempts: number }>`
    insert into login_throttle as t (scope, key_hash, attempts, next_allowed_at, updated_at)
    values (${key.scope}, ${key.keyHash}, 1,
            now() + ${delayMs(policy, sql<number>`1`)} * interval '1 millisecond', now())
    on conflict (scope, key_hash) do update set
      attempts = ${counted},
      next_allowed_at = now() + ${delayMs(policy, counted)} * interval '1 millisecond',
      updated_at = now()
    where t.next_allowed_at <= now()
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

/** A proven-good attempt: its reservation is given back (the count never goes below zero). */
export async function refundThrottleSlot(db: Db, key: ThrottleKey): Promise<void> {
  await db
    .updateTable("login_throttle")
    .set({ attempts: sql<number>`greatest(attempts - 1, 0)` })
    .where("scope", "=", key.scope)
    .where("key_hash", "=", key.keyHash)
    .execute();
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

/** Deletes at most `batch` rows of each table older than the cut-offs (index scans); returns the count. */
export async function pruneLoginThrottle(
  db: GatewayDb,
  cutoffs: { throttleBefore: Date; knownSourceBefore: Date },
  batch: number,
): Promise<number> {
  const throttle = await sql`
    delete from login_throttle where ctid = any(array(
      select ctid from login_throttle where updated_at < ${cutoffs.throttleBefore} limit ${batch}))`.execute(
    db,
  );
  const sources = await sql`
    delete from login_known_sources where ctid = any(array(
      select ctid from login_known_sources where last_success_at < ${cutoffs.knownSourceBefore} limit ${batch}))`.execute(
    db,
  );
  return Number(throttle.numAffectedRows ?? 0n) + Number(sources.numAffectedRows ?? 0n);
}
