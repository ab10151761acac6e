import type { Logger } from "@proximity/logger";
import { provisionerEventsV1 } from "@proximity/proto";
import type { ArchiveFacts } from "../db/backup.repository.js";
import type { BackupsDb } from "../db/database.js";
import { settleArchiveDeletion } from "./settle-archive-deletion.js";
import { type OperationOutcome, type Settled, settleBackup } from "./settle-backup.js";
import { settleRestore } from "./settle-restore.js";

const Kind = provisionerEventsV1.OperationKind;

/** The operation kinds this service asks for (the provisioner reports every kind on one subject). */
export type ArchiveOperationKind = "backup" | "restore" | "delete_backup";

export function archiveKindOf(kind: provisionerEventsV1.OperationKind): ArchiveOperationKind | undefined {
  switch (kind) {
    case Kind.OPERATION_KIND_BACKUP:
      return "backup";
    case Kind.OPERATION_KIND_RESTORE:
      return "restore";
    case Kind.OPERATION_KIND_DELETE_BACKUP:
      return "delete_backup";
    default:
      return undefined;
  }
}

export interface OperationResult {
  readonly kind: ArchiveOperationKind;
  readonly operationId: string;
  readonly backupId: string;
  /** A success carries the archive for a backup (nothing for the other kinds). */
  readonly outcome: OperationOutcome<ArchiveFacts | undefined>;
}

/** Settles the record an operation result is about, in the caller's transaction. */
export async function applyOperationResult(
  trx: BackupsDb,
  result: OperationResult,
  traceparent: string,
  log: Logger,
): Promise<Settled> {
  const { kind, operationId, backupId, outcome } = result;
  const plain: OperationOutcome = outcome.ok ? { ok: true, value: undefined } : outcome;
  switch (kind) {
    case "backup": {
      const archived: OperationOutcome<ArchiveFacts> =
        outcome.ok && outcome.value
          ? { ok: true, value: outcome.value }
          : outcome.ok
            ? { ok: true, value: { storage: "", volid: "", sizeBytes: 0, createdAt: null } }
            : outcome;
      return settleBackup(trx, { backupId, operationId }, archived, traceparent, log);
    }
    case "restore":
      return settleRestore(trx, operationId, plain, traceparent, log);
    case "delete_backup":
      return settleArchiveDeletion(trx, { backupId, operationId }, plain, traceparent, log);
  }
}
