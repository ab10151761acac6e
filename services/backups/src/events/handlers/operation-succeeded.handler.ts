import { type EventHandler, processOnce } from "@proximity/bus";
import type { provisionerEventsV1 } from "@proximity/proto";
import type { Kysely } from "kysely";
import { applyOperationResult, archiveKindOf } from "../../app/apply-operation-result.js";
import type { BackupsDatabase } from "../../db/database.js";
import { isUuid } from "../../domain/backup.js";
import { OPERATION_RESULTS_INBOX } from "../durables.js";

/**
 * A backup, restore or archive deletion succeeded: its record settles (completed with the
 * archive, restore succeeded and the archive's claim released, record removed), with the public
 * event in the same transaction. Once per event id; other kinds are not ours.
 */
export function operationSucceededHandler(
  db: Kysely<BackupsDatabase>,
): EventHandler<provisionerEventsV1.OperationSucceeded> {
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
    const archive = event.archive && {
      storage: event.archive.storage,
      volid: event.archive.volid,
      sizeBytes: event.archive.sizeBytes,
      createdAt: event.archive.createdAt ?? null,
    };
    const outcome = await processOnce(db, OPERATION_RESULTS_INBOX, ctx.eventId, (trx) =>
      applyOperationResult(
        trx,
        {
          kind,
          operationId: event.operationId,
          backupId: event.backupId,
          outcome: { ok: true, value: archive },
        },
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
