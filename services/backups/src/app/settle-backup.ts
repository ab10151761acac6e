import { Events } from "@proximity/bus";
import type { Logger } from "@proximity/logger";
import {
  type ArchiveFacts,
  archiveRecordedElsewhere,
  completeBackup,
  failBackup,
  lockBackup,
} from "../db/backup.repository.js";
import type { BackupsDb } from "../db/database.js";
import { BackupMessages } from "../domain/backup.js";
import { backupRef, emit } from "../events/publish.js";
import { applyRetention } from "./apply-retention.js";

export type OperationOutcome<T = undefined> = { ok: true; value: T } | { ok: false; reason: string };

export type Settled = "completed" | "failed" | "ignored";

const DUPLICATE_ARCHIVE = "The archive is already recorded for another backup";

/**
 * The provisioner's result of a backup: `completed` only with an archive that has a volume id and
 * a size (else failed: "vzdump ended without an archive"); `failed` with the provisioner's safe
 * reason. Once: only a running record of that very operation changes. A success arriving after
 * the record was failed (the applications service's deadline gave up first) still records the
 * archive: it exists, and an unrecorded archive would never be restorable or pruned.
 * A completed scheduled backup runs retention in the same transaction.
 */
export async function settleBackup(
  trx: BackupsDb,
  ids: { backupId: string; operationId: string },
  outcome: OperationOutcome<ArchiveFacts>,
  traceparent: string,
  log: Logger,
): Promise<Settled> {
  const row = await lockBackup(trx, ids.backupId);
  if (!row || row.operation_id !== ids.operationId) {
    log.warn(ids, "backup result for no backup of ours; ignored");
    return "ignored";
  }
  const lateSuccess = outcome.ok && row.status === "failed" && row.volid === null && row.host_id !== null;
  if (row.status !== "running" && !lateSuccess) {
    log.info({ ...ids, status: row.status }, "backup result for a settled backup; ignored");
    return "ignored";
  }
  let reason = outcome.ok ? "" : outcome.reason;
  if (outcome.ok) {
    const archive = outcome.value;
    if (!archive.volid || !(archive.sizeBytes > 0)) reason = BackupMessages.noArchive;
    else if (await archiveRecordedElsewhere(trx, row.id, row.host_id ?? "", archive.volid)) {
      log.error({ ...ids, volid: archive.volid }, "archive already recorded for another backup");
      reason = DUPLICATE_ARCHIVE;
    } else {
      const done = await completeBackup(trx, row.id, {
        ...archive,
        storage: archive.storage || archive.volid.split(":")[0] || row.storage,
      });
      await emit(
        trx,
        Events.BackupCompleted,
        {
          backup: backupRef(done),
          operationId: ids.operationId,
          completedAt: done.completed_at ?? new Date(),
        },
        done.app_id,
        traceparent,
      );
      log.info(
        { ...ids, appId: done.app_id, volid: done.volid, sizeBytes: done.size_bytes },
        "backup completed",
      );
      if (done.trigger === "scheduled") await applyRetention(trx, done.app_id, traceparent, log);
      return "completed";
    }
    if (lateSuccess) return "ignored";
  }
  const failed = await failBackup(trx, row.id, reason || "The backup failed");
  await emit(
    trx,
    Events.BackupFailed,
    { backup: backupRef(failed), operationId: ids.operationId, reason: failed.error },
    failed.app_id,
    traceparent,
  );
  log.info({ ...ids, appId: failed.app_id, reason: failed.error }, "backup failed");
  return "failed";
}
