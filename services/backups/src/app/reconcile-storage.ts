import { Events } from "@proximity/bus";
import { isAnyOf } from "@proximity/db";
import { sql } from "kysely";
import type { BackupsDb } from "../db/database.js";
import { advanceStorageObservation, type StorageAt } from "../db/storage-observation.repository.js";
import { BackupMessages } from "../domain/backup.js";
import { backupRef, emit } from "../events/publish.js";

export interface StorageListing extends StorageAt {
  readonly observedAt: Date;
  /** Volume ids the storage listed. */
  readonly volids: readonly string[];
}

export interface ReconcileOutcome {
  /** False when a newer listing of this storage was applied already (nothing done). */
  readonly applied: boolean;
  readonly missing: string[];
  readonly back: string[];
}

/**
 * Reconciles the records of one storage with what one node listed on it. A completed record whose
 * archive that node made, completed before the listing was taken, and absent from it becomes
 * `missing` (never restorable) with BackupMissing; a missing record whose archive is listed again
 * is `completed` again. Judged per node: the listing carries no "shared" flag, and a node's own
 * `local` storage says nothing about another node's. A listing older than one already applied is
 * ignored, so a late observation never undoes a newer one.
 */
export async function reconcileStorage(
  trx: BackupsDb,
  listing: StorageListing,
  traceparent: string,
): Promise<ReconcileOutcome> {
  const { hostId, node, storage, observedAt } = listing;
  if (!(await advanceStorageObservation(trx, { hostId, node, storage }, observedAt))) {
    return { applied: false, missing: [], back: [] };
  }
  const volids = [...new Set(listing.volids)];
  const onThisStorage = (status: "completed" | "missing") =>
    trx
      .updateTable("backups")
      .where("host_id", "=", hostId)
      .where("node", "=", node)
      .where("storage", "=", storage)
      .where("status", "=", status);
  const gone = await onThisStorage("completed")
    .set({ status: "missing", error: BackupMessages.missing })
    .where("completed_at", "<", observedAt)
    .where(sql<boolean>`not (volid = any(${sql.val(volids)}::text[]))`)
    .returningAll()
    .execute();
  const back =
    volids.length === 0
      ? []
      : await onThisStorage("missing")
          .set({ status: "completed", error: "" })
          .where(isAnyOf("volid", volids, "text"))
          .returningAll()
          .execute();
  for (const row of gone) {
    await emit(trx, Events.BackupMissing, { backup: backupRef(row) }, row.app_id, traceparent);
  }
  return { applied: true, missing: gone.map((r) => r.id), back: back.map((r) => r.id) };
}
