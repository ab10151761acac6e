/**
 * Operations' progress (an OperationProgressed, the entries of an OperationsProgressed, or the last
 * lines a result carries) as lines for their apps' logs: a failed attempt as a warning, bounds kept
 * (a signed event is still not trusted to be small or clean). Entries of archive deletions, which
 * are about no app, and of ids that name no operation give none.
 */
import type { MessageContext } from "@proximity/bus";
import type { Logger } from "@proximity/logger";
import type { provisionerEventsV1 } from "@proximity/proto";
import type { ApplicationsDb } from "../../db/database.js";
import { appendOperationLogOnce, type OperationLogLine } from "../../db/deployment-log.repository.js";
import { isUuid } from "../../domain/uuid.js";
import { PROVISIONER_EVENTS_DURABLE } from "../durables.js";
import { concernsNoApp } from "../result-kind.js";

/** The provisioner's step for a failed attempt that will be retried (or reported as failed). */
const ATTEMPT_FAILED = "attempt-failed";
/** Lines kept of one operation per event (the provisioner sends at most 50), and of one event (250). */
const MAX_LINES_PER_OPERATION = 100;
const MAX_LINES_PER_EVENT = 500;
/** Characters kept of a step and of a line. */
const MAX_STEP_CHARS = 100;
const MAX_MESSAGE_CHARS = 2_000;
/** PostgreSQL text cannot hold NUL: one in a line would fail the whole event for good. */
const storable = (text: string, max: number) => text.replaceAll("\u0000", "").slice(0, max);

/**
 * Records the lines of a progress event's entries, each for its operation while it runs and is its
 * app's current one, once per event (one statement: appendOperationLogOnce).
 */
export async function recordProgress(
  db: ApplicationsDb,
  entries: readonly provisionerEventsV1.OperationProgressed[],
  ctx: MessageContext,
): Promise<void> {
  const unknown = entries.filter((entry) => !concernsNoApp(entry.kind) && !isUuid(entry.operationId));
  if (unknown.length > 0)
    ctx.log.warn(
      { operationId: unknown[0]?.operationId, entries: unknown.length },
      "progress of an unknown operation; skipped",
    );
  const lines = entries.flatMap((entry) => progressLines(entry, ctx.log));
  if (lines.length > MAX_LINES_PER_EVENT)
    ctx.log.warn({ lines: lines.length }, "progress event too long; lines dropped");
  if (lines.length === 0) return;
  const appended = await appendOperationLogOnce(db, {
    consumer: PROVISIONER_EVENTS_DURABLE,
    eventId: ctx.eventId,
    lines: lines.slice(0, MAX_LINES_PER_EVENT),
  });
  if (appended === 0)
    ctx.log.debug(
      { operations: entries.length },
      "progress already recorded, or its operations are not running; nothing appended",
    );
}

function progressLines(entry: provisionerEventsV1.OperationProgressed, log: Logger): OperationLogLine[] {
  if (concernsNoApp(entry.kind) || !isUuid(entry.operationId)) return [];
  return logLines(entry.operationId, [entry, ...entry.later], log);
}

/** Lines of operation `operationId` for its app's log, within bounds. */
export function logLines(
  operationId: string,
  lines: readonly provisionerEventsV1.ProgressLine[],
  log: Logger,
): OperationLogLine[] {
  if (lines.length > MAX_LINES_PER_OPERATION)
    log.warn({ operationId, lines: lines.length }, "progress of an operation too long; lines dropped");
  return lines.slice(0, MAX_LINES_PER_OPERATION).map((line) => ({
    operationId,
    level: line.step === ATTEMPT_FAILED ? ("warn" as const) : ("info" as const),
    step: storable(line.step || "progress", MAX_STEP_CHARS),
    message: storable(line.message, MAX_MESSAGE_CHARS),
  }));
}
