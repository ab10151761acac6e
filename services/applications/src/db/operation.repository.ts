import { type Kysely, sql } from "kysely";
import type { OperationKind } from "../domain/operations.js";
import type { AppWithAttention } from "./app-attention.table.js";
import type { AppOperationRow, OperationStatus } from "./app-operations.table.js";
import type { ApplicationsDatabase } from "./database.js";

type Db = Kysely<ApplicationsDatabase>;

export interface NewOperation {
  readonly id: string;
  readonly appId: string;
  readonly sourceAppId?: string;
  readonly kind: OperationKind;
  readonly requestedBy: string;
  /** From now, in milliseconds. */
  readonly deadlineMs: number;
  readonly options?: Record<string, unknown>;
}

export async function insertOperation(db: Db, op: NewOperation): Promise<AppOperationRow> {
  return db.insertInto("app_operations").values(operationValues(op)).returningAll().executeTakeFirstOrThrow();
}

/** The row of a new operation (its deadline on the database's clock). */
export function operationValues(op: NewOperation) {
  return {
    id: op.id,
    app_id: op.appId,
    source_app_id: op.sourceAppId ?? null,
    kind: op.kind,
    requested_by: op.requestedBy,
    options: JSON.stringify(op.options ?? {}),
    deadline_at: sql<Date>`now() + make_interval(secs => ${op.deadlineMs / 1000})`,
    finished_at: null,
  };
}

/**
 * The operation, locked until the transaction ends: a provisioner result and the reaper both lock
 * it first, so whichever comes second sees it finished and leaves it alone.
 */
export async function lockOperation(db: Db, id: string): Promise<AppOperationRow | undefined> {
  return db.selectFrom("app_operations").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
}

/** A locked operation and its app (undefined only if the app row is missing). */
export interface LockedOperation {
  readonly op: AppOperationRow;
  readonly app: AppWithAttention | undefined;
}

/**
 * lockOperation, reading the operation's app in the same statement (a round trip less for every
 * result). Only the operation row is locked, as by lockOperation (no new lock, so no new lock
 * order); the app is read unlocked, as a read after it would. It is read as of the statement's
 * start, so a change committed while the lock was awaited is not seen; but only the operation's own
 * settlement (another result, the reaper, an abandon) changes its app while it is current, and that
 * finishes the operation too, which the locked row (re-read after the wait) shows.
 */
export async function lockOperationWithApp(db: Db, id: string): Promise<LockedOperation | undefined> {
  const row = await db
    .selectFrom("app_operations as o")
    .leftJoin("apps as a", "a.id", "o.app_id")
    .selectAll("a")
    .select([
      "o.id as op_id",
      "o.app_id as op_app_id",
      "o.source_app_id as op_source_app_id",
      "o.kind as op_kind",
      "o.status as op_status",
      "o.requested_by as op_requested_by",
      "o.options as op_options",
      "o.deadline_at as op_deadline_at",
      "o.created_at as op_created_at",
      "o.finished_at as op_finished_at",
      "o.reason as op_reason",
    ])
    .where("o.id", "=", id)
    .forUpdate("o")
    .executeTakeFirst();
  if (!row) return undefined;
  const {
    op_id,
    op_app_id,
    op_source_app_id,
    op_kind,
    op_status,
    op_requested_by,
    op_options,
    op_deadline_at,
    op_created_at,
    op_finished_at,
    op_reason,
    ...app
  } = row;
  const op: AppOperationRow = {
    id: op_id,
    app_id: op_app_id,
    source_app_id: op_source_app_id,
    kind: op_kind,
    status: op_status,
    requested_by: op_requested_by,
    options: op_options,
    deadline_at: op_deadline_at,
    created_at: op_created_at,
    finished_at: op_finished_at,
    reason: op_reason,
  };
  return { op, app: app.id === null ? undefined : (app as AppWithAttention) };
}

export async function findOperation(db: Db, id: string): Promise<AppOperationRow | undefined> {
  return db.selectFrom("app_operations").selectAll().where("id", "=", id).executeTakeFirst();
}

/** How an operation ended, and why when it did not succeed (settleApp marks it). */
export interface OperationEnd {
  readonly status: Exclude<OperationStatus, "running">;
  readonly reason?: string;
}

/**
 * Claims the running operation longest past its deadline, other than those of `skip`, and marks it
 * timed out, in the caller's transaction. SKIP LOCKED lets several reapers (one per replica) run at
 * once: each operation is taken by exactly one of them, and one a result handler holds is left for
 * later.
 */
export async function timeOutExpiredOperation(
  db: Db,
  skip: readonly string[],
): Promise<AppOperationRow | undefined> {
  const rows = await sql<AppOperationRow>`
    update app_operations o set status = 'timed_out', finished_at = now(),
      reason = 'did not finish before its deadline'
    from (select id from app_operations where status = 'running' and deadline_at < now()
            and id <> all(${skip}::uuid[])
          order by deadline_at limit 1 for update skip locked) expired
    where o.id = expired.id
    returning o.*`.execute(db);
  return rows.rows[0];
}

/**
 * Moves a running operation's deadline `ms` from now: one whose settlement failed goes behind the
 * operations due meanwhile, instead of being the oldest every pass takes first.
 */
export async function postponeDeadline(db: Db, id: string, ms: number): Promise<void> {
  await db
    .updateTable("app_operations")
    .set({ deadline_at: sql<Date>`now() + make_interval(secs => ${ms / 1000})` })
    .where("id", "=", id)
    .where("status", "=", "running")
    .execute();
}

/**
 * How the app was made when it was a copy: by a clone of another app, or by a restore of a backup
 * into a new app (its first operation either way); undefined for deployed and adopted apps.
 */
export async function copiedBy(db: Db, appId: string): Promise<"clone" | "restore" | undefined> {
  const row = await db
    .selectFrom("app_operations")
    .select("kind")
    .where("app_id", "=", appId)
    .where((eb) =>
      eb.or([
        eb("kind", "=", "clone"),
        eb.and([eb("kind", "=", "restore"), eb(sql`options->>'newApp'`, "=", "true")]),
      ]),
    )
    .executeTakeFirst();
  return row?.kind === "clone" || row?.kind === "restore" ? row.kind : undefined;
}

/** Kind of the app's newest operation other than `except` (the one being requested), if any. */
export async function lastFinishedKind(
  db: Db,
  appId: string,
  except: string,
): Promise<OperationKind | undefined> {
  const row = await db
    .selectFrom("app_operations")
    .select("kind")
    .where("app_id", "=", appId)
    .where("id", "<>", except)
    .orderBy("created_at", "desc")
    .limit(1)
    .executeTakeFirst();
  return row?.kind;
}
