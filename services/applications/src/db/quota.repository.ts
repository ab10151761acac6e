import type { OutboxRecord } from "@proximity/bus";
import { type Kysely, sql } from "kysely";
import type { ApplicationsDatabase } from "./database.js";
import type { UserQuotasTable } from "./placement.tables.js";
import { recordedIf } from "./recorded-event.js";

type Db = Kysely<ApplicationsDatabase>;

/**
 * Counts one more live app for `userId` if that stays within their limit (`defaultMax` when they
 * have none). One conditional UPDATE: the row lock serialises a user's concurrent requests and
 * the WHERE decides, so N concurrent deploys over a limit of k let exactly k through. A user's
 * first app finds no row: it is made (or found made by a concurrent first app) and the UPDATE runs
 * again. Updating first keeps a deploy to one statement and one wait for the row (an INSERT … ON
 * CONFLICT before it waited for a concurrent holder of the row too). `event` (the placement's) is
 * recorded by the statement that counts the app, and only by it: a round trip fewer per placement.
 * @returns false when the quota is reached (and nothing was recorded).
 */
export async function reserveAppSlot(
  db: Db,
  userId: string,
  defaultMax: number,
  event?: OutboxRecord<unknown>,
): Promise<boolean> {
  if (await countOneMore(db, userId, defaultMax, event)) return true;
  // No row (a first app) or the limit reached: make the row if missing and ask again.
  await db
    .insertInto("user_quotas")
    .values({ user_id: userId, max_apps: null, live_apps: 0 })
    .onConflict((oc) => oc.column("user_id").doNothing())
    .execute();
  return countOneMore(db, userId, defaultMax, event);
}

async function countOneMore(
  db: Db,
  userId: string,
  defaultMax: number,
  event: OutboxRecord<unknown> | undefined,
): Promise<boolean> {
  const countedHere = sql<boolean>`exists (select from counted)`;
  const row = await db
    .with("counted", (qc) =>
      qc
        .updateTable("user_quotas")
        .set({ live_apps: sql`live_apps + 1` })
        .where("user_id", "=", userId)
        .where("live_apps", "<", sql<number>`coalesce(max_apps, ${defaultMax})`)
        .returning("user_id"),
    )
    .with("recorded", () => recordedIf(event, countedHere))
    .selectNoFrom(countedHere.as("counted"))
    .executeTakeFirstOrThrow();
  return row.counted;
}

/** One live app fewer (in the transaction that makes the app gone). */
export async function releaseAppSlot(db: Db, userId: string): Promise<void> {
  await db
    .updateTable("user_quotas")
    .set({ live_apps: sql`live_apps - 1` })
    .where("user_id", "=", userId)
    .where("live_apps", ">", 0)
    .execute();
}

export async function findQuota(db: Db, userId: string): Promise<UserQuotasTable | undefined> {
  return db.selectFrom("user_quotas").selectAll().where("user_id", "=", userId).executeTakeFirst();
}

/** Sets (or, with null, clears) a user's own limit. */
export async function setMaxApps(db: Db, userId: string, maxApps: number | null): Promise<UserQuotasTable> {
  return db
    .insertInto("user_quotas")
    .values({ user_id: userId, max_apps: maxApps, live_apps: 0 })
    .onConflict((oc) => oc.column("user_id").doUpdateSet({ max_apps: maxApps }))
    .returningAll()
    .executeTakeFirstOrThrow();
}
