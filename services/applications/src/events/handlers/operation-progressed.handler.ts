import { type EventHandler, processOnce } from "@proximity/bus";
import type { provisionerEventsV1 } from "@proximity/proto";
import { currentOperation } from "../../app/settle-operation.js";
import type { ApplicationsDb } from "../../db/database.js";
import { appendLog } from "../../db/deployment-log.repository.js";
import { PROVISIONER_EVENTS_DURABLE } from "../durables.js";
import { concernsNoApp } from "../result-kind.js";

/** The provisioner's step for a failed attempt that will be retried (or reported as failed). */
const ATTEMPT_FAILED = "attempt-failed";

/**
 * A step of the current operation: one log line for the app's owner (a failed attempt as a
 * warning). Steps of an archive deletion are not about an app: skipped.
 */
export function handleOperationProgressed(
  db: ApplicationsDb,
): EventHandler<provisionerEventsV1.OperationProgressed> {
  return async (event, ctx) => {
    if (concernsNoApp(event.kind)) return;
    await processOnce(db, PROVISIONER_EVENTS_DURABLE, ctx.eventId, async (trx) => {
      const current = await currentOperation(trx, event.operationId, ctx.log);
      if (!current) return;
      await appendLog(trx, {
        appId: current.app.id,
        level: event.step === ATTEMPT_FAILED ? "warn" : "info",
        step: event.step || "progress",
        message: event.message,
      });
    });
  };
}
