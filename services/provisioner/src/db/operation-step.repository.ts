import { type Selectable, sql } from "kysely";
import type { DbOrTrx } from "./database.js";
import type { OperationStepsTable, StepStatus } from "./operation-steps.table.js";

export type StepRow = Selectable<OperationStepsTable>;

export async function findSteps(db: DbOrTrx, operationId: string): Promise<StepRow[]> {
  return db
    .selectFrom("operation_steps")
    .selectAll()
    .where("operation_id", "=", operationId)
    .orderBy("updated_at")
    .execute();
}

/** The steps of several operations (one query), each operation's in the order they last changed. */
export async function findStepsOf(db: DbOrTrx, operationIds: readonly string[]): Promise<StepRow[]> {
  if (operationIds.length === 0) return [];
  return db
    .selectFrom("operation_steps")
    .selectAll()
    .where("operation_id", "in", operationIds)
    .orderBy("updated_at")
    .execute();
}

export async function findStep(db: DbOrTrx, operationId: string, name: string): Promise<StepRow | undefined> {
  return db
    .selectFrom("operation_steps")
    .selectAll()
    .where("operation_id", "=", operationId)
    .where("name", "=", name)
    .executeTakeFirst();
}

/** Sets a step's status (creating the row on first use); keeps its UPID and detail unless given. */
export async function setStepStatus(
  db: DbOrTrx,
  operationId: string,
  name: string,
  status: StepStatus,
  detail?: string,
): Promise<void> {
  const changes = detail === undefined ? { status } : { status, detail };
  await db
    .insertInto("operation_steps")
    .values({ operation_id: operationId, name, status, upid: null, detail: detail ?? null })
    .onConflict((oc) =>
      oc.columns(["operation_id", "name"]).doUpdateSet({ ...changes, updated_at: sql`now()` }),
    )
    .execute();
}

/** Records the task a step started. Called before the task is polled (resume after a crash). */
export async function saveStepUpid(
  db: DbOrTrx,
  operationId: string,
  name: string,
  upid: string | null,
): Promise<void> {
  await db
    .updateTable("operation_steps")
    .set({ upid, updated_at: sql`now()` })
    .where("operation_id", "=", operationId)
    .where("name", "=", name)
    .execute();
}

/** Forgets steps, e.g. those tied to a VMID that had to be abandoned. */
export async function deleteSteps(db: DbOrTrx, operationId: string, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  await db
    .deleteFrom("operation_steps")
    .where("operation_id", "=", operationId)
    .where("name", "in", [...names])
    .execute();
}
