import { Events } from "@proximity/bus";
import type { Logger } from "@proximity/logger";
import { deleteBackupRow, lockBackup, undoDeleting } from "../db/backup.repository.js";
import type { BackupsDb } from "../db/database.js";
import { backupRef, emit } from "../events/publish.js";
import type { OperationOutcome, Settled } from "./settle-backup.js";

/**
 * The provisioner's result of removing an archive: the record goes (BackupDeleted, except for
 * retention, whose BackupsPruned already named it); on failure the record is `completed` again
 * with the reason (the archive is still there, so it stays restorable).
 */
export async function settleArchiveDeletion(
  trx: BackupsDb,
  ids: { backupId: string; operationId: string },
  outcome: OperationOutcome,
  traceparent: string,
  log: Logger,
): Promise<Settled> {
  const row = await lockBackup(trx, ids.backupId);
  if (row?.status !== "deleting" || row.delete_operation_id !== ids.operationId) {
    log.info({ ...ids, status: row?.status }, "archive deletion result for no deletion of ours; ignored");
    return "ignored";
  }
  if (outcome.ok) {
    await deleteBackupRow(trx, row.id);
    if (row.delete_reason !== "retention") {
      await emit(trx, Events.BackupDeleted, { backup: backupRef(row) }, row.app_id, traceparent);
    }
    log.info({ ...ids, appId: row.app_id, reason: row.delete_reason }, "backup deleted");
    return "completed";
  }
  const kept = await undoDeleting(trx, row.id, `The archive could not be deleted: ${outcome.reason}`);
  log.warn({ ...ids, appId: kept.app_id, reason: outcome.reason }, "archive deletion failed; backup kept");
  return "failed";
}
