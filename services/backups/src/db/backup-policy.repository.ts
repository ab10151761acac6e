import { type Insertable, sql } from "kysely";
import type { BackupPolicy, PolicySettings } from "../domain/backup-policy.js";
import { DEFAULT_BACKUP_POLICY } from "../domain/backup-policy.js";
import type { Viewer } from "../domain/viewer.js";
import type { BackupPoliciesTable, BackupPolicyRow } from "./backup-policies.table.js";
import type { BackupsDb } from "./database.js";

export function toPolicy(row: BackupPolicyRow): BackupPolicy {
  return {
    appId: row.app_id,
    enabled: row.enabled,
    schedule: row.schedule,
    timeZone: row.time_zone,
    mode: row.mode,
    compression: row.compression,
    keepLast: row.keep_last,
    keepHourly: row.keep_hourly,
    keepDaily: row.keep_daily,
    keepWeekly: row.keep_weekly,
    keepMonthly: row.keep_monthly,
    keepYearly: row.keep_yearly,
    nextRunAt: row.next_run_at,
    lastRunAt: row.last_run_at,
    updatedAt: row.updated_at,
  };
}

/** The row of an app's default policy (DEFAULT_BACKUP_POLICY), as each insert of it writes it. */
export function defaultPolicyRow(appId: string) {
  const d = DEFAULT_BACKUP_POLICY;
  return {
    app_id: appId,
    enabled: d.enabled,
    schedule: d.schedule,
    time_zone: d.timeZone,
    mode: d.mode,
    compression: d.compression,
    keep_last: d.keepLast,
    keep_hourly: d.keepHourly,
    keep_daily: d.keepDaily,
    keep_weekly: d.keepWeekly,
    keep_monthly: d.keepMonthly,
    keep_yearly: d.keepYearly,
    next_run_at: null,
  } satisfies Insertable<BackupPoliciesTable>;
}

/** Gives the app the default policy unless it has one (never overwritten); true when inserted. */
export async function insertDefaultPolicyIfAbsent(db: BackupsDb, appId: string): Promise<boolean> {
  const res = await db
    .insertInto("backup_policies")
    .values(defaultPolicyRow(appId))
    .onConflict((oc) => oc.column("app_id").doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
}

/**
 * An app's policy as `viewer` may see it: an admin sees any; a user only the policy of a live app
 * they own (app_owners, from the app events). Undefined otherwise, and for an unknown app.
 */
export async function findPolicy(
  db: BackupsDb,
  appId: string,
  viewer: Viewer,
): Promise<BackupPolicy | undefined> {
  const row = await db
    .selectFrom("backup_policies as p")
    .selectAll("p")
    .where("p.app_id", "=", appId)
    .$if(!viewer.isAdmin, (qb) =>
      qb
        .innerJoin("app_owners as o", "o.app_id", "p.app_id")
        .where("o.owner_id", "=", viewer.id)
        .where("o.deleted_at", "is", null),
    )
    .executeTakeFirst();
  return row && toPolicy(row);
}

/** The stored policy of an app (no visibility rule: for the service's own work). */
export async function findPolicyRow(db: BackupsDb, appId: string): Promise<BackupPolicyRow | undefined> {
  return db.selectFrom("backup_policies").selectAll().where("app_id", "=", appId).executeTakeFirst();
}

/** Replaces (or creates) an app's policy. */
export async function savePolicy(
  db: BackupsDb,
  appId: string,
  settings: PolicySettings,
  nextRunAt: Date | null,
): Promise<BackupPolicy> {
  const values = {
    enabled: settings.enabled,
    schedule: settings.schedule.expression,
    time_zone: settings.timeZone,
    mode: settings.mode,
    compression: settings.compression,
    keep_last: settings.keepLast,
    keep_hourly: settings.keepHourly,
    keep_daily: settings.keepDaily,
    keep_weekly: settings.keepWeekly,
    keep_monthly: settings.keepMonthly,
    keep_yearly: settings.keepYearly,
    next_run_at: nextRunAt,
  };
  const row = await db
    .insertInto("backup_policies")
    .values({ app_id: appId, ...values })
    .onConflict((oc) => oc.column("app_id").doUpdateSet({ ...values, updated_at: sql<Date>`now()` }))
    .returningAll()
    .executeTakeFirstOrThrow();
  return toPolicy(row);
}

/** Turns an app's schedule off (its app is gone). */
export async function disablePolicy(db: BackupsDb, appId: string): Promise<void> {
  await db
    .updateTable("backup_policies")
    .set({ enabled: false, next_run_at: null, updated_at: sql<Date>`now()` })
    .where("app_id", "=", appId)
    .where("enabled", "=", true)
    .execute();
}

/** A due policy with the owner of its app (undefined when no app event named one yet). */
export interface DuePolicy extends BackupPolicyRow {
  readonly owner_id: string | null;
  readonly app_deleted: boolean;
}

/**
 * Enabled policies whose next run is due (or unknown), locked for this transaction and skipped by
 * every other replica's scheduler (FOR UPDATE SKIP LOCKED): each due slot is taken by one replica.
 */
export async function lockDuePolicies(db: BackupsDb, now: Date, limit: number): Promise<DuePolicy[]> {
  const rows = await db
    .selectFrom("backup_policies as p")
    .leftJoin("app_owners as o", "o.app_id", "p.app_id")
    .selectAll("p")
    .select(["o.owner_id", sql<boolean>`o.deleted_at is not null`.as("app_deleted")])
    .where("p.enabled", "=", true)
    .where((eb) => eb.or([eb("p.next_run_at", "<=", now), eb("p.next_run_at", "is", null)]))
    .orderBy("p.next_run_at")
    .limit(limit)
    .forUpdate(["p"])
    .skipLocked()
    .execute();
  return rows;
}

/** Moves a policy on to its next slot, remembering the slot just taken (if any). */
export async function advancePolicy(
  db: BackupsDb,
  appId: string,
  nextRunAt: Date,
  lastRunAt: Date | null,
): Promise<void> {
  await db
    .updateTable("backup_policies")
    .set(lastRunAt ? { next_run_at: nextRunAt, last_run_at: lastRunAt } : { next_run_at: nextRunAt })
    .where("app_id", "=", appId)
    .execute();
}
