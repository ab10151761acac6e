import { isAnyOf } from "@proximity/db";
import { type RawBuilder, type Selectable, sql } from "kysely";
import type { DbOrTrx } from "./database.js";
import type { OperationStepsTable, StepStatus } from "./operation-steps.table.js";

export type StepRow = Selectable<OperationStepsTable>;

/** Steps in the order they began; rows journaled before started_at existed by their last change. */
const IN_ORDER_BEGUN = sql`coalesce(started_at, updated_at)`;

export async function findSteps(db: DbOrTrx, operationId: string): Promise<StepRow[]> {
  return db
    .selectFrom("operation_steps")
    .selectAll()
    .where("operation_id", "=", operationId)
    .orderBy(IN_ORDER_BEGUN)
    .orderBy("updated_at")
    .execute();
}

/** The steps of several operations (one query), each operation's in the order they began. */
export async function findStepsOf(db: DbOrTrx, operationIds: readonly string[]): Promise<StepRow[]> {
  if (operationIds.length === 0) return [];
  return db
    .selectFrom("operation_steps")
    .selectAll()
    .where(isAnyOf("operation_id", operationIds, "text"))
    .orderBy(IN_ORDER_BEGUN)
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

/**
 * Sets the status of steps of one operation in one statement (with the operation's `vmid` when
 * given), creating their rows on first use (each name at most once; a detail not given keeps the
 * one journaled, as does the UPID), but only while `claim` (an attempt's: claim-id.ts) holds the
 * running operation (its row locked for the statement, so a takeover waits for it): an attempt
 * that lost the operation writes nothing.
 * @returns false when the claim is not (or no longer) the attempt's.
 */
export async function writeStepStatuses(
  db: DbOrTrx,
  operationId: string,
  claim: string,
  changes: readonly StepStatusChange[],
  vmid?: number,
): Promise<boolean> {
  if (vmid !== undefined) {
    // The operation's VMID choice in the same statement, under the same fence (the update locks
    // the operation's row, as the share lock below would).
    const { rows } = await sql<{ claimed: boolean }>`
      with chosen as (
        update operations set vmid = ${vmid}, updated_at = now()
        where id = ${operationId} and claimed_by = ${claim} and status = 'running'
        returning id
      ), journaled as (${stepStatusesUpsert(operationId, changes, sql`exists (select from chosen)`)})
      select exists (select from chosen) as claimed`.execute(db);
    return rows[0]?.claimed === true;
  }
  if (changes.length === 0) return true;
  const claimed = sql`exists (
    select from operations o
    where o.id = ${operationId} and o.claimed_by = ${claim} and o.status = 'running'
    for share
  )`;
  const result = await stepStatusesUpsert(operationId, changes, claimed).execute(db);
  return Number(result.numAffectedRows ?? 0) > 0;
}

/**
 * The statement writing `changes` (see writeStepStatuses), only when `guard` holds: the claim, or
 * a CTE of the statement it is part of (finishOperationWithResult).
 */
export function stepStatusesUpsert(
  operationId: string,
  changes: readonly StepStatusChange[],
  guard: RawBuilder<unknown>,
): RawBuilder<unknown> {
  const column = (pick: (c: StepStatusChange) => string | null) => sql`${changes.map(pick)}::text[]`;
  // Steps first journaled by one statement (a done never journaled running, with the next step's
  // running) begin a microsecond apart, in the statement's order: listed as they ran, not by a tie.
  return sql`
    insert into operation_steps (operation_id, name, status, upid, detail, started_at)
    select ${operationId}, c.name, c.status, null, c.detail, now() + c.n * interval '1 microsecond'
    from unnest(${column((c) => c.name)}, ${column((c) => c.status)}, ${column((c) => c.detail ?? null)})
      with ordinality as c(name, status, detail, n)
    where ${guard}
    order by c.n
    on conflict (operation_id, name) do update set
      status = excluded.status,
      detail = coalesce(excluded.detail, operation_steps.detail),
      updated_at = now()`;
}

/**
 * Records the task a step started on its running row, as the task starts (resume after a crash), or
 * clears it (null) after the task failed. Only `claim`'s attempt (holding the running operation)
 * replaces or clears a UPID; one recorded late by an attempt that lost the claim still fills an
 * empty slot, so the new holder polls that task rather than start another beside it. A late clear
 * or overwrite would make the new holder's retry start a task while its own still runs.
 * @returns false when the claim is not (or no longer) the attempt's, whatever was written.
 */
export async function saveStepUpid(
  db: DbOrTrx,
  operationId: string,
  claim: string,
  name: string,
  upid: string | null,
): Promise<boolean> {
  const { rows } = await sql<{ claimed: boolean }>`
    with claimed as (
      select from operations
      where id = ${operationId} and claimed_by = ${claim} and status = 'running'
      for share
    ), saved as (
      update operation_steps set upid = ${upid}, updated_at = now()
      where operation_id = ${operationId} and name = ${name}
        and (exists (select from claimed) or (${upid}::text is not null and upid is null))
    )
    select exists (select from claimed) as claimed`.execute(db);
  return rows[0]?.claimed === true;
}

/** Forgets steps, e.g. those tied to a VMID that had to be abandoned. */
export async function deleteSteps(db: DbOrTrx, operationId: string, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  await db
    .deleteFrom("operation_steps")
    .where("operation_id", "=", operationId)
    .where(isAnyOf("name", names, "text"))
    .execute();
}
