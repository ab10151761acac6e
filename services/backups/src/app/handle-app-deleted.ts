import { Events } from "@proximity/bus";
import type { Logger } from "@proximity/logger";
import { type AppFacts, markAppDeleted } from "../db/app-owner.repository.js";
import { deleteBackupRow, failBackup, lockAppBackups } from "../db/backup.repository.js";
import { disablePolicy } from "../db/backup-policy.repository.js";
import type { BackupsDb } from "../db/database.js";
import { backupRef, emit } from "../events/publish.js";
import { requestArchiveDeletion } from "./request-archive-deletion.js";

export interface AppDeletion {
  /** The app as its deletion describes it: its owner and names are kept. */
  readonly app: AppFacts;
  /** The owner asked for the app's backups to go too. */
  readonly deleteBackups: boolean;
}

export interface AppDeletionOutcome {
  readonly deleting: number;
  readonly removed: number;
  /** Archives a restore (into a new app) is reading right now: kept. */
  readonly keptRestoring: number;
}

const SKIPPED_APP_DELETED = "Skipped: the app was deleted";

/**
 * An app is gone. Its owner no longer reaches its policy or backups (admins still do), its
 * schedule stops, and a scheduled backup still waiting will not run. With `deleteBackups` every
 * archive is removed from its storage (completed → deleting + the provisioner's request), and
 * records without an archive (failed, missing) go at once; an archive a restore is reading stays
 * (deleting it mid-restore would break the new app) and can be deleted afterwards.
 */
export async function handleAppDeleted(
  trx: BackupsDb,
  deletion: AppDeletion,
  traceparent: string,
  log: Logger,
): Promise<AppDeletionOutcome> {
  const { appId } = deletion.app;
  await markAppDeleted(trx, deletion.app);
  await disablePolicy(trx, appId);
  const outcome = { deleting: 0, removed: 0, keptRestoring: 0 };
  for (const pending of await lockAppBackups(trx, appId, ["pending"])) {
    const failed = await failBackup(trx, pending.id, SKIPPED_APP_DELETED);
    await emit(
      trx,
      Events.BackupFailed,
      { backup: backupRef(failed), operationId: failed.operation_id, reason: SKIPPED_APP_DELETED },
      appId,
      traceparent,
    );
  }
  if (!deletion.deleteBackups) return outcome;
  for (const row of await lockAppBackups(trx, appId, ["completed", "failed", "missing"])) {
    if (row.status === "completed") {
      if (await requestArchiveDeletion(trx, row.id, "app_deleted", traceparent)) outcome.deleting++;
      else outcome.keptRestoring++;
      continue;
    }
    await deleteBackupRow(trx, row.id);
    await emit(trx, Events.BackupDeleted, { backup: backupRef(row) }, appId, traceparent);
    outcome.removed++;
  }
  if (outcome.keptRestoring > 0) {
    log.warn(
      { appId, kept: outcome.keptRestoring },
      "archives being restored from were kept; delete them later",
    );
  }
  return outcome;
}
