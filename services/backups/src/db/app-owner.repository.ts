import { sql } from "kysely";
import type { BackupsDb } from "./database.js";

/**
 * Records the owner of a live app. A deleted app stays deleted (app ids are never reused, and a
 * late redelivery of an earlier event must not bring it back). True when the app is deleted.
 */
export async function upsertAppOwner(
  db: BackupsDb,
  appId: string,
  ownerId: string,
): Promise<{ deleted: boolean }> {
  const row = await db
    .insertInto("app_owners")
    .values({ app_id: appId, owner_id: ownerId })
    .onConflict((oc) => oc.column("app_id").doUpdateSet({ owner_id: ownerId, updated_at: sql`now()` }))
    .returning("deleted_at")
    .executeTakeFirstOrThrow();
  return { deleted: row.deleted_at !== null };
}

/** Marks an app deleted (its row is created if its earlier events never arrived); the first date stays. */
export async function markAppDeleted(db: BackupsDb, appId: string, ownerId: string): Promise<void> {
  await db
    .insertInto("app_owners")
    .values({ app_id: appId, owner_id: ownerId, deleted_at: sql<Date>`now()` })
    .onConflict((oc) =>
      oc.column("app_id").doUpdateSet({
        deleted_at: sql<Date>`coalesce(app_owners.deleted_at, now())`,
        updated_at: sql`now()`,
      }),
    )
    .execute();
}

/** Who owns the app and whether it is deleted, as the app events said; undefined before any arrived. */
export async function findAppOwner(
  db: BackupsDb,
  appId: string,
): Promise<{ ownerId: string; deleted: boolean } | undefined> {
  const row = await db
    .selectFrom("app_owners")
    .select(["owner_id", "deleted_at"])
    .where("app_id", "=", appId)
    .executeTakeFirst();
  return row && { ownerId: row.owner_id, deleted: row.deleted_at !== null };
}
