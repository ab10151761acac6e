import { Events } from "@proximity/bus";
import { ConflictError, NotFoundError } from "@proximity/errors";
import {
  appOfBackup,
  type BackupView,
  findBackup,
  findVisibleBackup,
  removeWithoutArchive,
} from "../db/backup.repository.js";
import { isUuid, whyNotDeletable } from "../domain/backup.js";
import { backupRef, emit } from "../events/publish.js";
import type { BackupsDeps, Caller } from "./deps.js";
import { requestArchiveDeletion } from "./request-archive-deletion.js";

export interface DeleteOutcome {
  readonly backup: BackupView;
  /** True when the record is gone already (it had no archive: failed or missing). */
  readonly deleted: boolean;
}

/**
 * Deletes a backup the caller may reach. A completed one becomes `deleting` and its archive's
 * removal is asked (the record goes when the provisioner confirms); a failed or missing one has
 * no archive and is removed at once. Refused (409) while it runs or a restore runs from it.
 * Asking again while it is being deleted answers the same `deleting` record.
 */
export async function deleteBackup(
  deps: BackupsDeps,
  ids: { appId: string; backupId: string },
  caller: Caller,
): Promise<DeleteOutcome> {
  if (!isUuid(ids.backupId)) throw new NotFoundError("Backup not found");
  const outcome = await deps.db.transaction().execute(async (trx): Promise<DeleteOutcome> => {
    const seen = await findVisibleBackup(trx, ids.backupId, caller.user, ids.appId || undefined);
    if (!seen) throw new NotFoundError("Backup not found");
    const app = appOfBackup(seen);
    const deleting = await requestArchiveDeletion(trx, seen.id, "user", caller.traceparent);
    if (deleting) return { backup: { ...deleting, ...app }, deleted: false };
    const removed = await removeWithoutArchive(trx, seen.id);
    if (removed) {
      await emit(
        trx,
        Events.BackupDeleted,
        { backup: backupRef(removed) },
        removed.app_id,
        caller.traceparent,
      );
      return { backup: { ...removed, ...app }, deleted: true };
    }
    const current = await findBackup(trx, seen.id);
    if (!current) throw new NotFoundError("Backup not found");
    if (current.status === "deleting") return { backup: { ...current, ...app }, deleted: false };
    throw new ConflictError(whyNotDeletable(current.restore_operation_id !== null));
  });
  caller.log.info(
    { appId: outcome.backup.app_id, backupId: outcome.backup.id, deleted: outcome.deleted },
    outcome.deleted ? "backup record removed" : "backup deletion requested",
  );
  return outcome;
}
