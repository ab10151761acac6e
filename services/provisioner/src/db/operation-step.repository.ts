import { type Selectable, sql } from "kysely";
import type { DbOrTrx } from "./database.js";
import type { OperationStepsTable, StepStatus } from "./operation-steps.table.js";

export type StepRow = Selectable<OperationStepsTable>;

export async function findSteps(db: DbOrTrx, operationId: string): Promise<StepRow[]> {
  return db
    .selectFrom("operation_steps")
    .selectAll()
    .where("operation_id", "=", operationId)
    .orderBy("started_at")
    .orderBy("updated_at")
    .execute();
}

/** The steps of several operations (one query), each operation's in the order they began. */
export async function findStepsOf(db: DbOrTrx, operationIds: readonly string[]): Promise<StepRow[]> {
  if (operationIds.length === 0) return [];
  return db
    .selectFrom("operation_steps")
    .selectAll()
    .where("operation_id", "in", operationIds)
    .orderBy("started_at")
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

/** A step's new status, with its detail when there is one to keep (e.g. an IP address). */
export interface StepStatusChange {
  readonly name: string;
  readonly status: StepStatus;
  readonly detail?: string | undefined;
}

/** Sets a step's status (creating the row on first use); keeps its UPID and detail unless given. */
export async function setStepStatus(
  db: DbOrTrx,
  operationId: string,
  name: string,
  status: StepStatus,
  detail?: string,
): Promise<void> {
  await setStepStatuses(db, operationId, [{ name, status, detail }]);
}

/** setStepStatus for several steps of one operation, in one statement (each name at most once). */
export async function setStepStatuses(
  db: DbOrTrx,
  operationId: string,
  changes: readonly StepStatusChange[],
): Promise<void> {
  if (changes.length === 0) return;
  await db
    .insertInto("operation_steps")
    .values(
      changes.map((c) => ({
        operation_id: operationId,
        name: c.name,
        status: c.status,
        upid: null,
        detail: c.detail ?? null,
      })),
    )
    .onConflict((oc) =>
      oc.columns(["operation_id", "name"]).doUpdateSet({
        status: (eb) => eb.ref("excluded.status"),
        // No detail given (null) keeps the one journaled: a step's detail is never cleared.
        detail: sql`coalesce(excluded.detail, operation_steps.detail)`,
        updated_at: sql`now()`,
      }),
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
