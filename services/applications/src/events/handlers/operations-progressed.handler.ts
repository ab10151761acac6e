import type { EventHandler } from "@proximity/bus";
import type { provisionerEventsV1 } from "@proximity/proto";
import type { ApplicationsDb } from "../../db/database.js";
import { appendOperationLogOnce } from "../../db/deployment-log.repository.js";
import { PROVISIONER_EVENTS_DURABLE } from "../durables.js";
import { progressLines } from "./progress-lines.js";

/** Operations kept of one event (the provisioner sends at most 250 lines, so as many operations). */
const MAX_OPERATIONS = 500;

/**
 * Steps of the operations a provisioner replica ran side by side: a log line each for the app's
 * owner, once per event, for each operation while it runs and is its app's current one (one
 * statement for them all: appendOperationLogOnce).
 */
export function handleOperationsProgressed(
  db: ApplicationsDb,
): EventHandler<provisionerEventsV1.OperationsProgressed> {
  return async (event, ctx) => {
    if (event.operations.length > MAX_OPERATIONS)
      ctx.log.warn({ operations: event.operations.length }, "progress event too long; operations dropped");
    const lines = event.operations.slice(0, MAX_OPERATIONS).flatMap((entry) => progressLines(entry, ctx.log));
    if (lines.length === 0) return;
    const appended = await appendOperationLogOnce(db, {
      consumer: PROVISIONER_EVENTS_DURABLE,
      eventId: ctx.eventId,
      lines,
    });
    if (appended === 0)
      ctx.log.debug(
        { operations: event.operations.length },
        "progress already recorded, or its operations are not running; nothing appended",
      );
  };
}
