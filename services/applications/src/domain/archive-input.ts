import { ConflictError, type FieldError } from "@proximity/errors";
import { isUuid } from "./uuid.js";

/**
 * Problems with the ids the backups service chooses for an archive operation: both are UUIDs (its
 * records and the provisioner's request agree on them), field errors named as in the request.
 */
export function archiveIdProblems(ids: { operationId: string; backupId: string }): FieldError[] {
  const problems: FieldError[] = [];
  if (!isUuid(ids.operationId)) problems.push({ field: "operation_id", message: "must be a UUID" });
  if (!isUuid(ids.backupId)) problems.push({ field: "backup_id", message: "must be a UUID" });
  return problems;
}

const REASON_MAX = 500;

/** The reason an abandoned operation gives, trimmed to a log line's size ("" → a generic one). */
export function abandonReason(reason: string): string {
  const trimmed = reason.trim().slice(0, REASON_MAX);
  return trimmed || "the backups service could not record it";
}

/** An operation id the backups service chose twice for different things (409). */
export function operationIdUsed(cause?: unknown): ConflictError {
  return new ConflictError("This operation id was already used for another operation", cause);
}
