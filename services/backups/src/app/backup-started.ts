import { Events } from "@proximity/bus";
import type { BackupRow } from "../db/backups.table.js";
import type { BackupsDb } from "../db/database.js";
import { backupRef, emit } from "../events/publish.js";

/**
 * A backup is running: the provisioner's request and the public BackupStarted, in the transaction
 * that recorded it (so neither exists without the other). `notAfter` is the claim's deadline: a
 * request delivered after it must not start any more.
 */
export async function emitBackupStarted(
  trx: BackupsDb,
  row: BackupRow,
  notAfter: Date | undefined,
  traceparent: string,
): Promise<void> {
  await emit(
    trx,
    Events.BackupRequested,
    {
      operationId: row.operation_id,
      backupId: row.id,
      appId: row.app_id,
      hostId: row.host_id ?? "",
      node: row.node ?? "",
      vmid: row.vmid ?? 0,
      mode: row.mode,
      compression: row.compression,
      storage: row.storage,
      notAfter,
    },
    row.app_id,
    traceparent,
  );
  await emit(
    trx,
    Events.BackupStarted,
    { backup: backupRef(row), operationId: row.operation_id },
    row.app_id,
    traceparent,
  );
}
