import type { EventHandler } from "@proximity/bus";
import type { provisionerEventsV1 } from "@proximity/proto";
import type { ApplicationsDb } from "../../db/database.js";
import { appendOperationLogOnce } from "../../db/deployment-log.repository.js";
import { isUuid } from "../../domain/uuid.js";
import { PROVISIONER_EVENTS_DURABLE } from "../durables.js";
import { concernsNoApp } from "../result-kind.js";

/** The provisioner's step for a failed attempt that will be retried (or reported as failed). */
const ATTEMPT_FAILED = "attempt-failed";

/**
 * Steps of the current operation: a log line each for the app's owner (a failed attempt as a
 * warning), once per event, while the operation runs and is its app's current one. An event
 * carries the lines of steps that began close together: its own, then `later`. Steps of an archive
 * deletion are not about an app: skipped.
 */
export function handleOperationProgressed(
  db: ApplicationsDb,
): EventHandler<provisionerEventsV1.OperationProgressed> {
  return async (event, ctx) => {
    if (concernsNoApp(event.kind)) return;
    if (!isUuid(event.operationId)) {
      ctx.log.warn({ operationId: event.operationId }, "progress of an unknown operation; skipped");
      return;
    }
    const lines = [event, ...event.later].map((line) => ({
      level: line.step === ATTEMPT_FAILED ? ("warn" as const) : ("info" as const),
      step: line.step || "progress",
      message: line.message,
    }));
    const appended = await appendOperationLogOnce(db, {
      consumer: PROVISIONER_EVENTS_DURABLE,
      eventId: ctx.eventId,
      operationId: event.operationId,
      lines,
    });
    if (appended === 0)
      ctx.log.debug(
        { operationId: event.operationId },
        "progress already recorded, or its operation is not running; nothing appended",
      );
  };
}
