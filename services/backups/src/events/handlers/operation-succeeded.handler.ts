import { type EventHandler, PermanentFailure, processOnce } from "@proximity/bus";
import { provisionerEventsV1 } from "@proximity/proto";
import type { Kysely } from "kysely";
import { createDefaultPolicy } from "../../app/create-default-policy.js";
import type { BackupsDatabase } from "../../db/database.js";

/**
 * A deployment succeeded: the app gets its default backup policy. Idempotent twice over: the
 * inbox row (same transaction) drops redeliveries, and the insert never overwrites a policy.
 */
export function operationSucceededHandler(
  db: Kysely<BackupsDatabase>,
  consumer: string,
): EventHandler<provisionerEventsV1.OperationSucceeded> {
  return async (event, ctx) => {
    if (event.kind !== provisionerEventsV1.OperationKind.OPERATION_KIND_DEPLOY) return;
    if (!event.appId) throw new PermanentFailure("OperationSucceeded without app_id");
    const outcome = await processOnce(db, consumer, ctx.eventId, (trx) =>
      createDefaultPolicy(trx, event.appId),
    );
    ctx.log.info(
      { appId: event.appId, duplicate: !outcome.processed, created: outcome.processed && outcome.result },
      "deployment seen by backups",
    );
  };
}
