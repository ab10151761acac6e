import type { Kysely, Transaction } from "kysely";
import type { BackupPolicy } from "../domain/backup-policy.js";
import type { Viewer } from "../domain/viewer.js";
import type { BackupsDatabase } from "./database.js";

type Db = Kysely<BackupsDatabase> | Transaction<BackupsDatabase>;

/** Inserts a policy unless the app has one (an existing policy is never overwritten); true when inserted. */
export async function insertPolicyIfAbsent(
  db: Db,
  policy: Omit<BackupPolicy, "updatedAt">,
): Promise<boolean> {
  const res = await db
    .insertInto("backup_policies")
    .values({
      app_id: policy.appId,
      enabled: policy.enabled,
      schedule: policy.schedule,
      keep_last: policy.keepLast,
    })
    .onConflict((oc) => oc.column("app_id").doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
}

/**
 * An app's policy as `viewer` may see it: an admin sees any; a user only the policy of a live app
 * they own (app_owners, from the app events). Undefined otherwise, and for an unknown app.
 */
export async function findPolicy(db: Db, appId: string, viewer: Viewer): Promise<BackupPolicy | undefined> {
  let query = db.selectFrom("backup_policies as p").selectAll("p").where("p.app_id", "=", appId);
  if (!viewer.isAdmin) {
    query = query
      .innerJoin("app_owners as o", "o.app_id", "p.app_id")
      .where("o.owner_id", "=", viewer.id)
      .where("o.deleted_at", "is", null);
  }
  const row = await query.executeTakeFirst();
  return (
    row && {
      appId: row.app_id,
      enabled: row.enabled,
      schedule: row.schedule,
      keepLast: row.keep_last,
      updatedAt: row.updated_at,
    }
  );
}
