import type { Kysely, Transaction } from "kysely";
import type { BackupPolicy } from "../domain/backup-policy.js";
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

export async function findPolicy(db: Db, appId: string): Promise<BackupPolicy | undefined> {
  const row = await db
    .selectFrom("backup_policies")
    .selectAll()
    .where("app_id", "=", appId)
    .executeTakeFirst();
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
