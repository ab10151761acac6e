import type { MessageContext } from "@proximity/bus";
import type { provisionerEventsV1 } from "@proximity/proto";
import type { Kysely } from "kysely";
import { applyOperationResult, archiveKindOf } from "../../app/apply-operation-result.js";
import type { BackupsDatabase } from "../../db/database.js";
import { isUuid } from "../../domain/backup.js";

/**
 * A result that could not be applied after every delivery: its record is settled as failed (a
 * deletion: completed again) so it does not stay in flight for ever. If even that fails, the
 * consumer leaves the message for redelivery.
 */
export function recordUnappliedResult(db: Kysely<BackupsDatabase>) {
  return async (
    event: provisionerEventsV1.OperationSucceeded | provisionerEventsV1.OperationFailed,
    ctx: MessageContext,
  ): Promise<void> => {
    const kind = archiveKindOf(event.kind);
    if (!kind || !isUuid(event.operationId) || !isUuid(event.backupId)) return;
    const reason = "The result could not be recorded; check the backup storage";
    await db
      .transaction()
      .execute((trx) =>
        applyOperationResult(
          trx,
          { kind, operationId: event.operationId, backupId: event.backupId, outcome: { ok: false, reason } },
          ctx.traceparent,
          ctx.log,
        ),
      );
    ctx.log.error(
      { kind, operationId: event.operationId },
      "unapplied provisioner result recorded as a failure",
    );
  };
}
