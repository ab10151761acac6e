import { randomUUID } from "node:crypto";
import { Events } from "@proximity/bus";
import { markDeleting } from "../db/backup.repository.js";
import type { BackupRow } from "../db/backups.table.js";
import type { BackupsDb } from "../db/database.js";
import type { DeleteReason } from "../domain/backup.js";
import { emit } from "../events/publish.js";

/**
 * completed → deleting and the provisioner asked to remove the archive, in the caller's
 * transaction. Undefined when the backup is not completed or a restore runs from it (the
 * conditional update decides, so a delete and a restore never both start).
 */
export async function requestArchiveDeletion(
  trx: BackupsDb,
  backupId: string,
  reason: DeleteReason,
  traceparent: string,
): Promise<BackupRow | undefined> {
  const row = await markDeleting(trx, backupId, randomUUID(), reason);
  if (!row) return undefined;
  await emit(
    trx,
    Events.BackupDeleteRequested,
    {
      operationId: row.delete_operation_id ?? "",
      backupId: row.id,
      appId: row.app_id,
      hostId: row.host_id ?? "",
      node: row.node ?? "",
      storage: row.storage,
      volid: row.volid ?? "",
    },
    row.app_id,
    traceparent,
  );
  return row;
}
