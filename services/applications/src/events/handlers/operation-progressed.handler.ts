import type { EventHandler } from "@proximity/bus";
import type { provisionerEventsV1 } from "@proximity/proto";
import type { ApplicationsDb } from "../../db/database.js";
import { appendOperationLogOnce } from "../../db/deployment-log.repository.js";
import { isUuid } from "../../domain/uuid.js";
import { PROVISIONER_EVENTS_DURABLE } from "../durables.js";
import { concernsNoApp } from "../result-kind.js";

/** The provisioner's step for a failed attempt that will be retried (or reported as failed). */
const ATTEMPT_FAILED = "attempt-failed";
/** Lines kept of one event (the provisioner sends at most 50), and characters of a step and a line. */
const MAX_LINES = 100;
const MAX_STEP_CHARS = 100;
const MAX_MESSAGE_CHARS = 2_000;
/** PostgreSQL text cannot hold NUL: one in a line would fail the whole event for good. */
const storable = (text: string, max: number) => text.replaceAll("\u0000", "").slice(0, max);

/**
 * Steps of the current operation: a log line each for the app's owner (a failed attempt as a
 * warning), once per event, while the operation runs and is its app's current one. An event
 * carries the lines of steps that began close together: its own, then `later` (kept within bounds:
 * a signed event is still not trusted to be small). Steps of an archive deletion are not about an
 * app: skipped.
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
    const all = [event, ...event.later];
    if (all.length > MAX_LINES)
      ctx.log.warn(
        { operationId: event.operationId, lines: all.length },
        "progress event too long; lines dropped",
      );
    const lines = all.slice(0, MAX_LINES).map((line) => ({
      level: line.step === ATTEMPT_FAILED ? ("warn" as const) : ("info" as const),
      step: storable(line.step || "progress", MAX_STEP_CHARS),
      message: storable(line.message, MAX_MESSAGE_CHARS),
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
