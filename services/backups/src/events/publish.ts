import { addToOutbox, type EventDefinition, newTraceparent } from "@proximity/bus";
import type { backupsEventsV1 } from "@proximity/proto";
import type { BackupRow } from "../db/backups.table.js";
import type { BackupsDb } from "../db/database.js";

/** A backup as the public events describe it (after the change). */
export function backupRef(row: BackupRow): backupsEventsV1.BackupRef {
  return {
    backupId: row.id,
    appId: row.app_id,
    ownerId: row.owner_id,
    hostId: row.host_id ?? "",
    node: row.node ?? "",
    vmid: row.vmid ?? 0,
    storage: row.storage,
    volid: row.volid ?? "",
    sizeBytes: row.size_bytes ?? 0,
    mode: row.mode,
    trigger: row.trigger,
  };
}

/**
 * Adds an event about an app's backups to the outbox of the caller's transaction: it is published
 * (by the relay) if and only if the change it reports commits. `ce-subject` is the app id.
 */
export async function emit<T>(
  trx: BackupsDb,
  event: EventDefinition<T>,
  payload: T,
  appId: string,
  traceparent: string,
): Promise<void> {
  await addToOutbox(trx, event, payload, {
    source: "backups",
    traceparent: traceparent || newTraceparent(),
    subject: appId,
  });
}
