import { NotFoundError } from "@proximity/errors";
import { type BackupView, findVisibleBackup } from "../db/backup.repository.js";
import type { BackupsDb } from "../db/database.js";
import { isUuid } from "../domain/backup.js";
import type { Viewer } from "../domain/viewer.js";

/**
 * One backup (of `appId` when given) as `viewer` may see it. Someone else's backup, a backup of a
 * deleted app for a user, and an unknown id are the same NotFound.
 */
export async function getBackup(
  db: BackupsDb,
  ids: { appId: string; backupId: string },
  viewer: Viewer,
): Promise<BackupView> {
  const backup = isUuid(ids.backupId)
    ? await findVisibleBackup(db, ids.backupId, viewer, ids.appId || undefined)
    : undefined;
  if (!backup) throw new NotFoundError("Backup not found");
  return backup;
}
