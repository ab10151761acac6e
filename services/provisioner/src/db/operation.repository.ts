import { type OutboxRecord, outboxInsertStatement } from "@proximity/bus";
import { type Selectable, sql } from "kysely";
import type { DbOrTrx } from "./database.js";
import { type StepStatusChange, stepStatusesUpsert } from "./operation-step.repository.js";
import type { OperationStatus, OperationsTable } from "./operations.table.js";

export type OperationRow = Selectable<OperationsTable>;

/** What a request says of its operation. */
export interface OperationRecord {
  readonly id: string;
  readonly kind: string;
  readonly appId: string;
  readonly hostId: string;
  readonly node: string;
  readonly vmid?: number | null;
}

/** A new operation's row: running, unclaimed. */
function newOperationRow(op: OperationRecord) {
  return {
    id: op.id,
    kind: op.kind,
    app_id: op.appId,
    host_id: op.hostId,
    node: op.node,
    vmid: op.vmid ?? null,
    status: "running" as const,
    last_error: null,
    claimed_by: null,
    claimed_until: null,
  };
}

/** Records a new operation; a redelivered or duplicate request finds the existing row untouched. */
export async function insertOperationIfAbsent(db: DbOrTrx, op: OperationRecord): Promise<void> {
  await db
    .insertInto("operations")
    .values(newOperationRow(op))
    .onConflict((oc) => oc.column("id").doNothing())
    .execute();
}

/**
 * Records the operation already claimed by `worker` for its first attempt (one statement where a
 * first delivery would record it and then claim it). Undefined when it was recorded before (a
 * redelivery or a duplicate request): claimOperation decides then.
 */
export async function insertOperationClaimed(
  db: DbOrTrx,
  op: OperationRecord,
  worker: string,
  ttlMs: number,
): Promise<OperationRow | undefined> {
  return db
    .insertInto("operations")
    .values({
      ...newOperationRow(op),
      attempts: 1,
      claimed_by: worker,
      claimed_until: sql<Date>`now() + ${ttlMs} * interval '1 millisecond'`,
    })
    .onConflict((oc) => oc.column("id").doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function findOperation(db: DbOrTrx, id: string): Promise<OperationRow | undefined> {
  return db.selectFrom("operations").selectAll().where("id", "=", id).executeTakeFirst();
}

/**
 * Claims a running operation for `worker` unless another worker's claim is still valid. One
 * statement decides, so two deliveries racing on two replicas cannot both win. `countAttempt`
 * is false for the cleanup after the last attempt, which is part of that attempt.
 */
export async function claimOperation(
  db: DbOrTrx,
  id: string,
  worker: string,
  ttlMs: number,
  countAttempt: boolean,
): Promise<OperationRow | undefined> {
  return db
    .updateTable("operations")
    .set({
      claimed_by: worker,
      claimed_until: sql<Date>`now() + ${ttlMs} * interval '1 millisecond'`,
      attempts: countAttempt ? sql<number>`attempts + 1` : sql<number>`attempts`,
      updated_at: sql<Date>`now()`,
    })
    .where("id", "=", id)
    .where("status", "=", "running")
    .where((eb) => eb.or([eb("claimed_until", "is", null), eb("claimed_until", "<", sql<Date>`now()`)]))
    .returningAll()
    .executeTakeFirst();
}

/** Extends the claim; false when it was lost (another worker took the operation over). */
export async function renewClaim(db: DbOrTrx, id: string, worker: string, ttlMs: number): Promise<boolean> {
  const res = await db
    .updateTable("operations")
    .set({ claimed_until: sql<Date>`now() + ${ttlMs} * interval '1 millisecond'` })
    .where("id", "=", id)
    .where("claimed_by", "=", worker)
    .where("status", "=", "running")
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Ends an attempt without finishing: the next delivery may claim at once. */
export async function releaseClaim(
  db: DbOrTrx,
  id: string,
  worker: string,
  lastError: string,
): Promise<void> {
  await db
    .updateTable("operations")
    .set({ claimed_by: null, claimed_until: null, last_error: lastError, updated_at: sql<Date>`now()` })
    .where("id", "=", id)
    .where("claimed_by", "=", worker)
    .execute();
}

/**
 * Sets the operation's VMID (abandonVmid clears it; a choice is recorded with the journal's next
 * write: step-journal.ts), only while `worker` (an attempt's claim) holds it: a stalled attempt
 * whose claim another took over must not overwrite that one's choice. Returns false when the claim
 * was lost.
 */
export async function setOperationVmid(
  db: DbOrTrx,
  id: string,
  worker: string,
  vmid: number | null,
): Promise<boolean> {
  const result = await db
    .updateTable("operations")
    .set({ vmid, updated_at: sql<Date>`now()` })
    .where("id", "=", id)
    .where("claimed_by", "=", worker)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** How an attempt ends its operation (finishOperationWithResult). */
export interface OperationEnd {
  readonly operationId: string;
  /** The attempt's claim: nothing is written unless it still holds the running operation. */
  readonly claim: string;
  readonly status: Exclude<OperationStatus, "running">;
  readonly lastError: string | null;
  /** The attempt's step statuses still to write (its last step done). */
  readonly steps: readonly StepStatusChange[];
  /** The attempt's VMID choice still to write (step-journal.ts), if any. */
  readonly vmid?: number | undefined;
}

/**
 * Ends a running operation in one statement, atomic without a transaction (one round trip instead
 * of five): `end.steps`, the final status, and the `result` event, all written only if the
 * operation ended here. Returns false when the claim was lost meanwhile: nothing is written, and
 * the new holder ends the operation. (A data-modifying CTE runs to completion whether its rows are
 * read or not, the outbox insert's RETURNING pg_notify included.)
 */
export async function finishOperationWithResult<T>(
  db: DbOrTrx,
  end: OperationEnd,
  result: OutboxRecord<T>,
): Promise<boolean> {
  const endedHere = sql`exists (select from finished)`;
  const recorded = outboxInsertStatement(result.event, result.payload, result.meta, { onlyIf: endedHere });
  const journaled =
    end.steps.length > 0
      ? sql`journaled as (${stepStatusesUpsert(end.operationId, end.steps, endedHere)}),`
      : sql``;
  const { rows } = await sql<{ ended: boolean }>`
    with finished as (
      update operations set
        status = ${end.status}, last_error = ${end.lastError},
        vmid = coalesce(${end.vmid ?? null}::int, vmid),
        claimed_by = null, claimed_until = null, updated_at = now()
      where id = ${end.operationId} and claimed_by = ${end.claim} and status = 'running'
      returning id
    ), ${journaled}
    recorded as (${recorded.statement})
    select ${endedHere} as ended`.execute(db);
  return rows[0]?.ended === true;
}

/** The operations of one app, newest first (index operations_app_id). */
export async function listOperationsOfApp(
  db: DbOrTrx,
  appId: string,
  limit: number,
): Promise<OperationRow[]> {
  return db
    .selectFrom("operations")
    .selectAll()
    .where("app_id", "=", appId)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
}
