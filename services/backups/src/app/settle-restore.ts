import { Events } from "@proximity/bus";
import type { Logger } from "@proximity/logger";
import { backupsEventsV1 } from "@proximity/proto";
import { findBackup, releaseRestoreClaim } from "../db/backup.repository.js";
import type { BackupsDb } from "../db/database.js";
import { finishRestore } from "../db/restore.repository.js";
import { backupRef, emit } from "../events/publish.js";
import type { OperationOutcome, Settled } from "./settle-backup.js";

/**
 * The provisioner's result of a restore: the restore record succeeds or fails (once: only a
 * running one changes), the archive's claim is given back (it can be restored or deleted again),
 * and RestoreCompleted / RestoreFailed tell who listens.
 */
export async function settleRestore(
  trx: BackupsDb,
  operationId: string,
  outcome: OperationOutcome,
  traceparent: string,
  log: Logger,
): Promise<Settled> {
  const restore = await finishRestore(trx, operationId, outcome.ok ? { ok: true } : outcome);
  if (!restore) {
    log.info({ operationId }, "restore result for no running restore of ours; ignored");
    return "ignored";
  }
  const backup =
    (await releaseRestoreClaim(trx, restore.backup_id, operationId)) ??
    (await findBackup(trx, restore.backup_id));
  const ref = backup
    ? backupRef(backup)
    : backupsEventsV1.BackupRef.fromPartial({ backupId: restore.backup_id, appId: restore.source_app_id });
  const common = { backup: ref, operationId, targetAppId: restore.target_app_id, newApp: restore.new_app };
  if (outcome.ok) {
    await emit(trx, Events.RestoreCompleted, common, restore.target_app_id, traceparent);
  } else {
    await emit(
      trx,
      Events.RestoreFailed,
      { ...common, reason: outcome.reason },
      restore.target_app_id,
      traceparent,
    );
  }
  log.info(
    { operationId, backupId: restore.backup_id, targetAppId: restore.target_app_id, status: restore.status },
    outcome.ok ? "restore completed" : "restore failed",
  );
  return outcome.ok ? "completed" : "failed";
}
