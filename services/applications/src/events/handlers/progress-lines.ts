/**
 * An operation's progress entry (an OperationProgressed, alone or in an OperationsProgressed) as
 * lines for its app's log: a failed attempt as a warning, bounds kept (a signed event is still not
 * trusted to be small or clean). Entries of archive deletions, which are about no app, and of ids
 * that name no operation give none.
 */
import type { Logger } from "@proximity/logger";
import type { provisionerEventsV1 } from "@proximity/proto";
import type { OperationLogLine } from "../../db/deployment-log.repository.js";
import { isUuid } from "../../domain/uuid.js";
import { concernsNoApp } from "../result-kind.js";

/** The provisioner's step for a failed attempt that will be retried (or reported as failed). */
const ATTEMPT_FAILED = "attempt-failed";
/** Lines kept of one operation per event (the provisioner sends at most 50), and characters of a step and a line. */
const MAX_LINES = 100;
const MAX_STEP_CHARS = 100;
const MAX_MESSAGE_CHARS = 2_000;
/** PostgreSQL text cannot hold NUL: one in a line would fail the whole event for good. */
const storable = (text: string, max: number) => text.replaceAll("\u0000", "").slice(0, max);

export function progressLines(
  entry: provisionerEventsV1.OperationProgressed,
  log: Logger,
): OperationLogLine[] {
  if (concernsNoApp(entry.kind)) return [];
  const { operationId } = entry;
  if (!isUuid(operationId)) {
    log.warn({ operationId }, "progress of an unknown operation; skipped");
    return [];
  }
  const all = [entry, ...entry.later];
  if (all.length > MAX_LINES)
    log.warn({ operationId, lines: all.length }, "progress of an operation too long; lines dropped");
  return all.slice(0, MAX_LINES).map((line) => ({
    operationId,
    level: line.step === ATTEMPT_FAILED ? ("warn" as const) : ("info" as const),
    step: storable(line.step || "progress", MAX_STEP_CHARS),
    message: storable(line.message, MAX_MESSAGE_CHARS),
  }));
}
