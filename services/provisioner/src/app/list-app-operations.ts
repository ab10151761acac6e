/** The journal of one app: its operations, newest first, each with its steps (SRE view). */
import { ValidationError } from "@proximity/errors";
import type { Db } from "../db/database.js";
import { listOperationsOfApp, type OperationRow } from "../db/operation.repository.js";
import { findStepsOf, type StepRow } from "../db/operation-step.repository.js";

export const DEFAULT_APP_OPERATIONS_LIMIT = 20;
export const MAX_APP_OPERATIONS_LIMIT = 100;

export interface JournaledOperation {
  readonly operation: OperationRow;
  readonly steps: StepRow[];
}

/**
 * An app id the provisioner never worked on has no operations: an empty list, not an error (the
 * provisioner does not know which apps exist; the applications service does).
 */
export async function listAppOperations(db: Db, appId: string, limit: number): Promise<JournaledOperation[]> {
  if (!appId) throw new ValidationError("app_id is required", [{ field: "app_id", message: "required" }]);
  const want = Math.min(limit > 0 ? limit : DEFAULT_APP_OPERATIONS_LIMIT, MAX_APP_OPERATIONS_LIMIT);
  const operations = await listOperationsOfApp(db, appId, want);
  const steps = await findStepsOf(
    db,
    operations.map((o) => o.id),
  );
  return operations.map((operation) => ({
    operation,
    steps: steps.filter((s) => s.operation_id === operation.id),
  }));
}
