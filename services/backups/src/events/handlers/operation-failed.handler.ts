import { type EventHandler, processOnce } from "@proximity/bus";
import type { provisionerEventsV1 } from "@proximity/proto";
import type { Kysely } from "kysely";
import { applyOperationResult, archiveKindOf } from "../../app/apply-operation-result.js";
import type { BackupsDatabase } from "../../db/database.js";
import { isUuid } from "../../domain/backup.js";
import { OPERATION_RESULTS_INBOX } from "../durables.js";

/**
 * A backup, restore or archive deletion was given up: the backup fails with the provisioner's safe
 * reason, the restore fails and releases the archive, a deletion leaves the backup completed with
 * the reason. Once per event id; other kinds are not ours.
 */
export function operationFailedHandler(
  db: Kysely<BackupsDatabase>,
): EventHandler<provisionerEventsV1.OperationFailed> {
  return async (event, ctx) => {
    const kind = archiveKindOf(event.kind);
    if (!kind) return;
    if (!isUuid(event.operationId) || !isUuid(event.backupId)) {
      ctx.log.warn(
        { operationId: event.operationId, backupId: event.backupId, kind },
        "result without ids; ignored",
      );
      return;
    }
    const reason = event.reason || "The operation failed";
    const outcome = await processOnce(db, OPERATION_RESULTS_INBOX, ctx.eventId, (trx) =>
      applyOperationResult(
        trx,
        { kind, operationId: event.operationId, backupId: event.backupId, outcome: { ok: false, reason } },
        ctx.traceparent,
        ctx.log,
      ),
    );
    ctx.log.debug(
      { kind, operationId: event.operationId, duplicate: !outcome.processed },
      "operation result seen",
    );
  };
}
