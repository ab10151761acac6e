import { Events } from "@proximity/bus";
import type { Logger } from "@proximity/logger";
import { applicationsEventsV1 } from "@proximity/proto";
import { type Kysely, sql } from "kysely";
import { findAppById } from "../db/app.repository.js";
import type { ApplicationsDatabase, ApplicationsDb } from "../db/database.js";
import { timeOutExpiredOperations } from "../db/operation.repository.js";
import { timedOutMessage } from "../domain/operation-messages.js";
import { appRef, emit } from "./app-events.js";
import type { LifeCycleSettings } from "./life-cycle-settings.js";
import { settleFailure } from "./settle-operation.js";

const BATCH = 50;

/**
 * Fails every running operation past its deadline, once, even with several replicas reaping at
 * the same time (the operations are claimed FOR UPDATE SKIP LOCKED in the same transaction that
 * settles their apps). The app settles in `error` with an explanation and needs attention: nobody
 * knows what the provisioner did. A result arriving later finds the operation finished and is ignored.
 * @returns how many operations were failed.
 */
export async function reapExpiredOperations(
  db: ApplicationsDb,
  settings: LifeCycleSettings,
  log: Logger,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const expired = await timeOutExpiredOperations(trx, BATCH);
    for (const op of expired) {
      const app = await findAppById(trx, op.app_id);
      if (!app || app.current_operation_id !== op.id) continue;
      const minutes = Math.round(settings.deadlinesMs[op.kind] / 60_000);
      const reason = timedOutMessage(op.kind, minutes);
      const settled = await settleFailure(trx, { op, app }, { reason, attempts: 0, containerStatus: "" }, "");
      await raiseAttention(trx, settled.id, reason);
      await emit(
        trx,
        Events.AppNeedsAttention,
        {
          app: appRef(settled),
          kind: applicationsEventsV1.AttentionKind.ATTENTION_KIND_OPERATION_TIMED_OUT,
          reason,
        },
        settled,
        "",
      );
      log.warn({ appId: app.id, operationId: op.id, kind: op.kind }, "operation timed out; app set to error");
    }
    return expired.length;
  });
}

async function raiseAttention(
  trx: Kysely<ApplicationsDatabase>,
  appId: string,
  reason: string,
): Promise<void> {
  await trx
    .updateTable("apps")
    .set({ attention: reason, attention_kind: "operation_timed_out", attention_since: sql<Date>`now()` })
    .where("id", "=", appId)
    .execute();
}
