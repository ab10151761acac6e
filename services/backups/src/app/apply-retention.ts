import { Events } from "@proximity/bus";
import { ValidationError } from "@proximity/errors";
import type { Logger } from "@proximity/logger";
import { findPolicyRow } from "../db/backup-policy.repository.js";
import type { BackupRow } from "../db/backups.table.js";
import type { BackupsDb } from "../db/database.js";
import { selectBackupsToPrune } from "../domain/retention.js";
import { backupRef, emit } from "../events/publish.js";
import { requestArchiveDeletion } from "./request-archive-deletion.js";

/**
 * Retention after a scheduled backup of the app completed: the policy's keep rules (Proxmox's
 * prune-backups semantics, in the policy's time zone) over the app's completed scheduled backups.
 * Manual backups are never pruned: a backup someone made on purpose stays until they delete it.
 * Each pruned archive goes `deleting` with the provisioner's request, and one BackupsPruned names
 * them all. An archive a restore is reading is skipped this time (the next run reconsiders it).
 */
export async function applyRetention(
  trx: BackupsDb,
  appId: string,
  traceparent: string,
  log: Logger,
): Promise<BackupRow[]> {
  const policy = await findPolicyRow(trx, appId);
  if (!policy) return [];
  const candidates = await trx
    .selectFrom("backups")
    .selectAll()
    .where("app_id", "=", appId)
    .where("status", "=", "completed")
    .where("trigger", "=", "scheduled")
    .forUpdate()
    .execute();
  let prune: readonly string[];
  try {
    prune = selectBackupsToPrune(
      candidates.map((b) => ({
        id: b.id,
        createdAt: b.archive_created_at ?? b.completed_at ?? b.created_at,
      })),
      {
        keepLast: policy.keep_last,
        keepHourly: policy.keep_hourly,
        keepDaily: policy.keep_daily,
        keepWeekly: policy.keep_weekly,
        keepMonthly: policy.keep_monthly,
        keepYearly: policy.keep_yearly,
      },
      policy.time_zone,
    ).prune;
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    // A stored policy is validated when saved; this only guards against data from elsewhere.
    log.error({ err, appId }, "retention skipped: the stored policy is invalid");
    return [];
  }
  const pruned: BackupRow[] = [];
  for (const id of prune) {
    const row = await requestArchiveDeletion(trx, id, "retention", traceparent);
    if (row) pruned.push(row);
  }
  if (pruned.length > 0) {
    await emit(trx, Events.BackupsPruned, { appId, backups: pruned.map(backupRef) }, appId, traceparent);
    log.info({ appId, pruned: pruned.map((b) => b.id) }, "retention pruned backups");
  }
  return pruned;
}
