import { type EventHandler, processOnce } from "@proximity/bus";
import type { applicationsEventsV1 } from "@proximity/proto";
import type { Kysely } from "kysely";
import { settleBackup } from "../../app/settle-backup.js";
import { settleRestore } from "../../app/settle-restore.js";
import type { BackupsDatabase } from "../../db/database.js";
import { isUuid } from "../../domain/backup.js";
import { APP_EVENTS_CONSUMER } from "../durables.js";

/**
 * AppOperationFailed of a backup or a restore: the applications service gave the operation up
 * (the provisioner's failure, or its deadline passed without a result). A record still running
 * fails with the same reason, so it never blocks the app's next backup; one the provisioner's
 * result settled already is left as it is. Once per event id.
 */
export function appOperationFailedHandler(
  db: Kysely<BackupsDatabase>,
): EventHandler<applicationsEventsV1.AppOperationFailed> {
  return async (event, ctx) => {
    if (event.operation !== "backup" && event.operation !== "restore") return;
    if (!isUuid(event.operationId)) return;
    const reason = event.reason || `The ${event.operation} failed`;
    const outcome = await processOnce(db, APP_EVENTS_CONSUMER, ctx.eventId, async (trx) => {
      if (event.operation === "restore") {
        return settleRestore(trx, event.operationId, { ok: false, reason }, ctx.traceparent, ctx.log);
      }
      const backup = await trx
        .selectFrom("backups")
        .select("id")
        .where("operation_id", "=", event.operationId)
        .executeTakeFirst();
      if (!backup) return "ignored" as const;
      return settleBackup(
        trx,
        { backupId: backup.id, operationId: event.operationId },
        { ok: false, reason },
        ctx.traceparent,
        ctx.log,
      );
    });
    ctx.log.info(
      {
        operationId: event.operationId,
        operation: event.operation,
        duplicate: !outcome.processed,
        settled: outcome.processed ? outcome.result : undefined,
      },
      "failed archive operation seen by backups",
    );
  };
}
