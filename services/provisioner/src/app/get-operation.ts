/** The journal of one operation, with its steps (SRE and gateway view). */
import { NotFoundError, ValidationError } from "@proximity/errors";
import type { Db } from "../db/database.js";
import { findOperation, type OperationRow } from "../db/operation.repository.js";
import { findSteps, type StepRow } from "../db/operation-step.repository.js";

export async function getOperation(
  db: Db,
  id: string,
): Promise<{ operation: OperationRow; steps: StepRow[] }> {
  if (!id) throw new ValidationError("id is required", [{ field: "id", message: "required" }]);
  const operation = await findOperation(db, id);
  if (!operation) throw new NotFoundError("Operation not found");
  return { operation, steps: await findSteps(db, id) };
}
