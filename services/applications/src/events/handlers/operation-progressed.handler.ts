import type { EventHandler } from "@proximity/bus";
import type { provisionerEventsV1 } from "@proximity/proto";
import type { ApplicationsDb } from "../../db/database.js";
import { appendOperationLogOnce } from "../../db/deployment-log.repository.js";
import { PROVISIONER_EVENTS_DURABLE } from "../durables.js";
import { progressLines } from "./progress-lines.js";

/**
 * Steps of one operation, as provisioners before OperationsProgressed report them: a log line each
 * for the app's owner, once per event, while the operation runs and is its app's current one.
 */
export function handleOperationProgressed(
  db: ApplicationsDb,
): EventHandler<provisionerEventsV1.OperationProgressed> {
  return async (event, ctx) => {
    const lines = progressLines(event, ctx.log);
    if (lines.length === 0) return;
    const appended = await appendOperationLogOnce(db, {
      consumer: PROVISIONER_EVENTS_DURABLE,
      eventId: ctx.eventId,
      lines,
    });
    if (appended === 0)
      ctx.log.debug(
        { operationId: event.operationId },
        "progress already recorded, or its operation is not running; nothing appended",
      );
  };
}
